package io.atrium.server.plugin;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import io.atrium.server.AtriumApplication;
import io.atrium.server.support.TestPlugins;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two hubs on one PostgreSQL and one broker, both running the real crm plugin against one HubSpot
 * (WireMock): only the node holding the plugin's poll lease calls HubSpot, once per poll interval
 * across both; when it stops, the other node goes on from the stored cursor; an admin's disable on
 * one node stops the plugin on the other and both APIs say so.
 */
class ClusterPluginsIT {

    private static final String TOKEN = "cluster-admin-token";
    private static final String HUBSPOT_TOKEN = "pat-cluster-test";
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final String SEARCH = "/crm/v3/objects/contacts/search";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void oneNodePollsTheCrmAtATimeTheOtherTakesOverFromTheCursorAndADisableReachesBoth() throws Exception {
        Path crmZip = crmZip();
        int brokerPort = freePort();
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false).setSecurityEnabled(false)
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + brokerPort));
        broker.start();
        WireMockServer hubspot = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        hubspot.start();
        hubspot.stubFor(get(urlEqualTo("/crm/v3/objects/contacts?limit=1&archived=false"))
                .withHeader("Authorization", equalTo("Bearer " + HUBSPOT_TOKEN))
                .willReturn(okJson("{\"results\":[]}")));
        answerSearch(hubspot, contact("901", "ann@example.com", "2025-02-01T10:00:00.000Z"));
        List<ConfigurableApplicationContext> running = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setOverrideWorkingDirectory(dir.resolve("pg-rt").toFile())
                .setDataDirectory(dir.resolve("pg")).start()) {
            try {
                String db = pg.getJdbcUrl("postgres", "postgres");
                String crmYml = "access-token: " + HUBSPOT_TOKEN + "\napi-url: http://127.0.0.1:" + hubspot.port()
                        + "\npoll-objects: contacts\npoll-start: \"2025-01-01T00:00:00Z\"\npoll-lag: 0s\npoll-interval: 1s\n"
                        + "request-timeout: 2s\n";
                ConfigurableApplicationContext a = hub("hub-a", db, brokerPort, crmZip, crmYml);
                running.add(a);
                ConfigurableApplicationContext b = hub("hub-b", db, brokerPort, crmZip, crmYml);
                running.add(b);
                for (ConfigurableApplicationContext hub : running) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(plugin(hub).path("state").asText()));
                }

                // 1. Both run the plugin; one of them polls, once per interval.
                await().atMost(Duration.ofSeconds(30)).until(() -> searches(hubspot).size() >= 5);
                String holder = leaseHolder(db);
                assertThat(holder).isIn("hub-a", "hub-b");
                List<ServeEvent> polls = searches(hubspot);
                for (int i = 1; i < polls.size(); i++) {
                    long gap = polls.get(i).getRequest().getLoggedDate().getTime() - polls.get(i - 1).getRequest().getLoggedDate().getTime();
                    assertThat(gap).as("time between HubSpot searches %d and %d (two pollers would halve it)", i - 1, i)
                            .isGreaterThanOrEqualTo(POLL.toMillis() - 100);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> count(db, "SELECT count(*) FROM events WHERE message_id LIKE ?",
                        "crm:hubspot:contact:901:%") == 1);
                long cursorAfter901 = Instant.parse("2025-02-01T10:00:00Z").toEpochMilli();
                await().atMost(Duration.ofSeconds(10)).until(() -> lastSearchFrom(hubspot) == cursorAfter901);

                // 2. An admin disables the plugin on one node: the other answers the same at once and stops too.
                ConfigurableApplicationContext holding = holder.equals("hub-a") ? a : b;
                ConfigurableApplicationContext other = holding == a ? b : a;
                HttpResponse<String> disabled = call(other, "POST", "/api/v1/plugins/crm/disable");
                assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
                JsonNode seenOnHolder = plugin(holding);
                assertThat(seenOnHolder.path("state").asText()).isEqualTo("DISABLED");
                assertThat(seenOnHolder.path("error").asText()).startsWith("disabled by ");
                assertThat(seenOnHolder.path("enabled").asBoolean()).isFalse();
                int afterDisable = searches(hubspot).size();
                await().during(Duration.ofMillis(3 * POLL.toMillis())).atMost(Duration.ofSeconds(10))
                        .until(() -> searches(hubspot).size() <= afterDisable + 1);
                assertThat(count(db, "SELECT count(*) FROM plugin_leases WHERE plugin_id = 'crm'", null)).isZero();
                HttpResponse<String> enabled = call(holding, "POST", "/api/v1/plugins/crm/enable");
                assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
                assertThat(plugin(other).path("state").asText()).isEqualTo("STARTED");
                await().atMost(Duration.ofSeconds(20)).until(() -> leaseHolder(db) != null);

                // 3. The polling node stops; the other takes the lease and goes on from the stored cursor.
                String pollingNow = leaseHolder(db);
                ConfigurableApplicationContext stopping = pollingNow.equals("hub-a") ? a : b;
                ConfigurableApplicationContext staying = stopping == a ? b : a;
                String stayingName = staying.getBean(io.atrium.server.config.NodeName.class).get();
                long stopStarted = System.nanoTime();
                // Watched while the node stops: its plugins stop (and give the lease up) first, then the rest of it.
                java.util.concurrent.CompletableFuture<Long> takenOver = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                            .until(() -> stayingName.equals(leaseHolder(db)));
                    return Duration.ofNanos(System.nanoTime() - stopStarted).toMillis();
                });
                stopping.close();
                running.remove(stopping);
                long stoppedMs = Duration.ofNanos(System.nanoTime() - stopStarted).toMillis();
                long takeoverMs = takenOver.get(30, java.util.concurrent.TimeUnit.SECONDS);
                System.out.printf("ClusterPluginsIT: the other node held the lease %d ms after the polling node began to stop"
                        + " (stopping it took %d ms)%n", takeoverMs, stoppedMs);
                // From now on only the staying node calls HubSpot, which has a new contact.
                answerSearch(hubspot, contact("901", "ann@example.com", "2025-02-01T10:00:00.000Z"),
                        contact("902", "bo@example.com", "2025-02-03T08:00:00.000Z"));
                int before = searches(hubspot).size();
                await().atMost(Duration.ofSeconds(20)).until(() -> count(db,
                        "SELECT count(*) FROM events WHERE message_id LIKE ?", "crm:hubspot:contact:902:%") == 1);
                ServeEvent firstByStaying = searches(hubspot).get(before);
                assertThat(from(firstByStaying)).as("the node that took over asks from the stored cursor, not from poll-start")
                        .isEqualTo(cursorAfter901);
                await().atMost(Duration.ofSeconds(10)).until(() -> lastSearchFrom(hubspot)
                        == Instant.parse("2025-02-03T08:00:00Z").toEpochMilli());
                assertThat(count(db, "SELECT count(*) FROM events WHERE message_id LIKE ?", "crm:hubspot:contact:901:%"))
                        .isEqualTo(1);
                assertThat(plugin(staying).path("state").asText()).isEqualTo("STARTED");
            } finally {
                for (ConfigurableApplicationContext c : running) {
                    c.close(); // before the database and the broker go
                }
            }
        } finally {
            hubspot.stop();
            broker.stop();
        }
    }

    private ConfigurableApplicationContext hub(String name, String db, int brokerPort, Path crmZip, String crmYml) throws Exception {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("plugins"));
        Files.createDirectories(home.resolve("config/plugins"));
        Files.copy(crmZip, home.resolve("plugins/crm.zip"));
        Files.writeString(home.resolve("config/plugins/crm.yml"), crmYml);
        return new SpringApplication(AtriumApplication.class).run(
                "--server.port=0",
                "--atrium.home=" + home,
                "--atrium.db.url=" + db,
                "--atrium.db.user=postgres",
                "--atrium.db.password=",
                "--atrium.broker.url=tcp://127.0.0.1:" + brokerPort,
                "--atrium.security.admin-token=" + TOKEN,
                "--atrium.security.admin-password=cluster-admin-password",
                "--atrium.cluster.node-name=" + name,
                "--atrium.cluster.lease-ttl=3s",
                "--atrium.plugins.scan-interval=250ms");
    }

    /** The crm plugin's zip as its build packs it (plugin.properties, lib/crm.jar), of its classes on the test class path. */
    private Path crmZip() throws Exception {
        return TestPlugins.zipOf(dir, "crm", "0.1.0", Path.of(io.atrium.plugins.crm.CrmConnector.class
                .getProtectionDomain().getCodeSource().getLocation().toURI()));
    }

    private static void answerSearch(WireMockServer hubspot, JsonNode... contacts) {
        com.fasterxml.jackson.databind.node.ObjectNode answer = JSON.createObjectNode();
        answer.put("total", contacts.length);
        answer.putArray("results").addAll(List.of(contacts));
        hubspot.stubFor(post(urlEqualTo(SEARCH)).withHeader("Authorization", equalTo("Bearer " + HUBSPOT_TOKEN))
                .willReturn(okJson(answer.toString())));
    }

    private static JsonNode contact(String id, String email, String modified) {
        com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.putObject("properties").put("email", email).put("createdate", "2025-01-02T00:00:00.000Z")
                .put("lastmodifieddate", modified).put("hs_object_id", id);
        o.put("createdAt", "2025-01-02T00:00:00.000Z");
        o.put("updatedAt", modified);
        o.put("archived", false);
        return o;
    }

    /** The HubSpot searches received so far, oldest first. */
    private static List<ServeEvent> searches(WireMockServer hubspot) {
        return hubspot.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(SEARCH))
                .sorted(Comparator.comparing(e -> e.getRequest().getLoggedDate()))
                .toList();
    }

    /** The {@code lastmodifieddate GTE} value of a search: the cursor it polled from. */
    private static long from(ServeEvent search) throws Exception {
        return JSON.readTree(search.getRequest().getBodyAsString()).path("filterGroups").get(0).path("filters").get(0)
                .path("value").asLong();
    }

    private static long lastSearchFrom(WireMockServer hubspot) throws Exception {
        List<ServeEvent> s = searches(hubspot);
        return s.isEmpty() ? -1 : from(s.get(s.size() - 1));
    }

    private static String leaseHolder(String db) throws Exception {
        try (Connection c = DriverManager.getConnection(db, "postgres", null);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT holder FROM plugin_leases WHERE plugin_id = 'crm' AND name = 'poll' AND expires_at > now()")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long count(String db, String sql, String param) throws Exception {
        try (Connection c = DriverManager.getConnection(db, "postgres", null); PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setString(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private JsonNode plugin(ConfigurableApplicationContext hub) throws Exception {
        HttpResponse<String> r = call(hub, "GET", "/api/v1/plugins/crm");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> call(ConfigurableApplicationContext hub, String method, String path) throws Exception {
        int port = hub.getEnvironment().getProperty("local.server.port", Integer.class);
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
