package io.atrium.server.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The plugin ids an admin disabled through the API, with who and when, in table
 * {@code plugins_disabled}: every hub node on the database honours them, across restarts. Each
 * node reads the table again at every plugin scan ({@link #refresh}), so a disable or enable on one
 * node reaches the others within a scan interval. Not thread-safe (the plugin host guards it).
 */
final class DisabledPlugins {

    private static final Logger log = LoggerFactory.getLogger(DisabledPlugins.class);

    /** How every reason given by {@link Entry#reason()} starts. */
    static final String PREFIX = "disabled by ";
    /** The file older versions kept on each node, read once into the table. */
    static final String LEGACY_FILE = "plugins-disabled.json";

    private final JdbcTemplate jdbc;
    private Map<String, Entry> entries = Map.of();
    private String lastProblem;

    record Entry(String by, Instant at) {
        /** What {@code GET /api/v1/plugins} shows as the plugin's error. */
        String reason() {
            return PREFIX + by + " at " + at.truncatedTo(ChronoUnit.SECONDS) + " (POST /api/v1/plugins/{id}/enable starts it again)";
        }
    }

    DisabledPlugins(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Reads {@code plugins-disabled.json} of an older version into the table (an id disabled there
     * stays disabled; one the table has already keeps the table's who and when) and renames it to
     * {@code plugins-disabled.json.imported}, so it is read once.
     */
    void importLegacyFile(Path file, ObjectMapper mapper) {
        if (!Files.exists(file)) {
            return;
        }
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (IOException | RuntimeException e) {
            log.error("Cannot read {} (plugins disabled through the API by an older version): {}; those plugins may start."
                    + " Disable them again through the API, then delete the file", file, e.getMessage());
            return;
        }
        try {
            int imported = 0;
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
                Instant at = Instant.parse(e.getValue().path("at").asText(Instant.EPOCH.toString()));
                imported += insert(e.getKey(), e.getValue().path("by").asText("admin"), at) ? 1 : 0;
            }
            Files.move(file, file.resolveSibling(file.getFileName() + ".imported"), StandardCopyOption.REPLACE_EXISTING);
            log.info("Read {} into the database ({} plugin(s) disabled there); it is kept as {}.imported", file, imported,
                    file.getFileName());
        } catch (IOException | RuntimeException e) {
            log.error("Cannot move {} into the database ({}); trying again at the next start", file, e.getMessage());
        }
        refresh();
    }

    /** Reads the table again; returns whether anything changed since the last read. A database that cannot be reached keeps the last read. */
    boolean refresh() {
        Map<String, Entry> now = new LinkedHashMap<>();
        try {
            jdbc.query("SELECT plugin_id, disabled_by, disabled_at FROM plugins_disabled ORDER BY plugin_id",
                    rs -> {
                        now.put(rs.getString(1), new Entry(rs.getString(2), rs.getTimestamp(3).toInstant()));
                    });
        } catch (DataAccessException e) {
            String problem = e.getMostSpecificCause().getMessage();
            if (!problem.equals(lastProblem)) {
                log.warn("Cannot read the plugins disabled through the API ({}); keeping what was read last", problem);
            }
            lastProblem = problem;
            return false;
        }
        lastProblem = null;
        boolean changed = !now.equals(entries);
        entries = now;
        return changed;
    }

    Optional<Entry> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    boolean contains(String id) {
        return entries.containsKey(id);
    }

    /** Returns false if it was disabled already (the first who and when are kept). */
    boolean add(String id, String by, Instant at) {
        boolean added = insert(id, by, at);
        refresh();
        return added;
    }

    /** Returns false if it was not disabled. */
    boolean remove(String id) {
        boolean removed = jdbc.update("DELETE FROM plugins_disabled WHERE plugin_id = ?", id) == 1;
        refresh();
        return removed;
    }

    private boolean insert(String id, String by, Instant at) {
        return jdbc.update("INSERT INTO plugins_disabled (plugin_id, disabled_by, disabled_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (plugin_id) DO NOTHING", id, by, Timestamp.from(at)) == 1;
    }
}
