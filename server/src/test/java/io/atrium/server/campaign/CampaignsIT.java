package io.atrium.server.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.message.Templates;
import io.atrium.server.support.Fixtures;
import io.atrium.server.support.HubTestSupport;
import io.atrium.server.support.TestPlugins;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Campaigns end to end on the probe channels (Fixtures#probe: probe by e-mail, probe-chat by
 * viber_id, probe-text by phone): triggers, the cascade driven by delivery status, waits, goals,
 * the contact policy, stats, the per-person trace and the dry run.
 */
class CampaignsIT extends HubTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    EventIntake intake;
    @Autowired
    Templates templates;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    Journeys journeys;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    javax.sql.DataSource dataSource;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void probeChannels() throws Exception {
        if (!Files.exists(PLUGINS.resolve("probe-1.0.0.zip"))) {
            TestPlugins.install(Fixtures.probe(BUILD), PLUGINS, "probe-1.0.0.zip");
        }
        await().atMost(WAIT).until(() -> pluginFromFile("probe-1.0.0.zip") != null
                && "STARTED".equals(pluginFromFile("probe-1.0.0.zip").get("state")));
        for (String ch : List.of("probe", "probe-chat", "probe-text", "probe-staff")) {
            HttpResponse<String> r = post("/api/v1/templates", "{\"id\": \"" + ch + "-" + run + "\", \"channel\": \"" + ch
                    + "\", \"subject\": \"Your cart\", \"text\": \"Hello {{traits.first_name}}, your cart is waiting\", "
                    + "\"defaults\": {\"traits.first_name\": \"there\"}}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
    }

    private HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private long segment(String rule) {
        HttpResponse<String> r = post("/api/v1/segments", "{\"name\": \"seg-" + run + "-" + UUID.randomUUID() + "\", \"rule\": " + rule + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return readJson(r.body()).path("id").asLong();
    }

    private void create(String id, String body) {
        HttpResponse<String> r = post("/api/v1/campaigns", "{\"id\": \"" + id + "\", " + body.substring(1));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private void launch(String id) {
        HttpResponse<String> r = post("/api/v1/campaigns/" + id + "/launch", "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** A person with an e-mail, a viber id and a phone, consenting to marketing on all three probe channels. */
    private String person(String name, Map<String, Object> extraTraits) {
        String user = name + "-" + run;
        Event.Builder b = Event.identify().userId(user).messageId("id-" + user).trait("email", user + "@example.com")
                .trait("phone", "+38050" + String.format("%07d", Math.abs(user.hashCode()) % 10_000_000))
                .trait("first_name", name).trait("run", run)
                .trait("consents", Map.of("probe", Map.of("marketing", true), "probe-chat", Map.of("marketing", true),
                        "probe-text", Map.of("marketing", true)))
                .identity("viber_id", "viber-" + user);
        extraTraits.forEach(b::trait);
        intake.submit(List.of(b.build()));
        await().atMost(WAIT).until(() -> adminGet("/api/v1/profiles/user_id/" + user).statusCode() == 200);
        return user;
    }

    private JsonNode trace(String campaign, String user) {
        HttpResponse<String> r = adminGet("/api/v1/campaigns/" + campaign + "/trace?profile=user_id:" + user);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return readJson(r.body());
    }

    private List<String> log(String campaign, String user) {
        List<String> out = new ArrayList<>();
        trace(campaign, user).path("journeys").forEach(j -> j.path("log").forEach(l ->
                out.add(l.path("kind").asText() + (l.path("channel").isTextual() ? ":" + l.path("channel").asText() : ""))));
        return out;
    }

    private JsonNode message(String campaign, String user, String channel) {
        for (JsonNode m : trace(campaign, user).path("messages")) {
            if (m.path("channel").asText().equals(channel)) {
                return m;
            }
        }
        return null;
    }

    private void report(String channel, String messageId, String status, String reason) {
        HttpResponse<String> r = get("/probe/report?channel=" + channel + "&provider=p-" + messageId + "&status=" + status
                + (reason == null ? "" : "&reason=" + reason));
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void anInvalidCampaignIsRefusedWithThePathOfEveryProblem() {
        HttpResponse<String> r = post("/api/v1/campaigns", "{\"id\": \"bad-" + run + "\", \"name\": \"Bad\", "
                + "\"trigger\": {\"type\": \"sometimes\"}, \"steps\": [{\"id\": \"s\", \"type\": \"cascade\", \"channels\": ["
                + "{\"channel\": \"probe\", \"template\": \"nope-" + run + "\"}, {\"channel\": \"probe-text\", \"template\": \"probe-text-"
                + run + "\"}]}, {\"type\": \"branch\", \"if\": {\"lastMessage\": \"opened\"}, \"then\": \"nowhere\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("$.trigger.type", "unknown trigger 'sometimes'", "$.steps[0].channels[0].within",
                "branch target 'nowhere'");
    }

    @Test
    void theCascadeFallsBackFromEmailToViberToSmsByDeliveryStatus() {
        long seg = segment("{\"trait\": \"cascade_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        String id = "cart-" + run;
        create(id, "{\"name\": \"Abandoned cart\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"remind\", \"type\": \"cascade\", \"channels\": ["
                + "{\"channel\": \"probe\", \"template\": \"probe-" + run + "\", \"until\": \"opened\", \"within\": \"3s\"},"
                + "{\"channel\": \"probe-chat\", \"template\": \"probe-chat-" + run + "\", \"until\": \"opened\", \"within\": \"30s\"},"
                + "{\"channel\": \"probe-text\", \"template\": \"probe-text-" + run + "\"}]}]}");
        launch(id);
        String user = person("ann", Map.of("cascade_run", run));

        // E-mail first; nobody opens it within 3 s.
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).contains("sent:probe"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).contains("fell_back:probe", "sent:probe-chat"));
        // Viber says: not a Viber user. The fall back is at once, not after the 30 s.
        JsonNode viber = message(id, user, "probe-chat");
        report("probe-chat", viber.path("id").asText(), "failed", "not_a_user");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log(id, user)).contains("fell_back:probe-chat", "sent:probe-text"));
        JsonNode sms = message(id, user, "probe-text");
        report("probe-text", sms.path("id").asText(), "delivered", null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id, user, "probe-text").path("status").asText()).isEqualTo("delivered"));
        assertThat(log(id, user)).containsSubsequence("entered", "sent:probe", "fell_back:probe", "sent:probe-chat",
                "fell_back:probe-chat", "sent:probe-text", "exited");

        java.time.Instant asked = java.time.Instant.now();
        JsonNode stats = readJson(adminGet("/api/v1/campaigns/" + id + "/stats").body());
        assertThat(stats.path("journeys").path("entered").asInt()).isEqualTo(1);
        // A small campaign is counted for every call: the answer says when, and how long counting took.
        assertThat(java.time.Instant.parse(stats.path("asOf").asText())).isBetween(asked.minusSeconds(1), java.time.Instant.now());
        assertThat(stats.path("countedInMs").isIntegralNumber()).as(stats.toString()).isTrue();
        JsonNode remind = stats.path("steps").path("remind");
        assertThat(remind.path("probe").path("sent").asInt()).isEqualTo(1);
        assertThat(remind.path("probe").path("fellBack").asInt()).isEqualTo(1);
        assertThat(remind.path("probe-chat").path("failed").asInt()).isEqualTo(1);
        assertThat(remind.path("probe-text").path("delivered").asInt()).isEqualTo(1);
        // The person's history shows each step too.
        assertThat(adminGet("/api/v1/profiles/user_id/" + user + "/events?size=200").body())
                .contains("message_sent", "message_failed", "message_delivered", "segment_entered");
    }

    @Test
    void aDeliveryReportThatArrivesBeforeItsBatchIsWrittenMovesTheJourneyOnAtOnce() throws Exception {
        long seg = segment("{\"trait\": \"early_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        String id = "early-" + run;
        create(id, "{\"name\": \"Fast receipt\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"tell\", \"type\": \"cascade\", \"channels\": ["
                + "{\"channel\": \"probe\", \"template\": \"probe-" + run + "\", \"until\": \"delivered\", \"within\": \"1h\"},"
                + "{\"channel\": \"probe-text\", \"template\": \"probe-text-" + run + "\"}]}]}");
        launch(id);
        String user = person("ida", Map.of("early_run", run));
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id, user, "probe")).isNotNull());
        String email = message(id, user, "probe").path("id").asText();
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id, user, "probe").path("status").asText()).isEqualTo("sent"));
        long journey = jdbc.queryForObject("SELECT id FROM journeys WHERE campaign_id = ?", Long.class, id);

        // The journey as a worker holds it between its messages' commit and its own: the committed row does not name the
        // message yet, the new one (uncommitted) waits on it for an hour.
        jdbc.update("UPDATE journeys SET state = 'active', message_id = NULL, wake_at = now() + interval '1 hour' WHERE id = ?",
                journey);
        try (java.sql.Connection worker = dataSource.getConnection()) {
            worker.setAutoCommit(false);
            try (java.sql.PreparedStatement ps = worker.prepareStatement(
                    "UPDATE journeys SET state = 'waiting', message_id = ?, wake_at = now() + interval '1 hour' WHERE id = ?")) {
                ps.setString(1, email);
                ps.setLong(2, journey);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            // The provider's receipt comes now: the message is delivered; the journey it is about is not written yet.
            report("probe", email, "delivered", null);
            await().atMost(WAIT).untilAsserted(() -> assertThat(message(id, user, "probe").path("status").asText())
                    .isEqualTo("delivered"));
            assertThat(log(id, user)).doesNotContain("reached:probe");
            worker.commit();
        }
        // Once it is written, the receipt moves it on at once, not after the hour.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log(id, user)).contains("reached:probe", "exited"));
        assertThat(log(id, user)).doesNotContain("sent:probe-text");
    }

    @Test
    void aChannelWithoutAddressOrConsentIsSkippedAtOnce() {
        long seg = segment("{\"trait\": \"skip_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        String id = "skip-" + run;
        create(id, "{\"name\": \"Skip\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"remind\", \"type\": \"cascade\", \"channels\": ["
                + "{\"channel\": \"probe\", \"template\": \"probe-" + run + "\", \"until\": \"opened\", \"within\": \"1h\"},"
                + "{\"channel\": \"probe-text\", \"template\": \"probe-text-" + run + "\"}]}]}");
        launch(id);
        String user = person("bob", Map.of("skip_run", run, "consents", Map.of("probe", Map.of("marketing", false),
                "probe-text", Map.of("marketing", true))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).containsSubsequence("entered", "skipped:probe",
                "sent:probe-text", "exited"));
        assertThat(trace(id, user).toString()).contains("no_consent");
    }

    @Test
    void anEventStartsATransactionalJourneyOnceAndItsGoalConvertsIt() {
        String id = "order-" + run;
        create(id, "{\"name\": \"Order ready\", \"purpose\": \"transactional\", "
                + "\"trigger\": {\"type\": \"event\", \"event\": \"order_status_changed_" + run + "\", \"where\": {\"status\": \"ready\"}}, "
                + "\"goal\": {\"event\": \"order_picked_up_" + run + "\", \"within\": \"1d\"}, "
                + "\"steps\": [{\"id\": \"notify\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}, "
                + "{\"id\": \"pause\", \"type\": \"wait\", \"event\": \"never_" + run + "\", \"timeout\": \"1h\"}]}");
        launch(id);
        String user = person("cy", Map.of());
        intake.submit(List.of(Event.track("order_status_changed_" + run).userId(user).messageId("o1-" + run)
                .property("status", "packing").build()));
        intake.submit(List.of(Event.track("order_status_changed_" + run).userId(user).messageId("o2-" + run)
                .property("status", "ready").build()));
        intake.submit(List.of(Event.track("order_status_changed_" + run).userId(user).messageId("o3-" + run)
                .property("status", "ready").build()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).containsSubsequence("entered", "sent:probe", "waiting"));
        assertThat(trace(id, user).path("journeys")).hasSize(1);
        intake.submit(List.of(Event.track("order_picked_up_" + run).userId(user).messageId("o4-" + run).build()));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(log(id, user)).contains("converted");
            assertThat(readJson(adminGet("/api/v1/campaigns/" + id + "/stats").body()).path("journeys").path("converted").asInt())
                    .isEqualTo(1);
        });
    }

    @Test
    void quietHoursHoldAMarketingMessageAndACapSkipsIt() {
        long seg = segment("{\"trait\": \"policy_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        LocalTime now = LocalTime.now(ZoneOffset.UTC);
        String quiet = "quiet-" + run;
        create(quiet, "{\"name\": \"Quiet\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"policy\": {\"timeZone\": \"UTC\", \"quietHours\": {\"from\": \"" + now.minusHours(1).withSecond(0).withNano(0)
                + "\", \"to\": \"" + now.plusHours(1).withSecond(0).withNano(0) + "\"}}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
        String capped = "capped-" + run;
        create(capped, "{\"name\": \"Capped\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"policy\": {\"caps\": {\"total\": {\"max\": 0, \"per\": \"1d\"}}}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
        launch(quiet);
        launch(capped);
        String user = person("dee", Map.of("policy_run", run));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(log(quiet, user)).containsSubsequence("entered", "deferred:probe");
            assertThat(log(capped, user)).containsSubsequence("entered", "skipped:probe", "exited");
        });
        assertThat(trace(quiet, user).path("messages")).isEmpty();
        assertThat(trace(quiet, user).toString()).contains("quiet hours");
        assertThat(trace(capped, user).toString()).contains("frequency cap");
    }

    @Test
    void aDryRunCountsWhoWouldGetWhatAndABroadcastReachesTheAudience() {
        String a = person("eve", Map.of("bc_run", run));
        String b = person("fay", Map.of("bc_run", run, "consents", Map.of("probe", Map.of("marketing", false),
                "probe-chat", Map.of("marketing", false), "probe-text", Map.of("marketing", true))));
        long seg = segment("{\"trait\": \"bc_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(readJson(adminGet("/api/v1/segments/" + seg + "/members").body())
                .path("total").asInt()).isEqualTo(2));
        String id = "bc-" + run;
        create(id, "{\"name\": \"Newsletter\", \"trigger\": {\"type\": \"broadcast\"}, \"audience\": {\"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"news\", \"type\": \"cascade\", \"channels\": ["
                + "{\"channel\": \"probe\", \"template\": \"probe-" + run + "\", \"within\": \"1h\"},"
                + "{\"channel\": \"probe-text\", \"template\": \"probe-text-" + run + "\"}]}]}");
        HttpResponse<String> dry = post("/api/v1/campaigns/" + id + "/dry-run", "");
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        JsonNode d = readJson(dry.body());
        assertThat(d.path("audience").asInt()).isEqualTo(2);
        assertThat(d.path("steps").get(0).path("wouldReach").path("probe").asInt()).isEqualTo(1);
        assertThat(d.path("steps").get(0).path("wouldReach").path("probe-text").asInt()).isEqualTo(1);
        assertThat(d.path("steps").get(0).path("skipped").path("probe: no consent").asInt()).isEqualTo(1);
        assertThat(trace(id, a).path("messages")).isEmpty();

        HttpResponse<String> launched = post("/api/v1/campaigns/" + id + "/launch", "");
        assertThat(readJson(launched.body()).path("entered").asInt()).isEqualTo(2);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(log(id, a)).contains("sent:probe");
            assertThat(log(id, b)).containsSubsequence("skipped:probe", "sent:probe-text");
        });
        // The trace begins with why and when the person entered, and ends with how the journey ended.
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode lines = trace(id, b).path("journeys").get(0).path("log");
            assertThat(lines.get(0).path("kind").asText()).isEqualTo("entered");
            assertThat(lines.get(0).path("detail").asText()).startsWith("broadcast launch-");
            assertThat(lines.get(0).path("at").asText()).isNotEmpty();
            JsonNode last = lines.get(lines.size() - 1);
            assertThat(last.path("kind").asText()).as(lines.toString()).isEqualTo("exited");
            assertThat(last.path("detail").asText()).isEqualTo("completed");
        });
        // The person's export holds the journey with its trace, and what was sent with its every status.
        JsonNode export = readJson(adminGet("/api/v1/profiles/user_id/" + b + "/export").body());
        JsonNode journey = export.path("journeys").get(0);
        assertThat(journey.path("campaignId").asText()).as(export.toString()).isEqualTo(id);
        assertThat(journey.path("state").asText()).isEqualTo("done");
        assertThat(journey.path("log").get(0).path("kind").asText()).isEqualTo("entered");
        JsonNode sentText = null;
        for (JsonNode m : export.path("messages")) {
            if (m.path("channel").asText().equals("probe-text")) {
                sentText = m;
            }
        }
        assertThat(sentText).as(export.path("messages").toString()).isNotNull();
        assertThat(sentText.path("campaignId").asText()).isEqualTo(id);
        assertThat(sentText.path("text").asText()).isNotBlank();
        assertThat(sentText.path("history").get(0).path("status").asText()).isEqualTo("queued");
        // Launching again does not send twice: everyone is in already.
        assertThat(readJson(post("/api/v1/campaigns/" + id + "/launch", "").body()).path("entered").asInt()).isZero();

        // Deleting the campaign deletes its journeys and every line of their trace.
        assertThat(jdbc.queryForObject("SELECT count(*) FROM journey_log WHERE campaign_id = ?", Long.class, id)).isPositive();
        HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("/api/v1/campaigns/" + id))
                .header("Authorization", "Bearer " + TOKEN).DELETE().build());
        assertThat(deleted.statusCode()).as(deleted.body()).isIn(200, 204);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM journeys WHERE campaign_id = ?", Long.class, id)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM journey_log WHERE campaign_id = ?", Long.class, id)).isZero();
    }

    /** A segment row as a node leaves it that stopped before its background computation ran: no members stored. */
    private long uncomputedSegment(String rule) {
        return jdbc.queryForObject("INSERT INTO segments (name, rule) VALUES (?, ?::jsonb) RETURNING id", Long.class,
                "uncomputed-" + run + "-" + UUID.randomUUID(), rule);
    }

    /** A broadcast to {@code segment} that sends one probe message. */
    private void createBroadcast(String id, long segment) {
        create(id, "{\"name\": \"" + id + "\", \"trigger\": {\"type\": \"broadcast\"}, \"audience\": {\"segment\": " + segment + "}, "
                + "\"steps\": [{\"id\": \"news\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
    }

    @Test
    void aBroadcastOrDryRunToASegmentNotComputedYetReachesEveryoneItsRuleHolds() {
        person("gil", Map.of("fresh_run", run));
        person("hal", Map.of("fresh_run", run));
        String rule = "{\"trait\": \"fresh_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}";
        long seg = uncomputedSegment(rule);
        JsonNode before = readJson(adminGet("/api/v1/segments/" + seg).body());
        assertThat(before.path("computedAt").isNull()).as(before.toString()).isTrue();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM segment_members WHERE segment_id = ?", Long.class, seg)).isZero();

        String id = "fresh-" + run;
        createBroadcast(id, seg);
        HttpResponse<String> launched = post("/api/v1/campaigns/" + id + "/launch", "");
        assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
        assertThat(readJson(launched.body()).path("entered").asInt()).as(launched.body()).isEqualTo(2);
        JsonNode after = readJson(adminGet("/api/v1/segments/" + seg).body());
        assertThat(after.path("computedAt").asText()).as(after.toString()).isNotEmpty();

        long other = uncomputedSegment(rule);
        String dryId = "fresh-dry-" + run;
        createBroadcast(dryId, other);
        HttpResponse<String> dry = post("/api/v1/campaigns/" + dryId + "/dry-run", "");
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        assertThat(readJson(dry.body()).path("audience").asInt()).as(dry.body()).isEqualTo(2);
    }

    @Test
    void aFinishedJourneyThatIsWokenAgainStaysFinished() {
        long seg = segment("{\"trait\": \"done_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        String id = "done-" + run;
        create(id, "{\"name\": \"Once\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
        launch(id);
        String user = person("kim", Map.of("done_run", run));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).containsSubsequence("entered", "sent:probe", "exited"));
        String endedAt = trace(id, user).path("journeys").get(0).path("endedAt").asText();
        // What a status report that wakes the journey while the engine ends it leaves behind: a finished journey that is due.
        assertThat(jdbc.update("UPDATE journeys SET wake_at = now() WHERE campaign_id = ?", id)).isEqualTo(1);
        await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM journeys WHERE campaign_id = ? AND wake_at IS NULL",
                Long.class, id) == 1);
        assertThat(log(id, user)).containsExactly("entered", "sent:probe", "exited");
        assertThat(trace(id, user).path("journeys").get(0).path("endedAt").asText()).isEqualTo(endedAt);
    }

    @Test
    void aPausedCampaignStartsNobody() {
        long seg = segment("{\"trait\": \"pause_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        String id = "paused-" + run;
        create(id, "{\"name\": \"Paused\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
        launch(id);
        assertThat(post("/api/v1/campaigns/" + id + "/pause", "").statusCode()).isEqualTo(200);
        String user = person("gus", Map.of("pause_run", run));
        await().atMost(WAIT).untilAsserted(() -> assertThat(readJson(adminGet("/api/v1/profiles/user_id/" + user).body())
                .path("segments").toString()).contains("seg-" + run));
        assertThat(trace(id, user).path("journeys")).isEmpty();
    }

    @Test
    void aCampaignIsStorableAsYaml() {
        String id = "yaml-" + run;
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/campaigns")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString("""
                        id: %s
                        name: From a file
                        trigger: {type: event, event: signed_up}
                        steps:
                          - {id: welcome, type: send, channel: probe, template: probe-%s}
                        """.formatted(id, run))).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        HttpResponse<String> yaml = adminGet("/api/v1/campaigns/" + id + "?format=yaml");
        assertThat(yaml.body()).contains("name: \"From a file\"", "template: \"probe-" + run + "\"");
    }

    @Test
    void aScheduledRunReachesTheAudienceAtItsTimeInItsZone() {
        person("hal", Map.of("sched_run", run));
        long seg = segment("{\"trait\": \"sched_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(readJson(adminGet("/api/v1/segments/" + seg + "/members").body())
                .path("total").asInt()).isEqualTo(1));
        java.time.LocalDateTime at = java.time.LocalDateTime.now(java.time.ZoneId.of("Asia/Tokyo")).plusSeconds(3).withNano(0);
        String id = "sched-" + run;
        create(id, "{\"name\": \"Scheduled\", \"trigger\": {\"type\": \"schedule\", \"at\": \"" + at + "\", "
                + "\"timeZone\": \"Asia/Tokyo\"}, \"audience\": {\"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
        HttpResponse<String> launched = post("/api/v1/campaigns/" + id + "/launch", "");
        assertThat(readJson(launched.body()).path("campaign").path("nextRunAt").asText())
                .isEqualTo(at.atZone(java.time.ZoneId.of("Asia/Tokyo")).toInstant().toString());
        assertThat(trace(id, "hal-" + run).path("journeys")).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, "hal-" + run)).containsSubsequence("entered", "sent:probe"));
    }

    @Test
    void aBranchFollowsTheLastMessagesStatusAfterAWait() {
        long seg = segment("{\"trait\": \"branch_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        String id = "branch-" + run;
        create(id, "{\"name\": \"Follow-up\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}, "
                + "{\"id\": \"pause\", \"type\": \"wait\", \"duration\": \"2s\"}, "
                + "{\"id\": \"opened?\", \"type\": \"branch\", \"if\": {\"lastMessage\": \"opened\"}, \"then\": \"next\", \"else\": \"exit\"}, "
                + "{\"id\": \"thanks\", \"type\": \"send\", \"channel\": \"probe-text\", \"template\": \"probe-text-" + run + "\"}]}");
        launch(id);
        String opener = person("ida", Map.of("branch_run", run));
        String ignorer = person("jo", Map.of("branch_run", run));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(log(id, opener)).contains("sent:probe");
            assertThat(log(id, ignorer)).contains("sent:probe");
        });
        assertThat(get("/t/o/" + message(id, opener, "probe").path("id").asText() + ".gif").statusCode()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(log(id, opener)).containsSubsequence("sent:probe", "waiting", "wait_over", "branch", "sent:probe-text", "exited");
            assertThat(log(id, ignorer)).containsSubsequence("sent:probe", "waiting", "wait_over", "branch", "exited");
        });
        assertThat(log(id, ignorer)).doesNotContain("sent:probe-text");
    }

    @Test
    void aStaffTaskNeedsNoConsentOfTheCustomerAndCarriesNoUnsubscribeLink() {
        long seg = segment("{\"trait\": \"staff_run\", \"op\": \"eq\", \"value\": \"" + run + "\"}");
        String id = "staff-" + run;
        create(id, "{\"name\": \"Call back\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"policy\": {\"caps\": {\"total\": {\"max\": 0, \"per\": \"1d\"}}}, "
                + "\"steps\": [{\"id\": \"task\", \"type\": \"send\", \"channel\": \"probe-staff\", \"template\": \"probe-staff-" + run + "\"}]}");
        launch(id);
        String user = person("kim", Map.of("staff_run", run, "consents", Map.of("probe-staff", Map.of("marketing", false))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).containsSubsequence("entered", "sent:probe-staff", "exited"));
        JsonNode m = message(id, user, "probe-staff");
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id, user, "probe-staff").path("status").asText()).isEqualTo("sent"));
        assertThat(m.path("reason").isNull() || m.path("reason").isMissingNode()).isTrue();
    }

    @Test
    void aGoalReachedWhileTheEngineAdvancesTheJourneyIsNotWrittenOver() throws Exception {
        String id = "race-" + run;
        create(id, "{\"name\": \"Race\", \"trigger\": {\"type\": \"event\", \"event\": \"never_" + run + "\"}, "
                + "\"goal\": {\"event\": \"bought_" + run + "\", \"within\": \"1d\"}, "
                + "\"steps\": [{\"id\": \"pause\", \"type\": \"wait\", \"duration\": \"1h\"}, "
                + "{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
        launch(id);
        long profile = jdbc.queryForObject("INSERT INTO profiles DEFAULT VALUES RETURNING id", Long.class);
        long journeyId = journeys.start(id, profile, String.valueOf(profile), null, "test entry");
        await().atMost(WAIT).until(() -> "waiting".equals(journeys.ofProfile(id, profile).get(0).state()));

        // A worker takes the journey (its hour is up) and moves it on; before it writes the journey back, the goal event lands.
        CompletableFuture<List<Long>> conversion = new CompletableFuture<>();
        tx.executeWithoutResult(status -> {
            jdbc.update("UPDATE journeys SET wake_at = now(), wait_until = now() WHERE id = ?", journeyId);
            Journeys.Journey j = journeys.claimDue(1000).stream().filter(x -> x.id() == journeyId).findFirst().orElseThrow();
            CompletableFuture.runAsync(() -> {
                try {
                    conversion.complete(journeys.convert(id, profile, java.time.Instant.now(), Duration.ofDays(1), "bought_" + run));
                } catch (RuntimeException e) {
                    conversion.completeExceptionally(e);
                }
            });
            // The conversion waits for the worker's batch to be written.
            await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND query LIKE 'UPDATE journeys SET state = ''done'', end_reason = ''converted''%'", Long.class) == 1);
            assertThat(conversion).isNotDone();
            j.step = 1;
            j.state = "waiting";
            j.waitUntil = null;
            j.wakeAt = java.time.Instant.now().plus(Duration.ofMinutes(5)); // e.g. deferred by quiet hours
            journeys.saveAll(List.of(j));
        });
        assertThat(conversion.get(30, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(journeyId);
        Journeys.Journey after = journeys.ofProfile(id, profile).get(0);
        assertThat(after.state()).isEqualTo("done");
        assertThat(after.endReason()).isEqualTo("converted");
        assertThat(after.convertedAt()).isNotNull();
        assertThat(after.wakeAt()).isNull();
        // a converted journey ends with its conversion, not a second "exited"
        assertThat(journeys.trace(after)).extracting(Journeys.LogLine::kind).endsWith("converted").doesNotContain("exited");
        assertThat(readJson(adminGet("/api/v1/campaigns/" + id + "/stats").body()).path("journeys").path("converted").asInt())
                .isEqualTo(1);

        // A save that comes after the conversion (a worker whose locks were lost) does not undo it either.
        after.state = "active";
        after.wakeAt = java.time.Instant.now();
        journeys.saveAll(List.of(after));
        assertThat(journeys.ofProfile(id, profile).get(0).endReason()).isEqualTo("converted");
        assertThat(journeys.ofProfile(id, profile).get(0).wakeAt()).isNull();
    }

    @Test
    void aSegmentTriggeredMessageShowsTheEventThatMadeThePersonEnter() {
        HttpResponse<String> t = post("/api/v1/templates", "{\"id\": \"cart-" + run + "\", \"channel\": \"probe\", "
                + "\"subject\": \"Your cart\", \"text\": \"Hello {{traits.first_name}}, the {{event.product}} "
                + "({{event.price}}) is still in your cart\"}");
        assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
        long seg = segment("{\"event\": \"added_to_cart_" + run + "\", \"within\": \"1h\"}");
        String id = "cart-event-" + run;
        create(id, "{\"name\": \"Cart\", \"trigger\": {\"type\": \"segment_entered\", \"segment\": " + seg + "}, "
                + "\"steps\": [{\"id\": \"remind\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"cart-" + run + "\"}]}");
        launch(id);
        String user = person("lea", Map.of());
        intake.submit(List.of(Event.track("viewed_" + run).userId(user).messageId("v1-" + run).property("product", "Blue hat").build()));
        intake.submit(List.of(Event.track("added_to_cart_" + run).userId(user).messageId("a1-" + run)
                .property("product", "Red shoes").property("price", 59.9).build()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).containsSubsequence("entered", "sent:probe", "exited"));
        String messageId = message(id, user, "probe").path("id").asText();
        JsonNode m = readJson(adminGet("/api/v1/messages/" + messageId).body());
        assertThat(m.path("text").asText()).isEqualTo("Hello lea, the Red shoes (59.9) is still in your cart");
    }

    private long waitingFor(String queryStart) {
        return jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND starts_with(query, ?)",
                Long.class, queryStart);
    }

    private long leftOf(long profile) {
        return jdbc.queryForObject("SELECT (SELECT count(*) FROM journeys WHERE profile_id = ?) "
                + "+ (SELECT count(*) FROM journey_log WHERE profile_id = ?) + (SELECT count(*) FROM messages WHERE profile_id = ?)",
                Long.class, profile, profile, profile);
    }

    @Test
    void aJourneyStartedForAProfileJustMergedAwayFollowsThePersonAndNeverDoublesTheirJourney() {
        String id = "merge-" + run;
        create(id, "{\"name\": \"Merge\", \"trigger\": {\"type\": \"event\", \"event\": \"never_" + run + "\"}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"probe\", \"template\": \"probe-" + run + "\"}]}");
        launch(id);
        String user = person("mia", Map.of());
        long known = readJson(adminGet("/api/v1/profiles/user_id/" + user).body()).path("id").asLong();
        String anon = "anon-mia-" + run;
        intake.submit(List.of(Event.ofType("page").name("Home").anonymousId(anon).messageId("page-" + anon).build()));
        await().atMost(WAIT).until(() -> adminGet("/api/v1/profiles/anonymous_id/" + anon).statusCode() == 200);
        long visitor = readJson(adminGet("/api/v1/profiles/anonymous_id/" + anon).body()).path("id").asLong();
        assertThat(visitor).isNotEqualTo(known);
        intake.submit(List.of(Event.track("Signed In").userId(user).anonymousId(anon).messageId("signin-" + anon).build()));
        await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM profiles WHERE id IN (?, ?)", Long.class,
                known, visitor) == 1);
        long kept = jdbc.queryForObject("SELECT id FROM profiles WHERE id IN (?, ?)", Long.class, known, visitor);
        long gone = kept == known ? visitor : known;

        // What a start that read the person just before the merge committed (or a broadcast from a membership the segment
        // stage had not dropped yet) leaves: a journey of the merged-away profile.
        jdbc.update("INSERT INTO journeys (campaign_id, profile_id, entry_key, state, wake_at, entry_detail) "
                + "VALUES (?, ?, ?, 'active', now(), 'test entry')", id, gone, String.valueOf(gone));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log(id, user)).containsSubsequence("entered", "merged", "sent:probe", "exited"));
        JsonNode journey = trace(id, user).path("journeys").get(0);
        assertThat(journey.path("log").findValuesAsText("detail")).contains("profile " + gone + " was merged into " + kept);
        JsonNode sent = message(id, user, "probe");
        assertThat(sent.path("address").asText()).isEqualTo(user + "@example.com");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM journeys WHERE campaign_id = ? AND profile_id = ? AND entry_key = ?",
                Long.class, id, kept, String.valueOf(kept))).isEqualTo(1);

        // A second one, while the person has a journey in the campaign already: deleted, as the merge deletes the
        // merged-away profile's journey then; nothing more is sent.
        jdbc.update("INSERT INTO journeys (campaign_id, profile_id, entry_key, state, wake_at, entry_detail) "
                + "VALUES (?, ?, ?, 'active', now(), 'test entry')", id, gone, gone + ":again");
        await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM journeys WHERE campaign_id = ? AND profile_id = ?",
                Long.class, id, gone) == 0);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM journeys WHERE campaign_id = ?", Long.class, id)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM messages WHERE campaign_id = ?", Long.class, id)).isEqualTo(1);
    }

    @Test
    void anErasureThatRacesAJourneyStartLeavesNothingOfThePerson() throws Exception {
        String id = "erase-" + run;
        create(id, "{\"name\": \"Erase\", \"trigger\": {\"type\": \"event\", \"event\": \"never_" + run + "\"}, "
                + "\"steps\": [{\"id\": \"pause\", \"type\": \"wait\", \"duration\": \"1h\"}]}");
        launch(id);
        String user = person("erin", Map.of());
        long profile = readJson(adminGet("/api/v1/profiles/user_id/" + user).body()).path("id").asLong();

        CompletableFuture<Long> start;
        CompletableFuture<HttpResponse<String>> erase;
        try (java.sql.Connection c = dataSource.getConnection()) {
            // The start stops half-way, its journey written and not committed: its insert waits for the campaign's row.
            c.setAutoCommit(false);
            try (java.sql.Statement st = c.createStatement()) {
                st.executeQuery("SELECT id FROM campaigns WHERE id = '" + id + "' FOR UPDATE").close();
            }
            start = CompletableFuture.supplyAsync(() -> journeys.start(id, profile, String.valueOf(profile), null, "test entry"));
            await().atMost(WAIT).until(() -> waitingFor("INSERT INTO journeys") == 1);
            // The person is erased meanwhile: the erasure waits for the start (it used to go through, and the start then
            // committed a journey for nobody).
            erase = CompletableFuture.supplyAsync(() -> send(HttpRequest.newBuilder(uri("/api/v1/profiles/user_id/" + user))
                    .header("Authorization", "Bearer " + TOKEN).DELETE().build()));
            await().atMost(WAIT).until(() -> erase.isDone() || waitingFor("SELECT pg_advisory_xact_lock(") == 1);
            c.rollback();
        }
        assertThat(start.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("the journey started before the erasure").isNotNull();
        assertThat(erase.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        assertThat(leftOf(profile)).as("journeys, trace lines and messages of the erased person").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM journeys WHERE campaign_id = ?", Long.class, id)).isZero();

        // A trigger that comes after the erasure (a segment entry, an event still on its way) starts nothing.
        assertThat(journeys.start(id, profile, profile + ":late", null, "late entry")).isNull();
        assertThat(leftOf(profile)).isZero();
    }
}
