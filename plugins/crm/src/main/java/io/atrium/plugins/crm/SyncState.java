package io.atrium.plugins.crm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.atrium.plugin.api.StateStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the plugin remembers, in the hub's {@link StateStore} (shared by every hub node):
 *
 * <ul>
 * <li>key {@code cursors}: per object type, the last change polled (its time, and the ids of the
 *     objects changed at exactly that millisecond, so they are not handed to the hub again), and
 *     {@code since}, when the plugin began watching; written with compare-and-set, so a node that
 *     lost the poll lease cannot move the cursors back or sideways ({@link CursorsMoved});</li>
 * <li>keys {@code deal/<id>}: each deal's stage and last change seen, to tell
 *     {@code deal_stage_changed} from {@code deal_updated}.</li>
 * </ul>
 *
 * Every value names the CRM it belongs to ({@code mode} and {@code api-url}): the state of another
 * CRM is replaced (cursors) or ignored (deals), not followed. {@code cursors.json} and
 * {@code deals.json} of older versions, in the plugin's data directory, are read once into the store
 * and renamed {@code *.imported}.
 */
final class SyncState {

    private static final Logger LOG = LoggerFactory.getLogger(SyncState.class);

    static final String CURSORS = "cursors.json";
    static final String DEALS = "deals.json";
    static final String CURSORS_KEY = "cursors";
    static final String DEAL_KEY = "deal/";

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

    /** Another node wrote the cursors since this one read them: this node's poll round ends, the next reads them again. */
    static final class CursorsMoved extends RuntimeException {
        CursorsMoved() {
            super("crm: another hub node moved the poll cursors on (it holds the poll lease now); this round ends here",
                    null, false, false);
        }
    }

    private final StateStore store;
    private final String source;
    private Instant since;
    private long version;
    private final Map<ObjectType, Cursor> cursors = new LinkedHashMap<>();

    private SyncState(StateStore store, String source, Instant since) {
        this.store = store;
        this.source = source;
        this.since = since;
    }

    /**
     * Reads the state from {@code store} (first moving {@code cursors.json} and {@code deals.json}
     * of an older version from {@code legacyDir} into it), or starts a new one.
     *
     * @param source what the state belongs to, e.g. {@code hubspot https://api.hubapi.com}
     * @param since  when a new state begins watching (poll-start resolved now)
     * @throws IllegalStateException when a state file cannot be read, naming it
     */
    static SyncState open(StateStore store, Path legacyDir, String source, Instant since) {
        SyncState s = new SyncState(store, source, since);
        importFiles(store, legacyDir, source);
        if (!s.reload()) {
            s.cursors.clear();
            s.since = since;
            try {
                s.version = s.writeCursors(s.version);
            } catch (CursorsMoved e) {
                s.reload(); // another node started the same CRM's state at the same moment: follow it
            }
        }
        return s;
    }

    /** Reads the cursors again (another node may have moved them on). Returns false when the stored ones are absent or another CRM's. */
    synchronized boolean reload() {
        Optional<StateStore.Entry> e = store.get(CURSORS_KEY);
        if (e.isEmpty()) {
            version = 0;
            return false;
        }
        version = e.get().version();
        JsonNode c = parse(e.get().json());
        if (!source.equals(Json.text(c, "source"))) {
            LOG.warn("crm: the stored poll cursors belong to '{}', not to '{}' (mode or api-url changed); polling starts "
                    + "again as poll-start says", Json.text(c, "source"), source);
            return false;
        }
        Instant begun = Json.instant(c.get("since"));
        if (begun != null) {
            since = begun;
        }
        cursors.clear();
        cursors.putAll(readCursors(c));
        return true;
    }

    private static Map<ObjectType, Cursor> readCursors(JsonNode c) {
        Map<ObjectType, Cursor> out = new LinkedHashMap<>();
        c.path("cursors").fields().forEachRemaining(e -> ObjectType.byPlural(e.getKey()).ifPresent(t -> {
            Set<String> ids = new LinkedHashSet<>();
            e.getValue().path("ids").forEach(id -> ids.add(id.asText()));
            out.put(t, new Cursor(e.getValue().path("modified").asLong(), ids));
        }));
        return out;
    }

    /** When the plugin began watching this CRM: deals first seen and created after it are {@code deal_created}. */
    synchronized Instant since() {
        return since;
    }

    /** The cursor of {@code type}, created at {@code initial} (and saved) when there is none yet. */
    synchronized Cursor cursor(ObjectType type, Instant initial) {
        Cursor c = cursors.get(type);
        if (c == null) {
            c = new Cursor(initial.toEpochMilli(), Set.of());
            saveCursor(type, c);
        }
        return c;
    }

    /** @throws CursorsMoved when another node wrote the cursors since they were read */
    synchronized void saveCursor(ObjectType type, Cursor cursor) {
        if (!cursor.equals(cursors.get(type))) {
            Cursor before = cursors.put(type, cursor);
            try {
                version = writeCursors(version);
            } catch (CursorsMoved e) {
                if (before == null) {
                    cursors.remove(type);
                } else {
                    cursors.put(type, before);
                }
                throw e;
            }
        }
    }

    synchronized DealState deal(String id) {
        Optional<StateStore.Entry> e = store.get(DEAL_KEY + id);
        if (e.isEmpty()) {
            return null;
        }
        JsonNode d = parse(e.get().json());
        return source.equals(Json.text(d, "source")) ? new DealState(Json.text(d, "stage"), d.path("modified").asLong()) : null;
    }

    synchronized void saveDeals(Map<String, DealState> changed) {
        changed.forEach((id, d) -> store.put(DEAL_KEY + id, dealJson(source, d)));
    }

    private static String dealJson(String source, DealState d) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("source", source);
        n.put("stage", d.stage());
        n.put("modified", d.modifiedMs());
        return n.toString();
    }

    /** Writes the cursors over {@code expected}; returns the new version. */
    private long writeCursors(long expected) {
        OptionalLong written = store.compareAndSet(CURSORS_KEY, expected, cursorsJson(source, since, cursors));
        if (written.isEmpty()) {
            throw new CursorsMoved();
        }
        return written.getAsLong();
    }

    private static String cursorsJson(String source, Instant since, Map<ObjectType, Cursor> cursors) {
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
        return root.toString();
    }

    /**
     * Moves the state files of an older version into the store, once: {@code cursors.json} (if it
     * is this CRM's and the store has no cursors yet) and the deals of {@code deals.json} the store
     * does not know; both are then renamed {@code *.imported}. What another node stored first is kept.
     */
    private static void importFiles(StateStore store, Path dir, String source) {
        Path cursorFile = dir.resolve(CURSORS);
        Path dealFile = dir.resolve(DEALS);
        JsonNode c = read(cursorFile);
        if (c == null) {
            return;
        }
        if (source.equals(Json.text(c, "source"))) {
            JsonNode d = read(dealFile);
            if (d != null && source.equals(Json.text(d, "source"))) {
                // Only deals the store does not know yet: what another node stored is newer.
                d.path("deals").fields().forEachRemaining(e -> store.compareAndSet(DEAL_KEY + e.getKey(), 0, dealJson(source,
                        new DealState(Json.text(e.getValue(), "stage"), e.getValue().path("modified").asLong()))));
            }
            Instant since = Json.instant(c.get("since"));
            boolean taken = store.compareAndSet(CURSORS_KEY, 0, cursorsJson(source, since != null ? since : Instant.now(),
                    readCursors(c))).isPresent();
            LOG.info("crm: {} {}; it is kept as {}.imported", cursorFile, taken
                    ? "was moved into the hub's state store (shared by every hub node)"
                    : "is not used: another hub node's cursors were stored first", CURSORS);
        } else {
            LOG.warn("crm: {} belongs to '{}', not to '{}' (mode or api-url changed); it is not used and kept as {}.imported",
                    cursorFile, Json.text(c, "source"), source, CURSORS);
        }
        rename(cursorFile);
        rename(dealFile);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("crm: a stored state value is not JSON: " + e.getOriginalMessage(), e);
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

    private static void rename(Path file) {
        if (Files.exists(file)) {
            try {
                Files.move(file, file.resolveSibling(file.getFileName() + ".imported"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("crm: cannot rename " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** For tests and logs: the object types with a cursor. */
    synchronized List<ObjectType> cursorTypes() {
        return List.copyOf(cursors.keySet());
    }
}
