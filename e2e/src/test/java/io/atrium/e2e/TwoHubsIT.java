package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out: two hub processes share one PostgreSQL and one Artemis broker as competing
 * consumers. Events about the same people arrive at both hubs, interleaved; every event is
 * stored once and every person ends up as one profile.
 */
class TwoHubsIT {

    private static final int PEOPLE = 40;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();

    @Test
    void twoHubsOnOneDatabaseAndBrokerNeitherDoubleApplyNorSplitPeople() throws Exception {
        HubFixture.SharedServers shared = fixture.startSharedServers(dir);
        String url = shared.jdbcUrl();
        Hub a = fixture.startHub(dir.resolve("a"), shared.environment());
        Hub b = fixture.startHub(dir.resolve("b"), shared.environment());
        String key = a.createSource("two-hubs");
        String auth = "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));

        // Each person: an anonymous page view on one hub, then an identify linking the anonymous id
        // to a user id and an e-mail on the other, then a track with the e-mail only on the first.
        List<String[]> requests = new ArrayList<>();
        for (int p = 0; p < PEOPLE; p++) {
            String anon = "anon-" + p;
            requests.add(new String[] {"a", "{\"type\":\"page\",\"anonymousId\":\"" + anon + "\",\"name\":\"Home\",\"messageId\":\"p-" + p + "\"}"});
            requests.add(new String[] {"b", "{\"type\":\"identify\",\"anonymousId\":\"" + anon + "\",\"userId\":\"user-" + p
                    + "\",\"traits\":{\"email\":\"person" + p + "@example.com\"},\"messageId\":\"i-" + p + "\"}"});
            requests.add(new String[] {"a", "{\"type\":\"track\",\"event\":\"order_completed\",\"userId\":\"user-" + p
                    + "\",\"messageId\":\"t-" + p + "\"}"});
            // The same event once more through the other hub: a client retry.
            requests.add(new String[] {"b", "{\"type\":\"track\",\"event\":\"order_completed\",\"userId\":\"user-" + p
                    + "\",\"messageId\":\"t-" + p + "\"}"});
        }
        ExecutorService clients = Executors.newFixedThreadPool(6);
        List<Future<Integer>> answers = new ArrayList<>();
        for (String[] r : requests) {
            Hub hub = r[0].equals("a") ? a : b;
            answers.add(clients.submit(() -> hub.send(HttpRequest.newBuilder(hub.uri("/v1/batch"))
                    .header("Authorization", auth).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"batch\":[" + r[1] + "]}")).build()).statusCode()));
        }
        for (Future<Integer> f : answers) {
            assertThat(f.get()).isEqualTo(200);
        }
        clients.shutdown();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (Connection c = DriverManager.getConnection(url, "postgres", null)) {
                assertThat(count(c, "SELECT count(*) FROM events")).isEqualTo(3L * PEOPLE);
                assertThat(count(c, "SELECT count(DISTINCT profile_id) FROM identities")).isEqualTo(PEOPLE);
            }
        });
        for (int p = 0; p < PEOPLE; p += 7) {
            HttpResponse<String> byEmail = b.admin("GET", "/api/v1/profiles/email/person" + p + "@example.com", null);
            HttpResponse<String> byAnon = a.admin("GET", "/api/v1/profiles/anonymous_id/anon-" + p, null);
            assertThat(Hub.JSON.readTree(byEmail.body()).path("id").asText())
                    .isEqualTo(Hub.JSON.readTree(byAnon.body()).path("id").asText());
            assertThat(Hub.JSON.readTree(a.admin("GET", "/api/v1/profiles/user_id/user-" + p + "/events", null).body())
                    .path("total").asInt()).isEqualTo(3);
        }
        // Both hubs consume the shared queue (each runs atrium.profiles.consumers = 2 consumers).
        assertThat(shared.broker.getActiveMQServer().locateQueue("atrium.events").getConsumerCount()).isGreaterThanOrEqualTo(4);
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
