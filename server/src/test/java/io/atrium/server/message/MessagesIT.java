package io.atrium.server.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.server.broker.Queues;
import io.atrium.server.config.DataDirectory;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.Fixtures;
import io.atrium.server.support.HubTestSupport;
import io.atrium.server.support.TestPlugins;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;

/**
 * Outbound messages end to end through a real channel plugin ({@link Fixtures#probe}): consent,
 * templates, the message record and its status history, provider feedback, the hub's open, click
 * and unsubscribe links, retries, and the never-twice guarantee.
 */
class MessagesIT extends HubTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    EventIntake intake;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JmsTemplate jms;
    @Autowired
    DataDirectory data;
    @Autowired
    Templates templates;
    @Autowired
    MessageStore store;
    @Autowired
    Messages messages;
    @Autowired
    OutboundSweeper sweeper;
    @Autowired
    javax.sql.DataSource dataSource;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void probeChannel() throws Exception {
        if (Files.exists(PLUGINS.resolve("probe-1.0.0.zip"))) {
            return;
        }
        TestPlugins.install(Fixtures.probe(BUILD), PLUGINS, "probe-1.0.0.zip");
        await().atMost(WAIT).until(() -> pluginFromFile("probe-1.0.0.zip") != null
                && "STARTED".equals(pluginFromFile("probe-1.0.0.zip").get("state")));
    }

    /** A person with an e-mail address, a first name and (when {@code marketing}) consent to marketing on probe. */
    private String person(String local, boolean marketing) {
        String user = local + "-" + run;
        Event.Builder b = Event.identify().userId(user).messageId("id-" + user).trait("email", local + "-" + run + "@example.com")
                .trait("first_name", "Ann");
        if (marketing) {
            b.trait("consents", Map.of("probe", Map.of("marketing", true)));
        }
        intake.submit(List.of(b.build()));
        await().atMost(WAIT).until(() -> adminGet("/api/v1/profiles/user_id/" + user).statusCode() == 200);
        templates.refreshKnownTraits();
        return user;
    }

    private HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private JsonNode message(String id) {
        HttpResponse<String> r = adminGet("/api/v1/messages/" + id);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return readJson(r.body());
    }

    private List<String> history(String id) {
        List<String> out = new ArrayList<>();
        message(id).path("history").forEach(h -> out.add(h.path("status").asText()));
        return out;
    }

    private List<String> sends(String id) throws IOException {
        Path f = data.dir("plugin-data").resolve("probe").resolve("sent").resolve(id);
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private List<String> profileEvents(String user) {
        List<String> out = new ArrayList<>();
        HttpResponse<String> r = adminGet("/api/v1/profiles/user_id/" + user + "/events?size=200");
        readJson(r.body()).path("events").forEach(e -> out.add(e.path("event").asText("")));
        return out;
    }

    private String sendTo(String user, String purpose, String extra) {
        HttpResponse<String> r = post("/api/v1/messages", "{\"profile\": {\"idType\": \"user_id\", \"idValue\": \"" + user + "\"}, "
                + "\"channel\": \"probe\", \"purpose\": \"" + purpose + "\", " + extra + "}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
        return readJson(r.body()).path("id").asText();
    }

    @Test
    void aTemplatedMessageIsSentOnceAndItsDeliveryOpenAndClickReachTheProfile() throws Exception {
        String user = person("ann", true);
        HttpResponse<String> created = post("/api/v1/templates", "{\"id\": \"welcome-" + run + "\", \"channel\": \"probe\", "
                + "\"subject\": \"Hi {{traits.first_name}}\", \"text\": \"Hello {{traits.first_name}}, your code is {{data.code}}\", "
                + "\"html\": \"<html><body><p>Hello {{traits.first_name}}</p><a href=\\\"https://shop.example.com/cart?x=1\\\">cart</a>"
                + "</body></html>\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        String id = sendTo(user, "marketing", "\"template\": \"welcome-" + run + "\", \"data\": {\"code\": \"A-17\"}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id).path("status").asText()).isEqualTo("sent"));
        List<String> sent = sends(id);
        assertThat(sent).hasSize(1);
        String[] parts = sent.get(0).split("\\|");
        assertThat(parts[0]).isEqualTo("ann-" + run + "@example.com");
        assertThat(parts[1]).isEqualTo("Hi Ann");
        assertThat(parts[2]).isEqualTo("Hello Ann, your code is A-17");
        assertThat(parts[3]).contains("/t/c/" + id + "/0", "/t/o/" + id + ".gif").doesNotContain("shop.example.com");
        assertThat(parts[4]).endsWith("/t/u/" + id);
        assertThat(message(id).path("providerMessageId").asText()).isEqualTo("p-" + id);

        // The provider reports delivery by its own id.
        assertThat(get("/probe/report?provider=p-" + id + "&status=delivered").statusCode()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id).path("status").asText()).isEqualTo("delivered"));

        // The person opens it and follows the link.
        HttpResponse<String> pixel = get("/t/o/" + id + ".gif");
        assertThat(pixel.statusCode()).isEqualTo(200);
        assertThat(pixel.headers().firstValue("Content-Type")).hasValue("image/gif");
        HttpResponse<String> click = get("/t/c/" + id + "/0");
        assertThat(click.statusCode()).isEqualTo(302);
        assertThat(click.headers().firstValue("Location")).hasValue("https://shop.example.com/cart?x=1");
        assertThat(get("/t/c/" + id + "/7").statusCode()).isEqualTo(404);
        assertThat(message(id).path("status").asText()).isEqualTo("clicked");
        assertThat(history(id)).containsExactly("queued", "sent", "delivered", "opened", "clicked");

        // Each status is an event on the person's profile, for segments and campaigns.
        await().atMost(WAIT).untilAsserted(() -> assertThat(profileEvents(user))
                .contains("message_sent", "message_delivered", "message_opened", "message_clicked"));

        HttpResponse<String> list = adminGet("/api/v1/messages?profile=user_id:" + user);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(readJson(list.body()).path("messages").get(0).path("id").asText()).isEqualTo(id);
        // The list reads every message's history in one query: the same history as the message's own.
        assertThat(readJson(list.body()).path("messages").get(0).path("history")).isEqualTo(message(id).path("history"));
        assertThat(readJson(list.body()).path("messages").get(0).path("history").findValuesAsText("status"))
                .containsExactly("queued", "sent", "delivered", "opened", "clicked");
    }

    @Test
    void noMessageGoesOutWithoutConsentOrAddressAndTheReasonIsRecorded() throws Exception {
        String user = person("bob", false);
        String marketing = sendTo(user, "marketing", "\"text\": \"Sale!\"");
        JsonNode m = message(marketing);
        assertThat(m.path("status").asText()).isEqualTo("failed");
        assertThat(m.path("reason").asText()).isEqualTo("no_consent");
        assertThat(m.path("detail").asText()).contains("not consented to marketing on probe");

        // Transactional messages need no marketing consent.
        String order = sendTo(user, "transactional", "\"text\": \"Your order shipped\"");
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(order).path("status").asText()).isEqualTo("sent"));
        assertThat(sends(marketing)).isEmpty();

        // Someone with no e-mail address: recorded, not sent.
        String nobody = "nomail-" + run;
        intake.submit(List.of(Event.identify().userId(nobody).messageId("id-" + nobody).trait("first_name", "Zed").build()));
        await().atMost(WAIT).until(() -> adminGet("/api/v1/profiles/user_id/" + nobody).statusCode() == 200);
        JsonNode none = message(sendTo(nobody, "transactional", "\"text\": \"Hi\""));
        assertThat(none.path("reason").asText()).isEqualTo("no_address");
    }

    @Test
    void aMessageRequestedWhileThePersonIsErasedIsNeitherRecordedNorSent() throws Exception {
        String user = person("erin", false);
        long profile = jdbc.queryForObject("SELECT profile_id FROM identities WHERE type = 'user_id' AND value = ?", Long.class, user);
        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer;
        // An erasure under way (ProfileAdmin.erase takes this lock first): the request, past its look-up of the person,
        // waits for it before it records anything.
        try (java.sql.Connection erasure = dataSource.getConnection()) {
            erasure.setAutoCommit(false);
            try (var st = erasure.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(hashtext('atrium.profile-erasure'))");
            }
            answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> post("/api/v1/messages",
                    "{\"profile\": {\"idType\": \"user_id\", \"idValue\": \"" + user + "\"}, \"channel\": \"probe\", "
                            + "\"purpose\": \"transactional\", \"text\": \"Your order shipped\"}"));
            await().atMost(WAIT).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", Long.class) > 0);
            try (var st = erasure.createStatement()) {
                for (String table : List.of("identities", "traits", "consents", "events")) {
                    st.executeUpdate("DELETE FROM " + table + " WHERE profile_id = " + profile);
                }
                st.executeUpdate("DELETE FROM profiles WHERE id = " + profile);
            }
            erasure.commit();
        }
        HttpResponse<String> r = answer.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(readJson(r.body()).path("detail").asText()).contains("erased");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM messages WHERE profile_id = ?", Long.class, profile)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM messages WHERE address = ?", Long.class, "erin-" + run + "@example.com"))
                .isZero();
    }

    @Test
    void aReplyStopOptsThePersonOutOfTheChannelEvenForTransactionalMessages() {
        String user = person("carol", true);
        String address = "carol-" + run + "@example.com";
        assertThat(get("/probe/inbound?from=" + address + "&text=stop").statusCode()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode p = readJson(adminGet("/api/v1/profiles/user_id/" + user).body());
            assertThat(p.path("consents").path("probe").path("all").path("granted").asBoolean(true)).isFalse();
        });
        assertThat(profileEvents(user)).contains("message_received", "consent_changed");
        JsonNode m = message(sendTo(user, "transactional", "\"text\": \"Your order shipped\""));
        assertThat(m.path("status").asText()).isEqualTo("failed");
        assertThat(m.path("detail").asText()).contains("opted out of probe");
    }

    @Test
    void theUnsubscribeLinkAsksFirstThenOptsOut() {
        String user = person("dan", true);
        String id = sendTo(user, "marketing", "\"text\": \"News\"");
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id).path("status").asText()).isEqualTo("sent"));
        HttpResponse<String> page = get("/t/u/" + id);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\"", "dan-" + run + "@example.com");
        assertThat(history(id)).doesNotContain("unsubscribed");
        HttpResponse<String> done = send(HttpRequest.newBuilder(uri("/t/u/" + id)).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("Unsubscribed");
        assertThat(history(id)).contains("unsubscribed");
        await().atMost(WAIT).untilAsserted(() -> {
            String next = sendTo(user, "marketing", "\"text\": \"More news\"");
            assertThat(message(next).path("reason").asText()).isEqualTo("no_consent");
        });
    }

    @Test
    void transientFailuresAreRetriedPermanentOnesAreFinal() throws Exception {
        String flaky = person("flaky", true);
        String bounce = person("bounce", true);
        String a = sendTo(flaky, "marketing", "\"text\": \"one\"");
        String b = sendTo(bounce, "marketing", "\"text\": \"two\"");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(message(a).path("status").asText()).isEqualTo("sent");
            assertThat(message(b).path("status").asText()).isEqualTo("failed");
        });
        assertThat(message(a).path("attempts").asInt()).isEqualTo(3);
        assertThat(sends(a)).hasSize(1);
        assertThat(message(b).path("reason").asText()).isEqualTo("invalid_address");
        assertThat(message(b).path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aMessageIsNeverSentTwice() throws Exception {
        String user = person("eve", true);
        // The same dedupe key twice is one message.
        String first = sendTo(user, "transactional", "\"text\": \"Order 1 ready\", \"dedupeKey\": \"order-1-" + run + "\"");
        String again = sendTo(user, "transactional", "\"text\": \"Order 1 ready\", \"dedupeKey\": \"order-1-" + run + "\"");
        assertThat(again).isEqualTo(first);
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(first).path("status").asText()).isEqualTo("sent"));
        // Its id queued a second time (a redelivery) sends nothing more.
        jms.convertAndSend(Queues.outbound("probe"), first);
        // A message the hub was handing to the provider when it died: the provider cannot deduplicate, so not again.
        String interrupted = sendTo(user, "transactional", "\"text\": \"Order 2 ready\"");
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(interrupted).path("status").asText()).isEqualTo("sent"));
        String stuck = UUID.randomUUID().toString();
        jdbc.update("INSERT INTO messages (id, profile_id, channel, address_type, address, purpose, body_text, status, attempts) "
                + "SELECT ?, profile_id, 'probe', 'email', address, 'transactional', 'Order 3 ready', 'sending', 1 FROM messages WHERE id = ?",
                stuck, interrupted);
        jms.convertAndSend(Queues.outbound("probe"), stuck);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode m = message(stuck);
            assertThat(m.path("status").asText()).isEqualTo("failed");
            assertThat(m.path("reason").asText()).isEqualTo("outcome_unknown");
        });
        assertThat(sends(stuck)).isEmpty();
        assertThat(sends(first)).hasSize(1);
    }

    @Test
    void templatesWithUnknownVariablesAreRefusedWhenSaved() {
        person("fay", true);
        HttpResponse<String> typo = post("/api/v1/templates", "{\"id\": \"typo-" + run + "\", \"channel\": \"probe\", "
                + "\"text\": \"Hello {{traits.frist_name}} {{colour}}\"}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("\"field\":\"text\"", "unknown trait 'frist_name'", "did you mean 'traits.first_name'",
                "{{colour}}: unknown variable");
        HttpResponse<String> fixed = post("/api/v1/templates", "{\"id\": \"typo-" + run + "\", \"channel\": \"probe\", "
                + "\"text\": \"Hello {{traits.nickname}}\", \"defaults\": {\"traits.nickname\": \"friend\"}}");
        assertThat(fixed.statusCode()).as(fixed.body()).isEqualTo(201);
        HttpResponse<String> preview = post("/api/v1/templates/typo-" + run + "/preview",
                "{\"profile\": {\"idType\": \"user_id\", \"idValue\": \"fay-" + run + "\"}}");
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        assertThat(readJson(preview.body()).path("text").asText()).isEqualTo("Hello friend");

        HttpResponse<String> unknownChannel = post("/api/v1/messages", "{\"profile\": {\"idType\": \"user_id\", \"idValue\": \"fay-"
                + run + "\"}, \"channel\": \"pigeon\", \"text\": \"coo\"}");
        assertThat(unknownChannel.statusCode()).isEqualTo(422);
        assertThat(unknownChannel.body()).contains("pigeon", "probe");
        HttpResponse<String> badField = post("/api/v1/messages", "{\"channel\": \"probe\", \"txt\": \"x\"}");
        assertThat(badField.statusCode()).isEqualTo(400);
        assertThat(badField.body()).contains("\"field\":\"txt\"");
    }

    @Test
    void aYamlRouteSendsThroughTheHub() throws Exception {
        String user = person("gil", true);
        writeAtomically(ROUTES.resolve("send-" + run + ".yaml"), """
                - route:
                    id: send-%s
                    from:
                      uri: platform-http:/send-%s
                      steps:
                        - to: atrium:send?channel=probe&purpose=transactional
                        - marshal:
                            json: {}
                """.formatted(run, run));
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/send-" + run)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"profile\": {\"idType\": \"user_id\", \"idValue\": \"" + user
                            + "\"}, \"text\": \"Sent by a route\"}")).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            String id = readJson(r.body()).path("id").asText();
            await().atMost(WAIT).untilAsserted(() -> assertThat(sends(id)).singleElement().asString().contains("Sent by a route"));
        });
    }

    /**
     * What a node killed between PostgreSQL's commit and the broker's leaves behind: the person's message
     * recorded {@code queued}, listed in its enqueue row, and nothing on the outbound queue.
     */
    private MessageStore.Inserted committedNotQueued(String user, String text) {
        long profileId = readJson(adminGet("/api/v1/profiles/user_id/" + user).body()).path("id").asLong();
        String address = user + "@example.com";
        MessageStore.Inserted inserted = store.insertAll(List.of(new MessageStore.Pending(new MessageStore.NewMessage(
                MessageStore.newId(), profileId, "probe", "email", address, "transactional", null, null, null, null, "Hello",
                text, null, List.of(), Map.of()), MessageStatus.QUEUED, null, null)));
        assertThat(inserted.enqueue()).isNotNull();
        return inserted;
    }

    private void age(long enqueue) {
        jdbc.update("UPDATE message_enqueues SET created_at = now() - interval '10 minutes' WHERE id = ?", enqueue);
    }

    private long enqueueRows(long enqueue) {
        return jdbc.queryForObject("SELECT count(*) FROM message_enqueues WHERE id = ?", Long.class, enqueue);
    }

    private double requeued() {
        return meters.counter("atrium.messages.requeued").count();
    }

    @Test
    void aMessageCommittedButNeverQueuedIsSentExactlyOnceByTheSweeper() throws Exception {
        String user = person("sid", false);
        MessageStore.Inserted inserted = committedNotQueued(user, "Your order is ready");
        String id = inserted.rows().get(0).id();
        assertThat(history(id)).containsExactly("queued");

        // Young, it is left alone: its sender may be between the two commits.
        sweeper.sweep();
        assertThat(enqueueRows(inserted.enqueue())).isEqualTo(1);
        assertThat(message(id).path("status").asText()).isEqualTo("queued");

        age(inserted.enqueue());
        double before = requeued();
        sweeper.sweep();
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id).path("status").asText()).isEqualTo("sent"));
        assertThat(sends(id)).singleElement().asString().contains("Your order is ready");
        assertThat(history(id)).containsExactly("queued", "sent");
        assertThat(requeued() - before).isEqualTo(1);
        assertThat(enqueueRows(inserted.enqueue())).isZero();

        // Swept once: a second sweep (here or on another node) finds nothing.
        sweeper.sweep();
        assertThat(requeued() - before).isEqualTo(1);
        assertThat(sends(id)).hasSize(1);
    }

    @Test
    void theSweeperNeitherTakesARowItsSenderHoldsNorQueuesAgainWhatReachedTheQueue() throws Exception {
        String user = person("ted", false);
        // A sender that is alive holds its row's lock from before the broker send until after it: never swept.
        MessageStore.Inserted held = committedNotQueued(user, "Held by its sender");
        String heldId = held.rows().get(0).id();
        age(held.enqueue());
        double before = requeued();
        try (java.sql.Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (java.sql.Statement st = c.createStatement()) {
                st.executeQuery("SELECT id FROM message_enqueues WHERE id = " + held.enqueue() + " FOR UPDATE").close();
            }
            sweeper.sweep();
            assertThat(enqueueRows(held.enqueue())).isEqualTo(1);
            assertThat(requeued() - before).isZero();
            c.rollback();
        }
        assertThat(message(heldId).path("status").asText()).isEqualTo("queued");

        // A sender killed after the broker's commit and before PostgreSQL's: the ids are on the queue and the row is
        // left. The sweeper's transaction carries the sender's duplicate-detection key, so the broker drops it.
        MessageStore.Inserted queued = committedNotQueued(user, "Queued by its sender");
        String queuedId = queued.rows().get(0).id();
        messages.queue(queued.rows(), Messages.enqueueKey(queued.rows()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(queuedId).path("status").asText()).isEqualTo("sent"));
        jdbc.update("UPDATE messages SET status = 'queued' WHERE id = ?", queuedId); // as when it still waits deep in the queue
        age(queued.enqueue());
        sweeper.sweep();
        assertThat(enqueueRows(queued.enqueue())).isZero();
        // Only the first row was queued by the sweeper.
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(heldId).path("status").asText()).isEqualTo("sent"));
        assertThat(requeued() - before).isEqualTo(1);
        assertThat(sends(heldId)).hasSize(1);
        assertThat(sends(queuedId)).hasSize(1);
        // Nothing delivers its id a second time.
        await().during(Duration.ofSeconds(2)).atMost(WAIT)
                .untilAsserted(() -> assertThat(message(queuedId).path("status").asText()).isEqualTo("queued"));
        assertThat(sends(queuedId)).hasSize(1);
    }

    private static final String V71 = "/db/migration/V71__enqueue_rows_of_older_queued_messages.sql";

    @Test
    void anUpgradeListsTheMessagesAHubBeforeV70LeftQueuedAndNoOthers() {
        String schema = "upgrade_" + run.replace('-', '_');
        try {
            migrate(schema, "60");
            // Left by a hub before the sweeper existed: queued (it may or may not have reached the queue), and sent.
            jdbc.update("INSERT INTO " + schema + ".messages (id, channel, purpose, status) VALUES "
                    + "('old-queued-1', 'probe', 'transactional', 'queued'), ('old-queued-2', 'probe', 'marketing', 'queued'), "
                    + "('old-sent', 'probe', 'transactional', 'sent')");
            migrate(schema, "70");
            // Written by a hub with the sweeper: one that reached the queue (no row left), one still listed in its row.
            jdbc.update("INSERT INTO " + schema + ".messages (id, channel, purpose, status) VALUES "
                    + "('new-reached', 'probe', 'transactional', 'queued'), ('new-listed', 'probe', 'transactional', 'queued')");
            jdbc.update("INSERT INTO " + schema + ".message_enqueues (message_ids) VALUES ('{new-listed}')");
            migrate(schema, "71");
            List<List<String>> rows = jdbc.query("SELECT message_ids FROM " + schema + ".message_enqueues ORDER BY id",
                    (rs, i) -> List.of((String[]) rs.getArray(1).getArray()));
            assertThat(rows).containsExactly(List.of("new-listed"), List.of("old-queued-1", "old-queued-2"));
        } finally {
            jdbc.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private void migrate(String schema, String version) {
        org.flywaydb.core.Flyway.configure().dataSource(dataSource).schemas(schema).locations("classpath:db/migration")
                .target(version).load().migrate();
    }

    @Test
    void aMessageAHubBeforeV70LeftQueuedIsSentOnceAfterTheUpgrade() throws Exception {
        String user = person("uma", false);
        MessageStore.Inserted old = committedNotQueued(user, "Left queued by an older hub");
        String id = old.rows().get(0).id();
        // As a hub before V70 left it: written before V70 was installed, and no enqueue row.
        jdbc.update("DELETE FROM message_enqueues WHERE id = ?", old.enqueue());
        jdbc.update("UPDATE messages SET created_at = (SELECT min(installed_on) FROM flyway_schema_history WHERE version = '70') "
                + "- interval '1 day' WHERE id = ?", id);
        double before = requeued();
        sweeper.sweep();
        assertThat(message(id).path("status").asText()).as("without a row the sweeper does not see it").isEqualTo("queued");

        // The upgrade's migration, as Flyway runs it.
        String migration;
        try (var in = getClass().getResourceAsStream(V71)) {
            migration = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("${flyway:table}", "flyway_schema_history");
        }
        jdbc.execute(migration);
        sweeper.sweep();
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id).path("status").asText()).isEqualTo("sent"));
        assertThat(sends(id)).singleElement().asString().contains("Left queued by an older hub");
        assertThat(history(id)).containsExactly("queued", "sent");
        assertThat(requeued() - before).isEqualTo(1);

        sweeper.sweep();
        jdbc.execute(migration); // a sent message gets no row
        sweeper.sweep();
        assertThat(requeued() - before).isEqualTo(1);
        assertThat(sends(id)).hasSize(1);
    }
}
