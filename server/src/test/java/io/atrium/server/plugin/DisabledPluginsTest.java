package io.atrium.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin disabled through the API stays disabled when the hub starts again (a new host reads the same file). */
class DisabledPluginsTest {

    @TempDir
    Path data;

    @Test
    void aDisabledPluginIsStillDisabledAfterARestartUntilEnabled() throws Exception {
        Path file = data.resolve("plugins-disabled.json");
        DisabledPlugins before = new DisabledPlugins(file, new ObjectMapper());
        Instant at = Instant.parse("2025-03-04T05:06:07.891Z");
        assertThat(before.add("crm", "alice", at)).isTrue();
        assertThat(before.add("crm", "bob", Instant.now())).as("the first who and when are kept").isFalse();

        DisabledPlugins afterRestart = new DisabledPlugins(file, new ObjectMapper());
        assertThat(afterRestart.contains("crm")).isTrue();
        assertThat(afterRestart.get("crm").orElseThrow().reason())
                .isEqualTo("disabled by alice at 2025-03-04T05:06:07Z (POST /api/v1/plugins/{id}/enable starts it again)");
        assertThat(afterRestart.contains("email")).isFalse();

        assertThat(afterRestart.remove("crm")).isTrue();
        assertThat(new DisabledPlugins(file, new ObjectMapper()).contains("crm")).isFalse();
        try (var files = Files.list(data)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("plugins-disabled.json");
        }
    }

    @Test
    void anUnreadableFileDisablesNothingAndDoesNotStopTheHub() throws Exception {
        Path file = Files.writeString(data.resolve("plugins-disabled.json"), "{ not json");
        assertThat(new DisabledPlugins(file, new ObjectMapper()).contains("crm")).isFalse();
    }
}
