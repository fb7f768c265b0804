package io.atrium.plugins.erp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.StateStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the JDBC source stopped: the watermark (and key) of the last row whose event the hub has
 * stored, under key {@code jdbc-watermark} of the hub's {@link StateStore} (shared by every hub
 * node of a cluster). Written with compare-and-set over the version last read, so a node that no
 * longer holds the poll lease cannot move the watermark back. A {@code jdbc-watermark.json} that
 * an older version left in the plugin's data directory is read once into the store and renamed
 * {@code jdbc-watermark.json.imported}.
 */
final class WatermarkStore {

    private static final Logger LOG = LoggerFactory.getLogger(WatermarkStore.class);

    /** A position: the watermark column's value, and the key column's when there is one. */
    record Mark(String column, SqlValue kind, Object value, String keyColumn, SqlValue keyKind, Object key) {
        String describe() {
            return column + "=" + kind.write(value) + (keyColumn == null || key == null ? "" : ", " + keyColumn + "="
                    + keyKind.write(key));
        }
    }

    static final String FILE = "jdbc-watermark.json";
    static final String KEY = "jdbc-watermark";

    private final StateStore state;
    private final Path legacyFile;
    /** The version of the stored mark last read or written (0: none stored). */
    private long version;

    WatermarkStore(StateStore state, Path dataDirectory) {
        this.state = state;
        this.legacyFile = dataDirectory.resolve(FILE);
    }

    /** Where the mark is kept, for messages. */
    String where() {
        return "the hub's plugin state (key '" + KEY + "')";
    }

    /** The stored mark, or null when there is none. */
    Mark load(ZoneId zone) throws IOException {
        Optional<StateStore.Entry> e = state.get(KEY);
        if (e.isEmpty() && Files.exists(legacyFile)) {
            importLegacyFile();
            e = state.get(KEY);
        }
        if (e.isEmpty()) {
            version = 0;
            return null;
        }
        version = e.get().version();
        return parse(JsonRecords.MAPPER.readTree(e.get().json()), zone);
    }

    private static Mark parse(JsonNode n, ZoneId zone) {
        SqlValue kind = SqlValue.valueOf(n.path("kind").asText());
        Object value = kind.parse(n.path("value").asText(), zone);
        String keyColumn = n.hasNonNull("keyColumn") ? n.get("keyColumn").asText() : null;
        SqlValue keyKind = n.hasNonNull("keyKind") ? SqlValue.valueOf(n.get("keyKind").asText()) : null;
        Object key = keyKind != null && n.hasNonNull("key") ? keyKind.parse(n.get("key").asText(), zone) : null;
        return new Mark(n.path("column").asText(), kind, value, keyColumn, keyKind, key);
    }

    /**
     * Stores {@code mark} over the one last read or written.
     *
     * @return false when another hub node stored a mark since (nothing is written: read it again)
     */
    boolean save(Mark mark) throws IOException {
        OptionalLong written = state.compareAndSet(KEY, version, json(mark));
        if (written.isEmpty()) {
            return false;
        }
        version = written.getAsLong();
        return true;
    }

    private static String json(Mark mark) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("column", mark.column());
        json.put("kind", mark.kind().name());
        json.put("value", mark.kind().write(mark.value()));
        json.put("keyColumn", mark.keyColumn());
        json.put("keyKind", mark.keyKind() == null ? null : mark.keyKind().name());
        json.put("key", mark.key() == null ? null : mark.keyKind().write(mark.key()));
        json.put("savedAt", Instant.now().toString());
        return JsonRecords.MAPPER.writeValueAsString(json);
    }

    private void importLegacyFile() throws IOException {
        JsonNode n = JsonRecords.MAPPER.readTree(legacyFile.toFile());
        if (n == null || !n.isObject()) {
            throw new IOException(legacyFile + " is not a JSON object");
        }
        boolean taken = state.compareAndSet(KEY, 0, n.toString()).isPresent();
        Files.move(legacyFile, legacyFile.resolveSibling(FILE + ".imported"), StandardCopyOption.REPLACE_EXISTING);
        LOG.info("erp: {} {}; it is kept as {}.imported", legacyFile, taken
                ? "was moved into the hub's plugin state (shared by every hub node)"
                : "is not used: another hub node's watermark was stored first", FILE);
    }
}
