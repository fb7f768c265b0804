package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's segment list while a new or edited rule is being computed over everyone: the stored
 * count is not the rule's yet, so the list says "computing…" instead of a number, and shows the
 * count once the segment stage is done. The hub runs on a PostgreSQL the test reaches, to hold a
 * segment in that state (its computation over a handful of people takes milliseconds).
 */
class ConsoleSegmentComputingIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();

    @Test
    void theListSaysComputingUntilTheSegmentsRuleIsComputed() throws Exception {
        HubFixture.SharedServers shared = fixture.startSharedServers(dir);
        Hub hub = fixture.startHub(dir.resolve("hub"), shared.environment());
        String key = hub.createSource("shop");
        assertThat(hub.sendBatch(key, List.of(
                "{\"type\":\"identify\",\"userId\":\"u-1\",\"traits\":{\"plan\":\"gold\"},\"messageId\":\"i-1\"}",
                "{\"type\":\"identify\",\"userId\":\"u-2\",\"traits\":{\"plan\":\"free\"},\"messageId\":\"i-2\"}")).statusCode())
                .isEqualTo(200);
        await().atMost(WAIT).until(() -> hub.admin("GET", "/api/v1/profiles/user_id/u-2", null).statusCode() == 200);
        HttpResponse<String> created = hub.admin("POST", "/api/v1/segments",
                "{\"name\": \"Gold\", \"rule\": {\"trait\": \"plan\", \"op\": \"eq\", \"value\": \"gold\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = Hub.JSON.readTree(created.body()).path("id").asLong();
        await().atMost(WAIT).until(() -> !hub.getJson("/api/v1/segments/" + id).path("computedAt").isNull());

        // As the segment stands between saving an edited rule and the end of its computation.
        String url = shared.jdbcUrl();
        try (Connection c = DriverManager.getConnection(url, "postgres", null)) {
            update(c, "UPDATE segments SET computed_at = NULL WHERE id = ?", id);
        }
        ConsoleBrowser browser = fixture.startBrowser(hub, dir.resolve("chromium"));
        browser.signInAsAdmin();
        browser.open("#/segments");
        browser.waitForText("count-" + id, "computing");
        assertThat(browser.attribute("count-" + id, "title")).contains("computed over everyone");

        // Computed: the next refresh of the list shows the count.
        try (Connection c = DriverManager.getConnection(url, "postgres", null)) {
            update(c, "UPDATE segments SET computed_at = now() WHERE id = ?", id);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM segment_members WHERE segment_id = " + id)) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
        browser.until(Duration.ofSeconds(30), d -> "1".equals(browser.text("count-" + id)));
        assertThat(browser.attribute("count-" + id, "title")).isEmpty();
    }

    private static void update(Connection c, String sql, long id) throws Exception {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setLong(1, id);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
    }
}
