package io.atrium.server.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin ids an admin disabled through the API, with who and when, kept in a small JSON file
 * under the data directory ({@code plugins-disabled.json}) so that a disabled plugin stays stopped
 * across restarts of the hub. Written atomically; not thread-safe (the plugin host guards it).
 */
final class DisabledPlugins {

    private static final Logger log = LoggerFactory.getLogger(DisabledPlugins.class);

    /** How every reason given by {@link Entry#reason()} starts. */
    static final String PREFIX = "disabled by ";

    private final Path file;
    private final ObjectMapper mapper;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    record Entry(String by, Instant at) {
        /** What {@code GET /api/v1/plugins} shows as the plugin's error. */
        String reason() {
            return PREFIX + by + " at " + at.truncatedTo(ChronoUnit.SECONDS) + " (POST /api/v1/plugins/{id}/enable starts it again)";
        }
    }

    DisabledPlugins(Path file, ObjectMapper mapper) {
        this.file = file;
        this.mapper = mapper;
        if (Files.exists(file)) {
            try {
                JsonNode root = mapper.readTree(file.toFile());
                root.fields().forEachRemaining(e -> entries.put(e.getKey(), new Entry(e.getValue().path("by").asText("admin"),
                        Instant.parse(e.getValue().path("at").asText(Instant.EPOCH.toString())))));
            } catch (IOException | RuntimeException e) {
                log.error("Cannot read {} (plugins disabled through the API): {}; those plugins may start", file, e.getMessage());
            }
        }
    }

    Optional<Entry> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    boolean contains(String id) {
        return entries.containsKey(id);
    }

    /** Returns false if it was disabled already (the first who and when are kept). */
    boolean add(String id, String by, Instant at) throws IOException {
        if (entries.containsKey(id)) {
            return false;
        }
        entries.put(id, new Entry(by, at));
        write();
        return true;
    }

    /** Returns false if it was not disabled. */
    boolean remove(String id) throws IOException {
        if (entries.remove(id) == null) {
            return false;
        }
        write();
        return true;
    }

    private void write() throws IOException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        entries.forEach((id, d) -> out.put(id, Map.of("by", d.by(), "at", d.at().toString())));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".plugins-disabled-", ".tmp");
        try {
            mapper.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), out);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
