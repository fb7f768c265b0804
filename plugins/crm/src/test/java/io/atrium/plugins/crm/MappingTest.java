package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;

/** HubSpot's objects and generic records into records, and records into the hub's events. */
class MappingTest {

    static final Map<String, String> TRAITS = new LinkedHashMap<>(Map.of("firstname", "first_name"));

    static {
        TRAITS.put("lastname", "last_name");
        TRAITS.put("hs_language", "language");
    }

    final HubSpotRecords hubspot = new HubSpotRecords(TRAITS);
    final EventMapping mapping = new EventMapping("hubspot");

    static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void aHubSpotContactBecomesAnIdentifyWithCrmIdEmailPhoneAndTheMappedTraits() throws Exception {
        SyncRecord.Contact c = hubspot.contact(json("""
                {"id": "901", "properties": {"email": " Ann@Example.COM ", "phone": "+1 (617) 555-0100",
                 "firstname": "Ann", "lastname": "Shevchenko", "hs_language": null, "company": "Acme",
                 "createdate": "2025-01-10T08:00:00.000Z", "lastmodifieddate": "2025-02-01T10:00:00.123Z",
                 "hs_object_id": "901"},
                 "createdAt": "2025-01-10T08:00:00.000Z", "updatedAt": "2025-02-01T10:00:00.123Z", "archived": false}
                """));
        Event e = mapping.identify(c);
        assertThat(e.type()).isEqualTo("identify");
        assertThat(e.identities()).containsExactly(Map.entry("crm_id", "901"), Map.entry("email", "ann@example.com"),
                Map.entry("phone", "+16175550100"));
        assertThat(e.traits()).containsExactly(Map.entry("first_name", "Ann"), Map.entry("last_name", "Shevchenko"),
                Map.entry("email", "ann@example.com"), Map.entry("phone", "+16175550100"));
        assertThat(e.messageId()).isEqualTo("crm:hubspot:contact:901:" + Instant.parse("2025-02-01T10:00:00.123Z").toEpochMilli());
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-02-01T10:00:00.123Z"));
        assertThat(e.userId()).isNull();
        assertThat(e.context()).containsEntry("crm", "hubspot");
    }

    @Test
    void aPhoneThatIsNotInternationalStaysATraitOnly() throws Exception {
        SyncRecord.Contact c = hubspot.contact(json("""
                {"id": "902", "properties": {"phone": "555-0100 ext. 4", "mobilephone": "+380501112233",
                 "lastmodifieddate": "2025-02-01T10:00:00Z"}}
                """));
        Event e = mapping.identify(c);
        assertThat(e.identities()).containsOnlyKeys("crm_id");
        assertThat(e.traits()).containsExactly(Map.entry("phone", "555-0100 ext. 4"));
        SyncRecord.Contact mobile = hubspot.contact(json("""
                {"id": "903", "properties": {"phone": null, "mobilephone": "00380 50 111 22 33",
                 "lastmodifieddate": "2025-02-01T10:00:00Z"}}
                """));
        assertThat(mapping.identify(mobile).identities()).containsEntry("phone", "+380501112233");
    }

    @Test
    void twoVersionsOfAContactHaveTwoMessageIdsAndTheSameVersionOne() throws Exception {
        String v1 = "{\"id\":\"7\",\"properties\":{\"lastmodifieddate\":\"2025-02-01T10:00:00Z\"}}";
        String v2 = "{\"id\":\"7\",\"properties\":{\"lastmodifieddate\":\"2025-02-01T10:00:01Z\"}}";
        assertThat(mapping.identify(hubspot.contact(json(v1))).messageId())
                .isEqualTo(mapping.identify(hubspot.contact(json(v1))).messageId())
                .isNotEqualTo(mapping.identify(hubspot.contact(json(v2))).messageId());
    }

    @Test
    void withoutTheModifiedPropertyUpdatedAtIsTheChange() throws Exception {
        SyncRecord.Contact c = hubspot.contact(json("{\"id\":\"8\",\"properties\":{},\"updatedAt\":\"2025-03-01T00:00:00Z\"}"));
        assertThat(c.modified()).isEqualTo(Instant.parse("2025-03-01T00:00:00Z"));
    }

    @Test
    void theContactPropertiesReadAreTheOwnAndTheMappedOnes() {
        assertThat(hubspot.properties(ObjectType.CONTACTS)).containsExactly("email", "phone", "mobilephone", "createdate",
                "lastmodifieddate", "firstname", "lastname", "hs_language");
        assertThat(hubspot.properties(ObjectType.DEALS)).contains("dealname", "amount", "dealstage", "pipeline",
                "hs_lastmodifieddate");
    }

    @Test
    void aDealBecomesOneTrackEventPerAssociatedContact() throws Exception {
        SyncRecord.Deal d = HubSpotRecords.deal(json("""
                {"id": "5001", "properties": {"dealname": "Acme renewal", "amount": "1500.50", "deal_currency_code": "EUR",
                 "dealstage": "contractsent", "pipeline": "default", "closedate": "2025-03-31T00:00:00Z",
                 "hubspot_owner_id": "77", "createdate": "2025-01-05T00:00:00Z",
                 "hs_lastmodifieddate": "2025-02-02T12:00:00Z"}}
                """)).withContacts(List.of(new SyncRecord.ContactRef("901", "ann@example.com"),
                new SyncRecord.ContactRef("902", null)));
        List<Event> events = mapping.deal(d, EventMapping.DEAL_STAGE_CHANGED, "qualifiedtobuy");
        assertThat(events).hasSize(2);
        Event e = events.get(0);
        assertThat(e.type()).isEqualTo("track");
        assertThat(e.event()).isEqualTo("deal_stage_changed");
        assertThat(e.identities()).containsExactly(Map.entry("crm_id", "901"), Map.entry("email", "ann@example.com"));
        assertThat(e.properties()).containsEntry("deal_id", "5001").containsEntry("deal_name", "Acme renewal")
                .containsEntry("amount", new BigDecimal("1500.50")).containsEntry("currency", "EUR")
                .containsEntry("stage", "contractsent").containsEntry("previous_stage", "qualifiedtobuy")
                .containsEntry("pipeline", "default").containsEntry("close_date", "2025-03-31T00:00:00Z")
                .containsEntry("owner_id", "77").containsEntry("crm", "hubspot");
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-02-02T12:00:00Z"));
        long ms = Instant.parse("2025-02-02T12:00:00Z").toEpochMilli();
        assertThat(e.messageId()).isEqualTo("crm:hubspot:deal:5001:" + ms + ":901");
        assertThat(events.get(1).identities()).containsExactly(Map.entry("crm_id", "902"));
        assertThat(events.get(1).messageId()).isEqualTo("crm:hubspot:deal:5001:" + ms + ":902");
        // A created deal's event is dated when it was created.
        assertThat(mapping.deal(d, EventMapping.DEAL_CREATED, null).get(0).timestamp())
                .isEqualTo(Instant.parse("2025-01-05T00:00:00Z"));
        assertThat(mapping.deal(d, EventMapping.DEAL_CREATED, null).get(0).properties()).doesNotContainKey("previous_stage");
    }

    @Test
    void callsMeetingsAndNotesAreLoggedActivities() throws Exception {
        SyncRecord.Activity call = HubSpotRecords.activity(ObjectType.CALLS, json("""
                {"id": "3001", "properties": {"hs_call_title": "Discovery call", "hs_call_body": "<p>Talked about <b>pricing</b></p>",
                 "hs_call_direction": "OUTBOUND", "hs_call_status": "COMPLETED", "hs_call_duration": "125000",
                 "hs_timestamp": "2025-02-03T09:00:00Z", "hs_lastmodifieddate": "2025-02-03T09:30:00Z"}}
                """)).withContacts(List.of(new SyncRecord.ContactRef("901", "ann@example.com")));
        Event e = mapping.activity(call).get(0);
        assertThat(e.event()).isEqualTo("call_logged");
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-02-03T09:00:00Z"));
        assertThat(e.properties()).containsEntry("activity_id", "3001").containsEntry("activity_type", "call")
                .containsEntry("title", "Discovery call").containsEntry("body", "Talked about pricing")
                .containsEntry("direction", "OUTBOUND").containsEntry("duration_ms", new BigDecimal("125000"));
        assertThat(e.messageId()).startsWith("crm:hubspot:call:3001:");

        SyncRecord.Activity meeting = HubSpotRecords.activity(ObjectType.MEETINGS, json("""
                {"id": "3002", "properties": {"hs_meeting_title": "Demo", "hs_meeting_outcome": "COMPLETED",
                 "hs_meeting_start_time": "2025-02-04T10:00:00Z", "hs_meeting_end_time": "2025-02-04T11:00:00Z",
                 "hs_lastmodifieddate": "2025-02-04T11:00:00Z"}, "createdAt": "2025-02-01T00:00:00Z"}
                """)).withContacts(List.of(new SyncRecord.ContactRef("901", null)));
        Event m = mapping.activity(meeting).get(0);
        assertThat(m.event()).isEqualTo("meeting_logged");
        assertThat(m.properties()).containsEntry("outcome", "COMPLETED").containsEntry("start_time", "2025-02-04T10:00:00Z");
        assertThat(m.timestamp()).as("no hs_timestamp: its creation").isEqualTo(Instant.parse("2025-02-01T00:00:00Z"));

        String longBody = "long ".repeat(400);
        SyncRecord.Activity note = HubSpotRecords.activity(ObjectType.NOTES, json(
                "{\"id\": \"3003\", \"properties\": {\"hs_note_body\": \"" + longBody
                        + "\", \"hs_lastmodifieddate\": \"2025-02-05T00:00:00Z\"}}"))
                .withContacts(List.of(new SyncRecord.ContactRef("901", null)));
        Event n = mapping.activity(note).get(0);
        assertThat(n.event()).isEqualTo("note_logged");
        assertThat((String) n.properties().get("body")).hasSize(HubSpotRecords.MAX_BODY + 3).endsWith("...");
        // Without contacts there is nobody to give the event to.
        assertThat(mapping.activity(note.withContacts(List.of()))).isEmpty();
    }

    @Test
    void genericRecordsAreReadWithTheFieldMap() throws Exception {
        CrmSettings s = CrmConfigTest.parse(CrmConfigTest.generic());
        GenericRecords g = new GenericRecords(s.generic().contactFields(), s.generic().dealFields());
        SyncRecord.Contact c = g.contact(json("""
                {"id": 901, "updatedAt": 1738404000000, "email": "ANN@example.com", "phone": "+380501234567",
                 "firstName": "Ann", "lastName": null, "extra": "not mapped"}
                """));
        Event e = new EventMapping("generic").identify(c);
        assertThat(e.identities()).containsExactly(Map.entry("crm_id", "901"), Map.entry("email", "ann@example.com"),
                Map.entry("phone", "+380501234567"));
        assertThat(e.traits()).containsExactly(Map.entry("phone", "+380501234567"), Map.entry("first_name", "Ann"),
                Map.entry("email", "ann@example.com"));
        assertThat(e.messageId()).isEqualTo("crm:generic:contact:901:1738404000000");

        SyncRecord.Deal d = g.deal(json("""
                {"id": "D-1", "updatedAt": "2025-02-01T10:00:00Z", "createdAt": "2025-01-01T00:00:00Z",
                 "contactId": "901", "name": "Renewal", "amount": 1500.5, "stage": "won", "pipeline": "sales"}
                """));
        Event de = new EventMapping("generic").deal(d, EventMapping.DEAL_UPDATED, null).get(0);
        assertThat(de.identities()).containsExactly(Map.entry("crm_id", "901"));
        assertThat(de.properties()).containsEntry("deal_id", "D-1").containsEntry("deal_name", "Renewal")
                .containsEntry("amount", new BigDecimal("1500.5")).containsEntry("stage", "won")
                .containsEntry("pipeline", "sales").containsEntry("crm", "generic");
    }

    @Test
    void aGenericDealNamedByEmailOnlyIsGivenToThatAddress() throws Exception {
        Map<String, Object> raw = CrmConfigTest.generic();
        raw.put("generic-deal-fields", "id=/id,updated_at=/updated,contact_email=/customer/email");
        CrmSettings s = CrmConfigTest.parse(raw);
        GenericRecords g = new GenericRecords(s.generic().contactFields(), s.generic().dealFields());
        SyncRecord.Deal d = g.deal(json("{\"id\":\"D-2\",\"updated\":\"2025-02-01T10:00:00Z\",\"customer\":{\"email\":\"Bo@Example.com\"}}"));
        Event e = new EventMapping("generic").deal(d, EventMapping.DEAL_CREATED, null).get(0);
        assertThat(e.identities()).containsExactly(Map.entry("email", "bo@example.com"));
        assertThat(e.messageId()).endsWith(":bo@example.com");
    }

    @Test
    void genericAnswersHoldRecordsInAnArrayAtThePointerOrAreTheArray() throws Exception {
        assertThat(GenericRecords.records(json("{\"results\":[{\"id\":1},{\"id\":2}]}"),
                com.fasterxml.jackson.core.JsonPointer.compile("/results"))).hasSize(2);
        assertThat(GenericRecords.records(json("[{\"id\":1}]"), com.fasterxml.jackson.core.JsonPointer.compile("/results")))
                .hasSize(1);
        assertThat(GenericRecords.records(json("{\"id\":1}"), com.fasterxml.jackson.core.JsonPointer.empty())).hasSize(1);
        assertThat(GenericRecords.records(json("{\"results\":[]}"), com.fasterxml.jackson.core.JsonPointer.compile("/results")))
                .isEmpty();
    }

    @Test
    void identities() {
        assertThat(Identities.e164("+44 20 7946 0958")).isEqualTo("+442079460958");
        assertThat(Identities.e164("0044 (20) 7946-0958")).isEqualTo("+442079460958");
        assertThat(Identities.e164("020 7946 0958")).isNull();
        assertThat(Identities.e164("+0123456789")).isNull();
        assertThat(Identities.e164("+1234567890123456")).isNull();
        assertThat(Identities.email(" A@B.C ")).isEqualTo("a@b.c");
        assertThat(Identities.email("not an address")).isNull();
        assertThat(Identities.email("a@b@c")).isNull();
    }

    @Test
    void instantsAreReadInEveryShapeCrmsSendThem() {
        assertThat(Json.instant("2025-02-01T10:00:00.123Z")).isEqualTo(Instant.parse("2025-02-01T10:00:00.123Z"));
        assertThat(Json.instant("2025-02-01T12:00:00+02:00")).isEqualTo(Instant.parse("2025-02-01T10:00:00Z"));
        assertThat(Json.instant("2025-02-01T10:00:00")).isEqualTo(Instant.parse("2025-02-01T10:00:00Z"));
        assertThat(Json.instant("2025-02-01")).isEqualTo(Instant.parse("2025-02-01T00:00:00Z"));
        assertThat(Json.instant("1738404000000")).isEqualTo(Instant.ofEpochMilli(1738404000000L));
        assertThat(Json.instant("yesterday")).isNull();
    }
}
