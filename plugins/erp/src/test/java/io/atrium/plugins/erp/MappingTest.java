package io.atrium.plugins.erp;

import static io.atrium.plugins.erp.Maps.mapping;
import static io.atrium.plugins.erp.Maps.mappingProblems;
import static io.atrium.plugins.erp.Maps.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;

/** The mapping from ERP records to events: rules, identities, properties and traits, conversions, ids, problems. */
class MappingTest {

    /** The README's order mapping. */
    static Mapping orders() {
        return mapping(
                "mapping.event", List.of("order_created when status = new", "order_status_changed"),
                "mapping.identities.erp_id", "customer_id",
                "mapping.identities.email", "email?",
                "mapping.identities.phone", "phone?",
                "mapping.properties", List.of("order_id", "status", "total:number", "currency?"),
                "mapping.timestamp", "updated_at",
                "mapping.message-id", List.of("order_id", "updated_at"));
    }

    static Event ok(Mapping m, Record r) {
        Mapping.Result result = m.map(r, "files");
        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        return result.event();
    }

    static List<String> problems(Mapping m, Record r) {
        Mapping.Result result = m.map(r, "files");
        assertThat(result.ok()).isFalse();
        assertThat(result.skipped()).isFalse();
        return result.problems().stream().map(RecordProblem::describe).toList();
    }

    @Test
    void aNewOrderIsOrderCreatedAndAnyOtherStatusIsOrderStatusChanged() {
        Event created = ok(orders(), row("order_id", "1001", "customer_id", "C-7", "email", "Ann@Example.com ",
                "phone", null, "status", "new", "total", "42.50", "updated_at", "2026-03-01T10:00:00Z"));
        assertThat(created.type()).isEqualTo("track");
        assertThat(created.event()).isEqualTo("order_created");
        assertThat(created.identities()).containsExactly(Map.entry("erp_id", "C-7"), Map.entry("email", "Ann@Example.com"));
        assertThat(created.properties()).containsExactly(Map.entry("order_id", "1001"), Map.entry("status", "new"),
                Map.entry("total", new BigDecimal("42.50")));
        assertThat(created.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(created.messageId()).isEqualTo("erp:order_created:1001:2026-03-01T10%3A00%3A00Z");
        assertThat(created.context()).containsEntry("erp", Map.of("source", "files", "position", "orders.csv row 1 (line 2)"));

        Event ready = ok(orders(), row("order_id", "1001", "customer_id", "C-7", "status", "ready", "total", "42.50",
                "updated_at", "2026-03-01T12:00:00Z"));
        assertThat(ready.event()).isEqualTo("order_status_changed");
        assertThat(ready.properties()).containsEntry("status", "ready");
        assertThat(ready.identities()).containsOnlyKeys("erp_id");
        assertThat(ready.messageId()).isNotEqualTo(created.messageId());
    }

    @Test
    void conditionsIgnoreCaseAndSpacesAndKnowInNotInEmptyAndQuotes() {
        Mapping m = mapping("mapping.event", List.of("order_cancelled when status in cancelled|void",
                        "order_ready when status = 'ready to ship'", "order_open when status not in closed|archived",
                        "order_unknown when status is empty", "order_closed"),
                "mapping.identities.erp_id", "customer_id");
        assertThat(ok(m, row("customer_id", 1, "status", " VOID ")).event()).isEqualTo("order_cancelled");
        assertThat(ok(m, row("customer_id", 1, "status", "Ready To Ship")).event()).isEqualTo("order_ready");
        assertThat(ok(m, row("customer_id", 1, "status", "paid")).event()).isEqualTo("order_open");
        assertThat(ok(m, row("customer_id", 1, "status", "closed")).event()).isEqualTo("order_closed");
        // "not in" holds for an empty value, so it wins over "is empty" placed after it
        assertThat(ok(m, row("customer_id", 1, "status", null)).event()).isEqualTo("order_open");
    }

    @Test
    void aTemplateTakesTheEventNameFromAField() {
        Mapping m = mapping("mapping.event", List.of("order_{status}"), "mapping.identities.erp_id", "customer_id");
        assertThat(ok(m, row("customer_id", 7, "status", "shipped")).event()).isEqualTo("order_shipped");
        assertThat(problems(m, row("customer_id", 7, "status", " "))).containsExactly(
                "orders.csv row 1 (line 2): field 'status': is empty, and mapping.event rule 'order_{status}' puts it in the name");
    }

    @Test
    void skipLeavesARecordOutOnPurposeAndNoApplicableRuleIsAProblem() {
        Mapping m = mapping("mapping.event", List.of("skip when status = draft", "order_created when status = new"),
                "mapping.identities.erp_id", "customer_id");
        Mapping.Result draft = m.map(row("customer_id", 7, "status", "Draft"), "files");
        assertThat(draft.skipped()).isTrue();
        assertThat(draft.event()).isNull();
        assertThat(draft.problems()).isEmpty();
        assertThat(problems(m, row("customer_id", 7, "status", "paid"))).singleElement().asString()
                .contains("field 'status'", "no rule of mapping.event applies (status is 'paid')");
    }

    @Test
    void identitiesAreTextAndEmptyOnesAreLeftOut() {
        Mapping m = mapping("mapping.event", "order_created", "mapping.identities.erp_id", "customer_id",
                "mapping.identities.phone", "phone", "mapping.identities.crm_id", "crm?",
                "mapping.identities.other", List.of("loyalty_card=card_no"));
        Event e = ok(m, row("customer_id", new BigDecimal("1001.00"), "phone", "", "card_no", 77L));
        assertThat(e.identities()).containsExactly(Map.entry("erp_id", "1001"), Map.entry("loyalty_card", "77"));
    }

    @Test
    void aRecordThatNamesNoPersonIsAProblemNamingTheIdentityFields() {
        assertThat(problems(orders(), row("order_id", "1", "customer_id", "", "email", null, "phone", " ",
                "status", "new", "total", "1", "updated_at", "2026-03-01T10:00:00Z")))
                .containsExactly("orders.csv row 1 (line 2): fields 'customer_id', 'email', 'phone': all are empty or "
                        + "missing, so the record names no person");
    }

    @Test
    void aFieldTheRecordLacksIsAProblemUnlessItIsOptional() {
        List<String> p = problems(orders(), row("order_id", "1", "customer_id", "C-1", "status", "new",
                "updated_at", "2026-03-01T10:00:00Z"));
        assertThat(p).singleElement().asString().startsWith("orders.csv row 1 (line 2): field 'total': is not in the record "
                + "(its fields: order_id, customer_id, status, updated_at)");
        // currency? email? phone? are optional: their absence is no problem
        assertThat(ok(orders(), row("order_id", "1", "customer_id", "C-1", "status", "new", "total", "3",
                "updated_at", "2026-03-01T10:00:00Z")).properties()).doesNotContainKey("currency");
    }

    @Test
    void everyProblemOfARecordIsReportedAtOnce() {
        List<String> p = problems(orders(), row("order_id", "1", "customer_id", "C-1", "status", "new", "total", "abc",
                "updated_at", "yesterday"));
        assertThat(p).hasSize(2);
        assertThat(p.get(0)).contains("field 'total': 'abc' is not a number");
        assertThat(p.get(1)).contains("field 'updated_at': 'yesterday' is not a date-time");
    }

    @Test
    void propertiesAreRenamedAndConverted() {
        Mapping m = mapping("mapping.event", "order_created", "mapping.identities.erp_id", "id",
                "mapping.timezone", "Europe/Kyiv",
                "mapping.properties", List.of("amount=total:number", "qty:integer", "paid:boolean", "created:timestamp",
                        "due:date", "note:string", "raw"));
        Event e = ok(m, row("id", "1", "total", "1 234.5", "qty", "3.0", "paid", "Yes", "created", "2026-03-01 10:00:00",
                "due", "2026-03-05", "note", 12, "raw", 12));
        assertThat(e.properties()).containsExactly(
                Map.entry("amount", new BigDecimal("1234.5")),
                Map.entry("qty", 3L),
                Map.entry("paid", true),
                Map.entry("created", "2026-03-01T08:00:00Z"),
                Map.entry("due", "2026-03-05"),
                Map.entry("note", "12"),
                Map.entry("raw", 12L));
        assertThat(problems(m, row("id", "1", "total", "1", "qty", "3.5", "paid", "maybe", "created", "x", "due", "5 March",
                "note", null, "raw", null))).containsExactly(
                "orders.csv row 1 (line 2): field 'qty': '3.5' is not an integer",
                "orders.csv row 1 (line 2): field 'paid': 'maybe' is not a boolean (true/false, yes/no, 1/0)",
                "orders.csv row 1 (line 2): field 'created': 'x' is not a date-time (ISO-8601 such as 2026-03-01T10:00:00Z "
                        + "or 2026-03-01 10:00:00)",
                "orders.csv row 1 (line 2): field 'due': '5 March' is not a date (ISO-8601 such as 2026-03-01)");
    }

    @Test
    void theDecimalSeparatorIsConfiguredAndTheOtherOneIsRefusedRatherThanGuessed() {
        Mapping comma = mapping("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.decimal-separator", ",",
                "mapping.properties", List.of("total:number"));
        assertThat(ok(comma, row("id", 1, "total", "1 234,50")).properties()).containsEntry("total", new BigDecimal("1234.50"));
        assertThat(problems(comma, row("id", 1, "total", "1.234,50"))).singleElement().asString()
                .contains("'1.234,50' is not a number (the decimal separator is ','");
        Mapping dot = mapping("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.properties", "total:number");
        assertThat(problems(dot, row("id", 1, "total", "42,50"))).singleElement().asString()
                .contains("see mapping.decimal-separator");
    }

    @Test
    void timestampsComeFromDatabaseValuesIsoTextEpochsOrAPattern() {
        Mapping m = mapping("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.timestamp", "at",
                "mapping.timezone", "+02:00", "mapping.timestamp-format", "dd.MM.yyyy HH:mm");
        Instant ten = Instant.parse("2026-03-01T08:00:00Z");
        assertThat(ok(m, row("id", 1, "at", LocalDateTime.parse("2026-03-01T10:00:00"))).timestamp()).isEqualTo(ten);
        assertThat(ok(m, row("id", 1, "at", "2026-03-01 10:00:00")).timestamp()).isEqualTo(ten);
        assertThat(ok(m, row("id", 1, "at", "2026-03-01T08:00:00Z")).timestamp()).isEqualTo(ten);
        assertThat(ok(m, row("id", 1, "at", "2026-03-01 09:00:00+0100")).timestamp()).isEqualTo(ten);
        assertThat(ok(m, row("id", 1, "at", "01.03.2026 10:00")).timestamp()).isEqualTo(ten);
        assertThat(ok(m, row("id", 1, "at", ten.getEpochSecond())).timestamp()).isEqualTo(ten);
        assertThat(ok(m, row("id", 1, "at", String.valueOf(ten.toEpochMilli()))).timestamp()).isEqualTo(ten);
        assertThat(problems(m, row("id", 1, "at", ""))).singleElement().asString()
                .contains("field 'at': is empty, and mapping.timestamp takes the event's time from it");
        assertThat(problems(m, row("id", 1, "at", "1 March"))).singleElement().asString()
                .contains("'1 March' is not a date-time", "mapping.timestamp-format");
    }

    @Test
    void anOptionalTimestampLeavesTheTimeToTheHub() {
        Mapping m = mapping("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.timestamp", "at?");
        assertThat(ok(m, row("id", 1)).timestamp()).isNull();
        assertThat(ok(m, row("id", 1, "at", null)).timestamp()).isNull();
    }

    @Test
    void messageIdsAreStableForTheSameValuesAndDifferOtherwise() {
        Record a = row("order_id", "1001", "customer_id", "C-7", "status", "ready", "total", "1", "updated_at", "2026-03-01T10:00:00Z");
        Record again = row("order_id", "1001", "customer_id", "C-7", "status", "ready", "total", "1", "updated_at", "2026-03-01T10:00:00Z");
        Record later = row("order_id", "1001", "customer_id", "C-7", "status", "ready", "total", "1", "updated_at", "2026-03-01T10:00:01Z");
        assertThat(ok(orders(), again).messageId()).isEqualTo(ok(orders(), a).messageId());
        assertThat(ok(orders(), later).messageId()).isNotEqualTo(ok(orders(), a).messageId());

        // Without mapping.message-id: a hash of the whole record
        Mapping hashed = mapping("mapping.event", "x", "mapping.identities.erp_id", "customer_id");
        String h = ok(hashed, a).messageId();
        assertThat(h).matches("erp:x:h[0-9a-f]{32}");
        assertThat(ok(hashed, again).messageId()).isEqualTo(h);
        assertThat(ok(hashed, later).messageId()).isNotEqualTo(h);

        // An empty key field would give ids that collide
        assertThat(problems(orders(), row("order_id", null, "customer_id", "C-7", "status", "new", "total", "1",
                "updated_at", "2026-03-01T10:00:00Z"))).singleElement().asString()
                .contains("field 'order_id': is empty, and mapping.message-id builds the event's id from it");
    }

    @Test
    void customersBecomeIdentifyEventsWithTraitsAndConsents() {
        Mapping m = mapping("mapping.type", "identify",
                "mapping.identities.erp_id", "customer_id", "mapping.identities.email", "email",
                "mapping.traits", List.of("name", "city?", "vip:boolean"),
                "mapping.consents", List.of("email.marketing=email_opt_in", "sms.marketing=sms_opt_in?"),
                "mapping.message-id", List.of("customer_id", "updated_at"));
        Event e = ok(m, row("customer_id", "C-7", "email", "ann@example.com", "name", "Ann", "vip", "0",
                "email_opt_in", "1", "updated_at", "2026-03-01T10:00:00Z"));
        assertThat(e.type()).isEqualTo("identify");
        assertThat(e.event()).isNull();
        assertThat(e.traits()).containsExactly(Map.entry("name", "Ann"), Map.entry("vip", false),
                Map.entry("consents", Map.of("email", Map.of("marketing", true))));
        assertThat(e.properties()).isEmpty();
        assertThat(e.messageId()).startsWith("erp:identify:C-7:");
        assertThat(problems(m, row("customer_id", "C-7", "email", "a@b.c", "name", "Ann", "vip", "1", "email_opt_in", "maybe",
                "updated_at", "x"))).singleElement().asString().contains("field 'email_opt_in': 'maybe' is not a boolean");
    }

    @Test
    void aTypeRuleSendsCustomersAndOrdersOfOneFeedToTheirEvents() {
        Mapping m = mapping("mapping.type", List.of("identify when kind = customer", "track"),
                "mapping.event", "order_created", "mapping.identities.erp_id", "customer_id",
                "mapping.properties", List.of("order_id?"), "mapping.traits", List.of("name?"));
        assertThat(ok(m, row("kind", "customer", "customer_id", 1, "name", "Ann")).type()).isEqualTo("identify");
        Event order = ok(m, row("kind", "order", "customer_id", 1, "order_id", 5));
        assertThat(order.type()).isEqualTo("track");
        assertThat(order.properties()).containsExactly(Map.entry("order_id", 5L));
    }

    @Test
    void aStarTakesEveryFieldAndExplicitEntriesRefineIt() {
        Mapping m = mapping("mapping.event", "x", "mapping.identities.erp_id", "id",
                "mapping.properties", List.of("*", "total:number"));
        assertThat(ok(m, row("id", 3, "total", "5", "note", "n")).properties())
                .containsExactly(Map.entry("id", 3L), Map.entry("total", new BigDecimal("5")), Map.entry("note", "n"));
    }

    @Test
    void fieldNamesAreFoundIgnoringCase() {
        Mapping m = mapping("mapping.event", "x", "mapping.identities.erp_id", "customer_id", "mapping.properties", "total");
        assertThat(ok(m, row("CUSTOMER_ID", 3, "Total", 5)).identities()).containsEntry("erp_id", "3");
    }

    @Test
    void theRequiredFieldsAreTheOnesNotMarkedOptional() {
        assertThat(orders().requiredFields()).containsExactlyInAnyOrder("status", "customer_id", "order_id", "total",
                "updated_at");
    }

    @Test
    void mistakesInTheMappingAreConfigurationProblemsNamingTheKey() {
        assertThat(mappingProblems("mapping.identities.erp_id", "id")).singleElement().asString()
                .startsWith("key 'mapping.event' is required when records become track events");
        assertThat(mappingProblems("mapping.event", "x")).singleElement().asString()
                .startsWith("no identity is mapped: set at least one of key 'mapping.identities.erp_id'");
        assertThat(mappingProblems("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.properties", "total:numbr"))
                .containsExactly("key 'mapping.properties': unknown type 'numbr' in 'total:numbr' (known: string, number, "
                        + "integer, boolean, timestamp, date)");
        assertThat(mappingProblems("mapping.event", List.of("a", "b when s = 1"), "mapping.identities.erp_id", "id"))
                .singleElement().asString().contains("rule 'b when s = 1' comes after 'a', which has no condition");
        assertThat(mappingProblems("mapping.event", "a when s ~ 1", "mapping.identities.erp_id", "id"))
                .singleElement().asString().contains("cannot read the condition 's ~ 1'");
        assertThat(mappingProblems("mapping.event", "a when", "mapping.identities.erp_id", "id")).isNotEmpty();
        assertThat(mappingProblems("mapping.type", "group", "mapping.identities.erp_id", "id"))
                .singleElement().asString().contains("must give one of [track, identify] or skip, not 'group'");
        assertThat(mappingProblems("mapping.event", "order_{status", "mapping.identities.erp_id", "id"))
                .singleElement().asString().contains("unbalanced");
        assertThat(mappingProblems("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.timezone", "Mars/Base"))
                .containsExactly("key 'mapping.timezone' must be a time zone such as UTC, Europe/Kyiv or +02:00, not 'Mars/Base'");
        assertThat(mappingProblems("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.timestamp-format", "dd.MM.yyyy HH:mm ppp{"))
                .singleElement().asString().startsWith("key 'mapping.timestamp-format' is not a date-time pattern");
        assertThat(mappingProblems("mapping.event", "x", "mapping.identities.other", "Loyalty Card=no"))
                .singleElement().asString().contains("must be type=field");
        assertThat(mappingProblems("mapping.event", "x", "mapping.identities.erp_id", "id",
                "mapping.identities.other", "erp_id=other_id")).singleElement().asString().contains("'erp_id' is mapped twice");
        assertThat(mappingProblems("mapping.type", "identify", "mapping.identities.erp_id", "id", "mapping.consents", "marketing=x"))
                .singleElement().asString().contains("must be channel.purpose=field");
        assertThat(mappingProblems("mapping.event", "x", "mapping.identities.erp_id", "id",
                "mapping.properties", List.of("total", "total=amount"))).singleElement().asString().contains("'total' is given twice");
        assertThat(mappingProblems("mapping.event", "x", "mapping.identities.erp_id", "customer id"))
                .singleElement().asString().contains("'customer id' is not a field name");
    }

    @Test
    void aVeryLongIdBecomesAHash() {
        Mapping m = mapping("mapping.event", "x", "mapping.identities.erp_id", "id", "mapping.message-id", "id");
        String id = ok(m, row("id", "k".repeat(600))).messageId();
        assertThat(id).matches("erp:[0-9a-f]{64}");
    }
}
