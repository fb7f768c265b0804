package io.atrium.plugins.erp;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the JDBC source stopped: the watermark (and key) of the last row whose event the hub has
 * stored, in {@code jdbc-watermark.json} under the plugin's data directory. Written to a temporary
 * file, flushed to disk and moved over the old one, so a crash leaves either the old or the new
 * position, never a torn file.
 */
final class WatermarkStore {

    /** A position: the watermark column's value, and the key column's when there is one. */
    record Mark(String column, SqlValue kind, Object value, String keyColumn, SqlValue keyKind, Object key) {
        String describe() {
            return column + "=" + kind.write(value) + (keyColumn == null || key == null ? "" : ", " + keyColumn + "="
                    + keyKind.write(key));
        }
    }

    static final String FILE = "jdbc-watermark.json";

    private final Path file;

    WatermarkStore(Path dataDirectory) {
        this.file = dataDirectory.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /** The stored mark, or null when there is none. */
    Mark load(ZoneId zone) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode n = JsonRecords.MAPPER.readTree(file.toFile());
        SqlValue kind = SqlValue.valueOf(n.path("kind").asText());
        Object value = kind.parse(n.path("value").asText(), zone);
        String keyColumn = n.hasNonNull("keyColumn") ? n.get("keyColumn").asText() : null;
        SqlValue keyKind = n.hasNonNull("keyKind") ? SqlValue.valueOf(n.get("keyKind").asText()) : null;
        Object key = keyKind != null && n.hasNonNull("key") ? keyKind.parse(n.get("key").asText(), zone) : null;
        return new Mark(n.path("column").asText(), kind, value, keyColumn, keyKind, key);
    }

    void save(Mark mark) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("column", mark.column());
        json.put("kind", mark.kind().name());
        json.put("value", mark.kind().write(mark.value()));
        json.put("keyColumn", mark.keyColumn());
        json.put("keyKind", mark.keyKind() == null ? null : mark.keyKind().name());
        json.put("key", mark.key() == null ? null : mark.keyKind().write(mark.key()));
        json.put("savedAt", Instant.now().toString());
        byte[] bytes = JsonRecords.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json)
                .getBytes(StandardCharsets.UTF_8);
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
