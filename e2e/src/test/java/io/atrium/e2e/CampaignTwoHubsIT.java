package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Several hub nodes share the campaign work: two hub processes on one PostgreSQL and one Artemis
 * broker, each with two engine workers taking small batches, and each with the email plugin on one
 * GreenMail server. A broadcast to 300 people launched on one hub is advanced by both (each hub's
 * own count of journey advances is above zero and they add up to one per journey), every journey
 * completes, and every person gets exactly one e-mail.
 */
class CampaignTwoHubsIT {

    private static final int PEOPLE = 300;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();

    @Test
    void twoHubsAdvanceOneBroadcastTogetherAndSendEveryMessageOnce() throws Exception {
        GreenMail smtp = fixture.startSmtp();
        HubFixture.SharedServers shared = fixture.startSharedServers(dir);
        String url = shared.jdbcUrl();
        // Batches of 10: the 300 journeys are 30 batches for the four workers to share.
        Map<String, String> environment = new HashMap<>(shared.environment());
        environment.putAll(Map.of("ATRIUM_CAMPAIGNS_WORKERS", "2", "ATRIUM_CAMPAIGNS_BATCH", "10"));
        Hub a = fixture.startHub(dir.resolve("a"), environment);
        Hub b = fixture.startHub(dir.resolve("b"), environment);
        for (Hub h : List.of(a, b)) {
            fixture.configureEmail(h, "news@example.com", null, "rate-per-second: 0");
        }
        Plugins.awaitStarted(a, "email", WAIT);
        Plugins.awaitStarted(b, "email", WAIT);

        String key = a.createSource("crm-import");
        List<String> people = new ArrayList<>();
        for (int i = 0; i < PEOPLE; i++) {
            people.add("""
                    {"type": "identify", "userId": "two-%03d", "messageId": "two-identify-%03d",
                     "traits": {"email": "%s", "first_name": "P%03d", "newsletter": "spring",
                                "consents": {"email": {"marketing": true}}}}""".formatted(i, i, address(i), i));
        }
        HttpResponse<String> sent = a.sendBatch(key, people);
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        long segment = created(a, "/api/v1/segments", """
                {"name": "Spring newsletter", "rule": {"trait": "newsletter", "op": "eq", "value": "spring"}}
                """).path("id").asLong();
        await("the people in the segment").atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                ok(a, "/api/v1/segments/" + segment + "/members?size=1").path("total").asInt()).isEqualTo(PEOPLE));
        created(a, "/api/v1/templates", """
                {"id": "spring", "name": "Spring", "channel": "email", "subject": "Spring is here, {{traits.first_name}}",
                 "text": "Hello {{traits.first_name}}.", "defaults": {"traits.first_name": "there"}}
                """);
        String campaign = "spring-newsletter";
        created(a, "/api/v1/campaigns", """
                {"id": "%s", "name": "Spring newsletter", "trigger": {"type": "broadcast"}, "audience": {"segment": %d},
                 "steps": [{"id": "news", "type": "send", "channel": "email", "template": "spring"}]}
                """.formatted(campaign, segment));
        HttpResponse<String> launch = a.admin("POST", "/api/v1/campaigns/" + campaign + "/launch", null);
        assertThat(launch.statusCode()).as(launch.body()).isEqualTo(200);
        assertThat(Hub.JSON.readTree(launch.body()).path("entered").asInt()).isEqualTo(PEOPLE);

        await("every journey completed and every mail in GreenMail").atMost(WAIT).untilAsserted(() -> {
            JsonNode stats = ok(b, "/api/v1/campaigns/" + campaign + "/stats");
            assertThat(stats.path("journeys").path("completed").asInt()).as(stats.toString()).isEqualTo(PEOPLE);
            assertThat(smtp.getReceivedMessages()).hasSize(PEOPLE);
        });
        await("nothing more arrives").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> smtp.getReceivedMessages().length == PEOPLE);

        Map<String, List<String>> mailbox = new TreeMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            mailbox.computeIfAbsent(m.getAllRecipients()[0].toString(), k -> new ArrayList<>()).add(m.getSubject());
        }
        assertThat(mailbox).hasSize(PEOPLE);
        for (int i = 0; i < PEOPLE; i++) {
            assertThat(mailbox.get(address(i))).as(address(i)).containsExactly("Spring is here, P%03d".formatted(i));
        }

        // Both hubs advanced journeys: each one's own count is above zero, and together one advance per journey.
        long byA = journeyAdvances(a);
        long byB = journeyAdvances(b);
        System.out.println("CampaignTwoHubsIT: hub a advanced " + byA + " journeys, hub b " + byB);
        assertThat(byA).as("advanced by hub a").isPositive();
        assertThat(byB).as("advanced by hub b").isPositive();
        assertThat(byA + byB).isEqualTo(PEOPLE);

        try (Connection c = DriverManager.getConnection(url, "postgres", null)) {
            assertThat(count(c, "SELECT count(*) FROM messages WHERE campaign_id = '" + campaign + "'")).isEqualTo(PEOPLE);
            assertThat(count(c, "SELECT count(DISTINCT profile_id) FROM messages WHERE campaign_id = '" + campaign
                    + "' AND status = 'sent' AND attempts = 1")).isEqualTo(PEOPLE);
            assertThat(count(c, "SELECT count(*) FROM journey_log WHERE campaign_id = '" + campaign + "' AND kind = 'sent'"))
                    .isEqualTo(PEOPLE);
            assertThat(count(c, "SELECT count(*) FROM journeys WHERE campaign_id = '" + campaign
                    + "' AND state = 'done' AND end_reason = 'completed'")).isEqualTo(PEOPLE);
        }
        JsonNode email = ok(a, "/api/v1/campaigns/" + campaign + "/stats").path("steps").path("news").path("email");
        assertThat(email.path("sent").asInt()).as(email.toString()).isEqualTo(PEOPLE);
        assertThat(email.path("failed").asInt()).as(email.toString()).isZero();
    }

    private static String address(int i) {
        return "two-%03d@example.com".formatted(i);
    }

    /** The hub's own count of journey advances ({@code atrium.campaigns.journey-steps}), from /actuator/prometheus. */
    private static long journeyAdvances(Hub hub) {
        HttpResponse<String> r = hub.admin("GET", "/actuator/prometheus", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body().lines().filter(l -> l.startsWith("atrium_campaigns_journey_steps_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static JsonNode ok(Hub hub, String path) throws Exception {
        HttpResponse<String> r = hub.admin("GET", path, null);
        assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
        return Hub.JSON.readTree(r.body());
    }

    private static JsonNode created(Hub hub, String path, String json) throws Exception {
        HttpResponse<String> r = hub.admin("POST", path, json);
        assertThat(r.statusCode()).as("POST " + path + ": " + r.body()).isEqualTo(201);
        return Hub.JSON.readTree(r.body());
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
