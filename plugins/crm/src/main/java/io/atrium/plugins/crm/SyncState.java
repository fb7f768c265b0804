package io.atrium.plugins.crm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the plugin remembers across restarts, in its data directory:
 *
 * <ul>
 * <li>{@code cursors.json}: per object type, the last change polled (its time, and the ids of the
 *     objects changed at exactly that millisecond, so they are not handed to the hub again), and
 *     {@code since}, when the plugin began watching;</li>
 * <li>{@code deals.json}: each deal's stage and last change seen, to tell {@code deal_stage_changed}
 *     from {@code deal_updated}.</li>
 * </ul>
 *
 * Both are written whole to a temporary file and moved over the old one, so a crash leaves the old
 * or the new state, never half of one. Both name the CRM they belong to ({@code mode} and
 * {@code api-url}): the state of another CRM is set aside, not followed.
 */
final class SyncState {

    private static final Logger LOG = LoggerFactory.getLogger(SyncState.class);

    static final String CURSORS = "cursors.json";
    static final String DEALS = "deals.json";

    /** Where polling an object type has got to. */
    record Cursor(long modifiedMs, Set<String> ids) {
        Cursor {
            ids = Collections.unmodifiableSet(new TreeSet<>(ids));
        }

        Instant modified() {
            return Instant.ofEpochMilli(modifiedMs);
        }

        /** True when {@code record} is one this cursor has already passed on. */
        boolean covers(String id, long modifiedMs) {
            return modifiedMs < this.modifiedMs || (modifiedMs == this.modifiedMs && ids.contains(id));
        }

        /** This cursor moved on by one more record. */
        Cursor advance(String id, long ms) {
            if (ms > modifiedMs) {
                return new Cursor(ms, Set.of(id));
            }
            if (ms == modifiedMs && !ids.contains(id)) {
                Set<String> more = new LinkedHashSet<>(ids);
                more.add(id);
                return new Cursor(ms, more);
            }
            return this;
        }
    }

    /** A deal as last seen. */
    record DealState(String stage, long modifiedMs) {
    }

    private final Path cursorFile;
    private final Path dealFile;
    private final String source;
    private final Instant since;
    private final Map<ObjectType, Cursor> cursors = new LinkedHashMap<>();
    private final Map<String, DealState> deals = new LinkedHashMap<>();

    private SyncState(Path dir, String source, Instant since) {
        this.cursorFile = dir.resolve(CURSORS);
        this.dealFile = dir.resolve(DEALS);
        this.source = source;
        this.since = since;
    }

    /**
     * Reads the state in {@code dir}, or starts a new one.
     *
     * @param source what the state belongs to, e.g. {@code hubspot https://api.hubapi.com}
     * @param since  when a new state begins watching (poll-start resolved now)
     * @throws IllegalStateException when a state file cannot be read, naming it
     */
    static SyncState open(Path dir, String source, Instant since) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("crm: cannot create the data directory " + dir + ": " + e.getMessage(), e);
        }
        JsonNode c = read(dir.resolve(CURSORS));
        JsonNode d = read(dir.resolve(DEALS));
        boolean mine = c != null && source.equals(Json.text(c, "source"));
        if (c != null && !mine) {
            LOG.warn("crm: {} belongs to '{}', not to '{}' (mode or api-url changed); it is kept as {}.previous and "
                    + "polling starts again as poll-start says", dir.resolve(CURSORS), Json.text(c, "source"), source, CURSORS);
            setAside(dir.resolve(CURSORS));
            setAside(dir.resolve(DEALS));
        }
        Instant begun = mine ? Json.instant(c.get("since")) : null;
        SyncState s = new SyncState(dir, source, begun != null ? begun : since);
        if (mine) {
            c.path("cursors").fields().forEachRemaining(e -> ObjectType.byPlural(e.getKey()).ifPresent(t -> {
                Set<String> ids = new LinkedHashSet<>();
                e.getValue().path("ids").forEach(id -> ids.add(id.asText()));
                s.cursors.put(t, new Cursor(e.getValue().path("modified").asLong(), ids));
            }));
            if (d != null && source.equals(Json.text(d, "source"))) {
                d.path("deals").fields().forEachRemaining(e -> s.deals.put(e.getKey(),
                        new DealState(Json.text(e.getValue(), "stage"), e.getValue().path("modified").asLong())));
            }
        } else {
            s.writeCursors();
        }
        return s;
    }

    /** When the plugin began watching this CRM: deals first seen and created after it are {@code deal_created}. */
    Instant since() {
        return since;
    }

    /** The cursor of {@code type}, created at {@code initial} (and saved) when there is none yet. */
    synchronized Cursor cursor(ObjectType type, Instant initial) {
        Cursor c = cursors.get(type);
        if (c == null) {
            c = new Cursor(initial.toEpochMilli(), Set.of());
            cursors.put(type, c);
            writeCursors();
        }
        return c;
    }

    synchronized void saveCursor(ObjectType type, Cursor cursor) {
        if (!cursor.equals(cursors.get(type))) {
            cursors.put(type, cursor);
            writeCursors();
        }
    }

    synchronized DealState deal(String id) {
        return deals.get(id);
    }

    synchronized void saveDeals(Map<String, DealState> changed) {
        if (!changed.isEmpty()) {
            deals.putAll(changed);
            writeDeals();
        }
    }

    private void writeCursors() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", 1);
        root.put("source", source);
        root.put("since", since.toString());
        ObjectNode cs = root.putObject("cursors");
        cursors.forEach((t, c) -> {
            ObjectNode n = cs.putObject(t.plural());
            n.put("modified", c.modifiedMs());
            n.put("modifiedAt", c.modified().toString());
            c.ids().forEach(n.putArray("ids")::add);
        });
        write(cursorFile, root);
    }

    private void writeDeals() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", 1);
        root.put("source", source);
        ObjectNode ds = root.putObject("deals");
        deals.forEach((id, d) -> {
            ObjectNode n = ds.putObject(id);
            n.put("stage", d.stage());
            n.put("modified", d.modifiedMs());
        });
        write(dealFile, root);
    }

    private static void write(Path file, JsonNode json) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("crm: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode read(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new IOException("not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalStateException("crm: cannot read " + file + " (" + e.getMessage() + "); fix it, or delete it "
                    + "to start polling again as poll-start says", e);
        }
    }

    private static void setAside(Path file) {
        if (Files.exists(file)) {
            try {
                Files.move(file, file.resolveSibling(file.getFileName() + ".previous"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("crm: cannot move " + file + " aside: " + e.getMessage(), e);
            }
        }
    }

    /** For tests and logs: the object types with a cursor. */
    synchronized List<ObjectType> cursorTypes() {
        return List.copyOf(cursors.keySet());
    }
}
