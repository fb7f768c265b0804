package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journeys are durable: a broadcast to 20 people sends a welcome e-mail, waits, and sends a
 * follow-up. The hub is killed with SIGKILL while every journey is waiting and started again on the
 * same data; the waits end (some while it was down) and everybody gets exactly one e-mail per step
 * through the real email plugin and GreenMail: none lost, none twice.
 */
class CampaignCrashIT {

    private static final int PEOPLE = 20;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static Hub hub;
    static GreenMail smtp;

    private static JsonNode ok(String path) throws Exception {
        HttpResponse<String> r = hub.admin("GET", path, null);
        assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
        return Hub.JSON.readTree(r.body());
    }

    private static JsonNode created(String path, String json) throws Exception {
        HttpResponse<String> r = hub.admin("POST", path, json);
        assertThat(r.statusCode()).as("POST " + path + ": " + r.body()).isEqualTo(201);
        return Hub.JSON.readTree(r.body());
    }

    /** Recipient → subjects of the mails GreenMail received, in arrival order. */
    private static Map<String, List<String>> mailbox() throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            out.computeIfAbsent(m.getAllRecipients()[0].toString(), k -> new ArrayList<>()).add(m.getSubject());
        }
        return out;
    }

    private static String address(int i) {
        return "crash-%02d@example.com".formatted(i);
    }

    @Test
    void waitingJourneysSurviveAKillNineAndEachPersonGetsEveryStepExactlyOnce() throws Exception {
        smtp = fixture.startSmtp();
        hub = fixture.startHub(dir, Map.of());
        fixture.configureEmail(hub, "news@example.com", null, "rate-per-second: 0");
        Plugins.awaitStarted(hub, "email", WAIT);

        // 20 people with an e-mail address and marketing consent, in one batch from the shop's back end.
        String key = hub.createSource("crm-import");
        List<String> people = new ArrayList<>();
        for (int i = 0; i < PEOPLE; i++) {
            people.add("""
                    {"type": "identify", "userId": "crash-%02d", "messageId": "crash-identify-%02d",
                     "traits": {"email": "%s", "first_name": "P%02d", "newsletter": "winter",
                                "consents": {"email": {"marketing": true}}}}""".formatted(i, i, address(i), i));
        }
        HttpResponse<String> sent = hub.sendBatch(key, people);
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        long segment = created("/api/v1/segments", """
                {"name": "Winter newsletter", "rule": {"trait": "newsletter", "op": "eq", "value": "winter"}}
                """).path("id").asLong();
        await("the 20 people in the segment").atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(ok("/api/v1/segments/" + segment + "/members?size=100").path("total").asInt()).isEqualTo(PEOPLE));
        created("/api/v1/templates", """
                {"id": "welcome", "name": "Welcome", "channel": "email", "subject": "Welcome, {{traits.first_name}}",
                 "text": "Hello {{traits.first_name}}, welcome to the winter newsletter.", "defaults": {"traits.first_name": "there"}}
                """);
        created("/api/v1/templates", """
                {"id": "follow-up", "name": "Follow-up", "channel": "email", "subject": "Still with us, {{traits.first_name}}?",
                 "text": "Hello again {{traits.first_name}}.", "defaults": {"traits.first_name": "there"}}
                """);
        String campaign = "winter-newsletter";
        created("/api/v1/campaigns", """
                {"id": "%s", "name": "Winter newsletter", "trigger": {"type": "broadcast"}, "audience": {"segment": %d},
                 "steps": [{"id": "welcome", "type": "send", "channel": "email", "template": "welcome"},
                           {"id": "pause", "type": "wait", "duration": "12s"},
                           {"id": "follow-up", "type": "send", "channel": "email", "template": "follow-up"}]}
                """.formatted(campaign, segment));
        HttpResponse<String> launch = hub.admin("POST", "/api/v1/campaigns/" + campaign + "/launch", null);
        assertThat(launch.statusCode()).as(launch.body()).isEqualTo(200);
        assertThat(Hub.JSON.readTree(launch.body()).path("entered").asInt()).isEqualTo(PEOPLE);

        // Everyone got the welcome (sent, in GreenMail) and is waiting: now the hub dies.
        await("20 welcome mails and 20 waiting journeys").atMost(WAIT).untilAsserted(() -> {
            assertThat(smtp.getReceivedMessages()).hasSize(PEOPLE);
            JsonNode stats = ok("/api/v1/campaigns/" + campaign + "/stats");
            assertThat(stats.path("journeys").path("waiting").asInt()).as(stats.toString()).isEqualTo(PEOPLE);
            assertThat(stats.path("steps").path("welcome").path("email").path("sent").asInt()).as(stats.toString()).isEqualTo(PEOPLE);
        });
        assertThat(ok("/api/v1/campaigns/" + campaign + "/stats").path("steps").path("follow-up").path("email")
                .path("sent").asInt()).isZero();
        java.time.Instant killedAt = java.time.Instant.now();
        hub.kill9();
        assertThat(hub.isAlive()).isFalse();

        hub.launch();   // the same data: its PostgreSQL (left running by the kill) and the broker journal
        Plugins.awaitStarted(hub, "email", WAIT);
        System.out.println("CampaignCrashIT: killed while 20 journeys waited 12 s; the hub was back with its email plugin "
                + Duration.between(killedAt, java.time.Instant.now()).toMillis() + " ms later");

        // Every journey comes to an end, and stays there: two mails each, one per step.
        await("every journey completed").atMost(WAIT).untilAsserted(() -> {
            JsonNode stats = ok("/api/v1/campaigns/" + campaign + "/stats");
            assertThat(stats.path("journeys").path("completed").asInt()).as(stats.toString()).isEqualTo(PEOPLE);
            assertThat(smtp.getReceivedMessages()).hasSize(2 * PEOPLE);
        });
        await("nothing more arrives").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> smtp.getReceivedMessages().length == 2 * PEOPLE);

        Map<String, List<String>> mailbox = mailbox();
        assertThat(mailbox).hasSize(PEOPLE);
        for (int i = 0; i < PEOPLE; i++) {
            String first = "P%02d".formatted(i);
            assertThat(mailbox.get(address(i))).as(address(i)).containsExactly("Welcome, " + first, "Still with us, " + first + "?");
        }

        JsonNode stats = ok("/api/v1/campaigns/" + campaign + "/stats");
        assertThat(stats.path("journeys").path("entered").asInt()).isEqualTo(PEOPLE);
        assertThat(stats.path("journeys").path("running").asInt()).isZero();
        for (String step : List.of("welcome", "follow-up")) {
            JsonNode email = stats.path("steps").path(step).path("email");
            assertThat(email.path("sent").asInt()).as(step + ": " + email).isEqualTo(PEOPLE);
            assertThat(email.path("failed").asInt()).as(step + ": " + email).isZero();
        }
        JsonNode messages = ok("/api/v1/messages?campaign=" + campaign + "&size=500");
        assertThat(messages.path("total").asInt()).isEqualTo(2 * PEOPLE);
        Map<String, Integer> perPersonStep = new TreeMap<>();
        messages.path("messages").forEach(m -> {
            assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("sent");
            perPersonStep.merge(m.path("address").asText() + " " + m.path("stepId").asText(), 1, Integer::sum);
        });
        assertThat(perPersonStep).hasSize(2 * PEOPLE).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1));

        // Each person's trace: one journey, each decision once.
        for (int i = 0; i < PEOPLE; i += 7) {
            List<String> kinds = new ArrayList<>();
            JsonNode trace = ok("/api/v1/campaigns/" + campaign + "/trace?profile=user_id:crash-%02d".formatted(i));
            assertThat(trace.path("journeys").size()).isEqualTo(1);
            trace.path("journeys").get(0).path("log").forEach(l -> kinds.add(l.path("kind").asText()
                    + (l.path("stepId").isTextual() ? ":" + l.path("stepId").asText() : "")));
            assertThat(kinds).as(trace.toPrettyString()).containsExactly("entered", "sent:welcome", "waiting:pause",
                    "wait_over:pause", "sent:follow-up", "exited");
        }
    }
}
