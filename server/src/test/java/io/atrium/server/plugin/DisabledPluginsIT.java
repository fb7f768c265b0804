package io.atrium.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A plugin disabled through the API is kept in PostgreSQL: another node (here, a second reader of
 * the same table) and a restarted one see it, and the file of an older version is read once.
 */
class DisabledPluginsIT extends HubTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path data;

    @AfterEach
    void cleanUp() {
        jdbc.update("DELETE FROM plugins_disabled WHERE plugin_id LIKE 'dp-%'");
    }

    @Test
    void aDisabledPluginIsDisabledForEveryNodeAndAfterARestartUntilEnabled() {
        DisabledPlugins nodeA = new DisabledPlugins(jdbc);
        DisabledPlugins nodeB = new DisabledPlugins(jdbc);
        nodeB.refresh();
        Instant at = Instant.parse("2025-03-04T05:06:07.891Z");
        assertThat(nodeA.add("dp-crm", "alice", at)).isTrue();
        assertThat(nodeB.add("dp-crm", "bob", Instant.now())).as("the first who and when are kept").isFalse();

        assertThat(nodeB.refresh()).isFalse(); // B's add read it already
        assertThat(nodeB.contains("dp-crm")).isTrue();
        assertThat(nodeB.get("dp-crm").orElseThrow().reason())
                .isEqualTo("disabled by alice at 2025-03-04T05:06:07Z (POST /api/v1/plugins/{id}/enable starts it again)");
        DisabledPlugins restarted = new DisabledPlugins(jdbc);
        restarted.refresh();
        assertThat(restarted.contains("dp-crm")).isTrue();
        assertThat(restarted.contains("dp-email")).isFalse();

        assertThat(nodeA.remove("dp-crm")).isTrue();
        assertThat(nodeB.refresh()).as("B notices the enable at its next read").isTrue();
        assertThat(nodeB.contains("dp-crm")).isFalse();
    }

    @Test
    void theFileOfAnOlderVersionIsReadOnceAndTheTableKeepsWhatItHas() throws Exception {
        DisabledPlugins table = new DisabledPlugins(jdbc);
        table.add("dp-sms", "carol", Instant.parse("2025-01-01T00:00:00Z"));
        Path file = Files.writeString(data.resolve(DisabledPlugins.LEGACY_FILE), """
                { "dp-viber": { "by": "dave", "at": "2025-02-02T02:02:02Z" },
                  "dp-sms": { "by": "erin", "at": "2025-02-03T00:00:00Z" } }
                """);
        table.importLegacyFile(file, new ObjectMapper());
        assertThat(table.get("dp-viber").orElseThrow().by()).isEqualTo("dave");
        assertThat(table.get("dp-sms").orElseThrow().by()).isEqualTo("carol");
        assertThat(file).doesNotExist();
        assertThat(data.resolve(DisabledPlugins.LEGACY_FILE + ".imported")).exists();
    }

    @Test
    void anUnreadableFileDisablesNothingAndDoesNotStopTheHub() throws Exception {
        Path file = Files.writeString(data.resolve(DisabledPlugins.LEGACY_FILE), "{ not json");
        DisabledPlugins table = new DisabledPlugins(jdbc);
        table.importLegacyFile(file, new ObjectMapper());
        table.refresh();
        assertThat(table.contains("dp-crm")).isFalse();
        assertThat(file).exists();
    }
}
