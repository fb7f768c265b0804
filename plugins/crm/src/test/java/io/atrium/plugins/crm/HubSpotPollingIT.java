package io.atrium.plugins.crm;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.StateStore;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Polling HubSpot's search API from the durable cursor, against a local server speaking the documented API. */
class HubSpotPollingIT {

    static final String START = "2025-01-01T00:00:00Z";
    static final long START_MS = Instant.parse(START).toEpochMilli();

    FakeHubSpot hubspot;
    TestConnectorContext ctx;
    CrmConnector connector;

    @BeforeEach
    void setUp() {
        hubspot = new FakeHubSpot();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ctx != null) {
            ctx.close();
        }
        hubspot.close();
    }

    Map<String, Object> config(String objects) {
        Map<String, Object> c = new HashMap<>();
        c.put("access-token", FakeHubSpot.TOKEN);
        c.put("api-url", hubspot.apiUrl());
        c.put("poll-objects", objects);
        c.put("poll-start", START);
        c.put("poll-lag", "0s");
        c.put("poll-interval", "1h");
        c.put("request-timeout", "2s");
        return c;
    }

    TestConnectorContext start(Map<String, Object> config, StateStore stateFrom) throws Exception {
        ctx = TestConnectorContext.forPlugin("crm", config);
        if (stateFrom != null) {
            // The hub keeps a plugin's state across restarts (in its database); the test kit gives each context a
            // new store, so the restart is the old context's store given to the new one.
            ctx.useState(stateFrom);
        }
        connector = new CrmConnector();
        ctx.start(connector);
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.poller().rounds() >= 1);
        return ctx;
    }

    void stubSearch(String type, String after, String answer) {
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/" + type + "/search")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .withRequestBody(after == null ? matchingJsonPath("$.after", absent())
                        : matchingJsonPath("$.after", equalTo(after)))
                .willReturn(okJson(answer)));
    }

    List<String> crmIds() {
        return ctx.submittedEvents().stream().map(e -> e.identities().get("crm_id")).toList();
    }

    @Test
    void contactsArePolledPageByPageFromTheCursorAndBecomeIdentifies() throws Exception {
        stubSearch("contacts", null, FakeHubSpot.searchAnswer("2",
                FakeHubSpot.contact("901", "Ann@Example.com", "Ann", "Shevchenko", "2025-02-01T10:00:00.000Z"),
                FakeHubSpot.contact("902", "bo@example.com", "Bo", "Li", "2025-02-01T11:00:00.000Z")));
        stubSearch("contacts", "2", FakeHubSpot.searchAnswer(null,
                FakeHubSpot.contact("903", "cy@example.com", "Cy", null, "2025-02-02T09:30:00.000Z")));
        start(config("contacts"), null);

        assertThat(crmIds()).containsExactly("901", "902", "903");
        Event ann = ctx.submittedEvents().get(0);
        assertThat(ann.type()).isEqualTo("identify");
        assertThat(ann.identities()).containsEntry("email", "ann@example.com");
        assertThat(ann.traits()).containsEntry("first_name", "Ann").containsEntry("last_name", "Shevchenko");
        assertThat(ann.messageId()).isEqualTo("crm:hubspot:contact:901:"
                + Instant.parse("2025-02-01T10:00:00Z").toEpochMilli());
        assertThat(ctx.submittedEvents().get(2).traits()).doesNotContainKey("last_name");

        List<JsonNode> searches = hubspot.bodies("POST", "/crm/v3/objects/contacts/search");
        assertThat(searches).hasSize(2);
        JsonNode first = searches.get(0);
        JsonNode filters = first.path("filterGroups").get(0).path("filters");
        assertThat(filters.get(0).path("propertyName").asText()).isEqualTo("lastmodifieddate");
        assertThat(filters.get(0).path("operator").asText()).isEqualTo("GTE");
        assertThat(filters.get(0).path("value").asText()).isEqualTo(Long.toString(START_MS));
        assertThat(filters.get(1).path("operator").asText()).isEqualTo("LTE");
        assertThat(filters.get(1).path("value").asLong()).isBetween(System.currentTimeMillis() - 60_000,
                System.currentTimeMillis());
        assertThat(first.path("sorts").get(0).path("propertyName").asText()).isEqualTo("lastmodifieddate");
        assertThat(first.path("sorts").get(0).path("direction").asText()).isEqualTo("ASCENDING");
        assertThat(first.path("limit").asInt()).isEqualTo(100);
        assertThat(first.path("properties")).extracting(JsonNode::asText).contains("email", "phone", "firstname",
                "lastname", "lastmodifieddate");
        assertThat(first.has("after")).isFalse();
        // The second page asks with the same filter from where the first page's paging pointed.
        assertThat(searches.get(1).path("after").asText()).isEqualTo("2");
        assertThat(searches.get(1).path("filterGroups")).isEqualTo(first.path("filterGroups"));

        String cursors = ctx.state().get(SyncState.CURSORS_KEY).orElseThrow().json();
        assertThat(cursors).contains("\"modifiedAt\":\"2025-02-02T09:30:00Z\"").contains("\"903\"");
    }

    @Test
    void afterARestartPollingGoesOnFromTheStoredCursorAndDoesNotRepeatItsContact() throws Exception {
        stubSearch("contacts", null, FakeHubSpot.searchAnswer(null,
                FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-02-01T10:00:00.000Z")));
        start(config("contacts"), null);
        assertThat(crmIds()).containsExactly("901");
        StateStore saved = ctx.state();
        ctx.close();
        ctx = null;

        hubspot.server.resetRequests();
        // HubSpot's GTE filter gives the contact at the cursor again, with one changed since.
        stubSearch("contacts", null, FakeHubSpot.searchAnswer(null,
                FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-02-01T10:00:00.000Z"),
                FakeHubSpot.contact("904", "di@example.com", "Di", "K", "2025-02-03T08:00:00.000Z")));
        start(config("contacts"), saved);
        assertThat(crmIds()).containsExactly("904");
        JsonNode search = hubspot.bodies("POST", "/crm/v3/objects/contacts/search").get(0);
        assertThat(search.path("filterGroups").get(0).path("filters").get(0).path("value").asText())
                .isEqualTo(Long.toString(Instant.parse("2025-02-01T10:00:00Z").toEpochMilli()));
    }

    @Test
    void dealsCarryTheirContactsAndTellCreationFromAStageChange() throws Exception {
        stubSearch("deals", null, FakeHubSpot.searchAnswer(null,
                FakeHubSpot.deal("5001", "appointmentscheduled", "1200", "2025-02-01T09:00:00.000Z",
                        "2025-02-01T09:00:00.000Z")));
        hubspot.server.stubFor(post(urlEqualTo("/crm/v4/associations/deals/contacts/batch/read")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .willReturn(okJson(FakeHubSpot.associationsAnswer(Map.of("5001", List.of(901L))))));
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/batch/read")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .willReturn(okJson(FakeHubSpot.batchAnswer(FakeHubSpot.contact("901", "ann@example.com", "Ann", "S",
                        "2025-01-20T00:00:00.000Z")))));
        start(config("deals"), null);

        assertThat(ctx.submittedEvents()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("track");
            assertThat(e.event()).isEqualTo("deal_created");
            assertThat(e.identities()).containsExactly(Map.entry("crm_id", "901"), Map.entry("email", "ann@example.com"));
            assertThat(e.properties()).containsEntry("deal_id", "5001").containsEntry("stage", "appointmentscheduled")
                    .containsEntry("pipeline", "default").containsEntry("deal_name", "Deal 5001");
            assertThat(e.properties().get("amount").toString()).isEqualTo("1200");
        });
        hubspot.server.verify(postRequestedFor(urlEqualTo("/crm/v4/associations/deals/contacts/batch/read"))
                .withRequestBody(equalToJson("{\"inputs\":[{\"id\":\"5001\"}]}")));
        hubspot.server.verify(postRequestedFor(urlEqualTo("/crm/v3/objects/contacts/batch/read"))
                .withRequestBody(equalToJson("{\"properties\":[\"email\"],\"inputs\":[{\"id\":\"901\"}]}")));
        JsonNode search = hubspot.bodies("POST", "/crm/v3/objects/deals/search").get(0);
        assertThat(search.path("filterGroups").get(0).path("filters").get(0).path("propertyName").asText())
                .isEqualTo("hs_lastmodifieddate");

        // The deal moves on a stage; the next poll sees it.
        stubSearch("deals", null, FakeHubSpot.searchAnswer(null,
                FakeHubSpot.deal("5001", "contractsent", "1500", "2025-02-01T09:00:00.000Z", "2025-02-05T16:00:00.000Z")));
        connector.poller().pollAll();
        assertThat(ctx.submittedEvents()).hasSize(2);
        Event changed = ctx.submittedEvents().get(1);
        assertThat(changed.event()).isEqualTo("deal_stage_changed");
        assertThat(changed.properties()).containsEntry("stage", "contractsent")
                .containsEntry("previous_stage", "appointmentscheduled");
        assertThat(changed.messageId()).isEqualTo("crm:hubspot:deal:5001:"
                + Instant.parse("2025-02-05T16:00:00Z").toEpochMilli() + ":901");
    }

    @Test
    void callsAreLoggedOnTheirContacts() throws Exception {
        stubSearch("calls", null, FakeHubSpot.searchAnswer(null, FakeHubSpot.object("3001", "2025-02-03T09:00:00.000Z",
                "2025-02-03T09:10:00.000Z", Map.of("hs_call_title", "Discovery", "hs_call_direction", "OUTBOUND",
                        "hs_timestamp", "2025-02-03T09:00:00.000Z", "hs_lastmodifieddate", "2025-02-03T09:10:00.000Z"))));
        hubspot.server.stubFor(post(urlEqualTo("/crm/v4/associations/calls/contacts/batch/read")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .willReturn(okJson(FakeHubSpot.associationsAnswer(Map.of("3001", List.of(901L, 902L))))));
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/batch/read")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .willReturn(okJson(FakeHubSpot.batchAnswer(
                        FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-01-20T00:00:00.000Z")))));
        start(config("calls"), null);
        assertThat(ctx.submittedEvents()).hasSize(2).allSatisfy(e -> {
            assertThat(e.event()).isEqualTo("call_logged");
            assertThat(e.properties()).containsEntry("title", "Discovery").containsEntry("direction", "OUTBOUND");
        });
        assertThat(ctx.submittedEvents().get(0).identities()).containsEntry("email", "ann@example.com");
        assertThat(ctx.submittedEvents().get(1).identities()).containsExactly(Map.entry("crm_id", "902"));
    }

    @Test
    void whenHubSpotAsksToWaitTheCursorStaysAndTheNextPollCatchesUp() throws Exception {
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .willReturn(FakeHubSpot.rateLimited()));
        start(config("contacts"), null);
        assertThat(ctx.submittedEvents()).isEmpty();
        assertThat(ctx.state().get(SyncState.CURSORS_KEY).orElseThrow().json())
                .contains("\"modifiedAt\":\"" + START + "\"");

        stubSearch("contacts", null, FakeHubSpot.searchAnswer(null,
                FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-02-01T10:00:00.000Z")));
        connector.poller().pollAll();
        assertThat(crmIds()).containsExactly("901");
    }

    @Test
    void whenTheHubCannotTakeTheEventsTheyAreHandedOverAgainByTheNextPoll() throws Exception {
        stubSearch("contacts", null, FakeHubSpot.searchAnswer(null,
                FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-02-01T10:00:00.000Z")));
        Map<String, Object> c = config("contacts");
        ctx = TestConnectorContext.forPlugin("crm", c);
        ctx.failEvents(new io.atrium.plugin.api.EventRejectedException("the event queue is unavailable", true, null));
        connector = new CrmConnector();
        ctx.start(connector);
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.poller().rounds() >= 1);
        assertThat(ctx.submittedEvents()).isEmpty();
        ctx.failEvents(null);
        connector.poller().pollAll();
        assertThat(crmIds()).containsExactly("901");
    }
}
