package io.atrium.server.profile;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.api.ApiException;
import io.atrium.server.audit.AuditLog;
import io.atrium.server.broker.Queues;
import io.atrium.server.campaign.Journeys;
import io.atrium.server.message.MessageStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.JmsException;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Reading, exporting and erasing profiles, and undoing merges: what the profile API does. */
@Service
public class ProfileAdmin {

    private static final Logger log = LoggerFactory.getLogger(ProfileAdmin.class);
    public static final int RECENT_EVENTS = 20;
    public static final int MAX_PAGE_SIZE = 500;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;
    private final IdentityNormalizer normalizer;
    private final AuditLog audit;
    private final JmsTemplate jms;
    private final MessageStore messages;
    private final Journeys journeys;

    public ProfileAdmin(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper mapper, ProfileProperties properties,
                        AuditLog audit, JmsTemplate jms, MessageStore messages, Journeys journeys) {
        this.jdbc = jdbc;
        this.messages = messages;
        this.journeys = journeys;
        this.tx = tx;
        this.mapper = mapper;
        this.normalizer = new IdentityNormalizer(properties.getDefaultPhoneCountryCode());
        this.audit = audit;
        this.jms = jms;
    }

    public record IdentityView(String type, String value) {
    }

    public record ConsentView(boolean granted, Instant at) {
    }

    public record EventView(String messageId, String type, String event, String name, String userId, String anonymousId,
                            String groupId, String previousId, Instant timestamp, Instant originalTimestamp, Instant sentAt,
                            Instant receivedAt, Instant storedAt, String source, JsonNode traits, JsonNode properties,
                            JsonNode context, JsonNode identities) {
    }

    public record MergeView(long id, long winnerId, long loserId, String messageId, Instant at, Instant undoneAt) {
    }

    public record ProfileView(long id, List<IdentityView> identities, Map<String, JsonNode> traits,
                              Map<String, Map<String, ConsentView>> consents, List<Object> segments,
                              List<EventView> recentEvents, List<MergeView> merges, Instant createdAt, Instant updatedAt) {
    }

    public record EventPage(int page, int size, long total, List<EventView> events) {
    }

    /** The profile that holds this identity; 400 for an invalid type, 404 when no profile has it. */
    public long resolve(String idType, String idValue) {
        if (!IdentityNormalizer.validType(idType)) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "idType",
                    "message", "an identity type is lower case letters, digits and _ starting with a letter, such as "
                            + String.join(", ", IdentityNormalizer.WELL_KNOWN)));
        }
        Optional<String> value = normalizer.normalize(idType, idValue);
        List<Long> ids = value.isEmpty() ? List.of()
                : jdbc.queryForList("SELECT profile_id FROM identities WHERE type = ? AND value = ?", Long.class, idType, value.get());
        if (ids.isEmpty()) {
            throw ApiException.notFound("no profile has the identity " + idType + " with that value");
        }
        return ids.get(0);
    }

    /**
     * A profile named in a query parameter: its id, or {@code idType:idValue} such as
     * {@code email:ann@example.com}. 400 naming {@code field} when it is neither, 404 when nobody has it.
     */
    public long resolveRef(String field, String ref) {
        int colon = ref.indexOf(':');
        if (colon > 0) {
            return resolve(ref.substring(0, colon), ref.substring(colon + 1));
        }
        try {
            return Long.parseLong(ref.strip());
        } catch (NumberFormatException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", field,
                    "message", "a profile id (a number) or idType:idValue such as email:ann@example.com"));
        }
    }

    public ProfileView view(long id) {
        Map<String, Object> row = jdbc.queryForMap("SELECT created_at, updated_at FROM profiles WHERE id = ?", id);
        return new ProfileView(id, identities(id), traits(id), consents(id), segments(id),
                events(id, 0, RECENT_EVENTS), merges(id), ((Timestamp) row.get("created_at")).toInstant(),
                ((Timestamp) row.get("updated_at")).toInstant());
    }

    public EventPage page(long id, int page, int size) {
        long total = jdbc.queryForObject("SELECT count(*) FROM events WHERE profile_id = ?", Long.class, id);
        return new EventPage(page, size, total, events(id, (long) page * size, size));
    }

    /** Everything stored about the person: the GDPR export. */
    public Map<String, Object> export(long id) {
        return tx.execute(status -> {
            Map<String, Object> out = new LinkedHashMap<>();
            ProfileView v = view(id);
            out.put("exportedAt", Instant.now());
            out.put("id", id);
            out.put("createdAt", v.createdAt());
            out.put("updatedAt", v.updatedAt());
            out.put("identities", jdbc.query("SELECT type, value, first_seen FROM identities WHERE profile_id = ? ORDER BY type, value",
                    (rs, i) -> Map.of("type", rs.getString(1), "value", rs.getString(2), "firstSeen", rs.getTimestamp(3).toInstant()), id));
            out.put("traits", jdbc.query("SELECT name, value::text, set_at, message_id FROM traits WHERE profile_id = ? ORDER BY name",
                    (rs, i) -> Map.of("name", rs.getString(1), "value", tree(rs.getString(2)), "setAt", rs.getTimestamp(3).toInstant(),
                            "messageId", rs.getString(4)), id));
            out.put("consents", jdbc.query("SELECT channel, purpose, granted, set_at, message_id FROM consents WHERE profile_id = ? "
                    + "ORDER BY channel, purpose", (rs, i) -> Map.of("channel", rs.getString(1), "purpose", rs.getString(2),
                    "granted", rs.getBoolean(3), "setAt", rs.getTimestamp(4).toInstant(), "messageId", rs.getString(5)), id));
            out.put("segments", segments(id));
            out.put("events", events(id, 0, Integer.MAX_VALUE));
            // what was sent to the person (with its content and every status) and each campaign journey with its trace
            List<MessageStore.Row> sent = messages.list(id, null, 0, Integer.MAX_VALUE);
            List<Map<String, Object>> views = messages.views(sent);
            for (int i = 0; i < sent.size(); i++) {
                views.get(i).put("html", sent.get(i).html());
                views.get(i).put("links", sent.get(i).links());
            }
            out.put("messages", views);
            out.put("journeys", journeys.ofProfile(id).stream().map(j -> {
                Map<String, Object> journey = new LinkedHashMap<>();
                journey.put("campaignId", j.campaignId());
                journey.put("journeyId", j.id());
                journey.put("state", j.state());
                journey.put("enteredAt", j.enteredAt());
                journey.put("endedAt", j.endedAt());
                journey.put("endReason", j.endReason());
                journey.put("convertedAt", j.convertedAt());
                journey.put("log", journeys.trace(j));
                return journey;
            }).toList());
            out.put("merges", jdbc.query("SELECT id, winner_id, loser_id, message_id, at, undone_at, before::text FROM merges "
                    + "WHERE winner_id = ? OR loser_id = ? ORDER BY id", (rs, i) -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", rs.getLong(1));
                        m.put("winnerId", rs.getLong(2));
                        m.put("loserId", rs.getLong(3));
                        m.put("messageId", rs.getString(4));
                        m.put("at", rs.getTimestamp(5).toInstant());
                        m.put("undoneAt", instant(rs.getTimestamp(6)));
                        m.put("before", tree(rs.getString(7)));
                        return m;
                    }, id, id));
            return out;
        });
    }

    /**
     * Taken shared by whatever starts journeys, in the transaction that starts them and before its first
     * read of who enters ({@link io.atrium.server.campaign.Journeys#start}, a broadcast's chunk), and
     * exclusively by {@link #erase} before anything else: a start that races an erasure commits before it (and
     * the erasure deletes the journey with its trace) or reads after it (and finds no profile, no segment
     * membership). {@code journeys} and {@code journey_log} have no foreign key to do it.
     */
    public static void noErasureMeanwhile(JdbcTemplate jdbc) {
        jdbc.queryForObject("SELECT pg_advisory_xact_lock_shared(" + ERASURE_LOCK + ")::text", String.class);
    }

    private static final String ERASURE_LOCK = "hashtext('atrium.profile-erasure')";

    /** Erases the person everywhere in one transaction and records it in the audit log without personal data. */
    public Map<String, Object> erase(String idType, String idValue, String actor) {
        Map<String, Object> counts = tx.execute(status -> {
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(" + ERASURE_LOCK + ")::text", String.class);
            long id = resolve(idType, idValue);
            List<Long> locked = jdbc.queryForList("SELECT id FROM profiles WHERE id = ? FOR UPDATE", Long.class, id);
            if (locked.isEmpty()) {
                throw ApiException.notFound("no profile has the identity " + idType + " with that value");
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("profileId", id);
            c.put("events", jdbc.update("DELETE FROM events WHERE profile_id = ?", id));
            c.put("identities", jdbc.update("DELETE FROM identities WHERE profile_id = ?", id));
            c.put("traits", jdbc.update("DELETE FROM traits WHERE profile_id = ?", id));
            c.put("consents", jdbc.update("DELETE FROM consents WHERE profile_id = ?", id));
            c.put("merges", jdbc.update("DELETE FROM merges WHERE winner_id = ? OR loser_id = ?", id, id));
            c.put("segmentMemberships", jdbc.update("DELETE FROM segment_members WHERE profile_id = ?", id));
            // Journeys first: deleting one an engine worker holds waits for the worker's commit, and the messages it
            // wrote for the person are deleted next (the journeys' trace lines go with them, by trigger).
            c.put("journeys", jdbc.update("DELETE FROM journeys WHERE profile_id = ?", id));
            c.put("messages", jdbc.update("DELETE FROM messages WHERE profile_id = ?", id));
            jdbc.update("DELETE FROM profiles WHERE id = ?", id);
            audit.record(actor, "profile.erase", "profile/" + id, c);
            return c;
        });
        long id = ((Number) counts.get("profileId")).longValue();
        log.info("Erased profile {}: {}", id, counts);
        publish(new ProfileStore.Changes(List.of(), List.of(), List.of(id), List.of()));
        return counts;
    }

    /** Puts the two profiles of a merge back as they were before it; 409 when a later merge depends on it. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> undoMerge(long mergeId, String actor) {
        Map<String, Object> result = tx.execute(status -> {
            List<Map<String, Object>> rows = jdbc.queryForList(
                    "SELECT winner_id, loser_id, before::text AS before, undone_at FROM merges WHERE id = ? FOR UPDATE", mergeId);
            if (rows.isEmpty()) {
                throw ApiException.notFound("no merge with id " + mergeId);
            }
            Map<String, Object> m = rows.get(0);
            long winner = ((Number) m.get("winner_id")).longValue();
            long loser = ((Number) m.get("loser_id")).longValue();
            if (m.get("undone_at") != null) {
                throw new ApiException(HttpStatus.CONFLICT, "conflict", "merge " + mergeId + " was already undone at " + m.get("undone_at"));
            }
            if (jdbc.queryForList("SELECT id FROM profiles WHERE id = ? FOR UPDATE", Long.class, winner).isEmpty()) {
                throw new ApiException(HttpStatus.CONFLICT, "conflict", "profile " + winner + " that merge " + mergeId
                        + " merged into no longer exists");
            }
            List<Long> later = jdbc.queryForList("SELECT id FROM merges WHERE id > ? AND undone_at IS NULL "
                    + "AND (winner_id IN (?, ?) OR loser_id IN (?, ?)) ORDER BY id DESC", Long.class, mergeId, winner, loser, winner, loser);
            if (!later.isEmpty()) {
                throw new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("message",
                        "later merges involve profile " + winner + ": undo them first, newest first", "laterMerges", later));
            }
            Map<String, Object> before;
            try {
                before = mapper.readValue((String) m.get("before"), new TypeReference<>() { });
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("merge " + mergeId + " has an unreadable before-state", e);
            }
            Map<String, Object> l = (Map<String, Object>) before.get("loser");
            Map<String, Object> w = (Map<String, Object>) before.get("winner");
            jdbc.update("INSERT INTO profiles (id, created_at) VALUES (?, ?::timestamptz)", loser, l.get("createdAt"));
            List<Number> identityIds = (List<Number>) l.get("identityIds");
            Long[] ids = identityIds.stream().map(Number::longValue).toArray(Long[]::new);
            int identities = jdbc.update("UPDATE identities SET profile_id = ? WHERE profile_id = ? AND id = ANY(?)", loser, winner, ids);
            int events = jdbc.update("UPDATE events SET profile_id = ? WHERE profile_id = ? AND id IN "
                    + "(SELECT event_id FROM merge_events WHERE merge_id = ?)", loser, winner, mergeId);
            List<Map<String, Object>> loserTraits = (List<Map<String, Object>>) l.get("traits");
            List<Map<String, Object>> winnerTraits = (List<Map<String, Object>>) w.get("traits");
            for (Map<String, Object> t : loserTraits) {
                jdbc.update("INSERT INTO traits (profile_id, name, value, set_at, message_id) VALUES (?, ?, ?::jsonb, ?::timestamptz, ?)",
                        loser, t.get("name"), t.get("value"), t.get("set_at"), t.get("message_id"));
                // The winner's value goes back only where the merge set it and nothing newer came since.
                Map<String, Object> old = winnerTraits.stream().filter(x -> x.get("name").equals(t.get("name"))).findFirst().orElse(null);
                int still = jdbc.update("DELETE FROM traits WHERE profile_id = ? AND name = ? AND set_at = ?::timestamptz AND message_id = ?",
                        winner, t.get("name"), t.get("set_at"), t.get("message_id"));
                if (still > 0 && old != null) {
                    jdbc.update("INSERT INTO traits (profile_id, name, value, set_at, message_id) VALUES (?, ?, ?::jsonb, ?::timestamptz, ?)",
                            winner, old.get("name"), old.get("value"), old.get("set_at"), old.get("message_id"));
                }
            }
            List<Map<String, Object>> loserConsents = (List<Map<String, Object>>) l.get("consents");
            List<Map<String, Object>> winnerConsents = (List<Map<String, Object>>) w.get("consents");
            for (Map<String, Object> c : loserConsents) {
                jdbc.update("INSERT INTO consents (profile_id, channel, purpose, granted, set_at, message_id) VALUES (?, ?, ?, ?, ?::timestamptz, ?)",
                        loser, c.get("channel"), c.get("purpose"), c.get("granted"), c.get("set_at"), c.get("message_id"));
                Map<String, Object> old = winnerConsents.stream().filter(x -> x.get("channel").equals(c.get("channel"))
                        && x.get("purpose").equals(c.get("purpose"))).findFirst().orElse(null);
                int still = jdbc.update("DELETE FROM consents WHERE profile_id = ? AND channel = ? AND purpose = ? "
                        + "AND set_at = ?::timestamptz AND message_id = ?", winner, c.get("channel"), c.get("purpose"), c.get("set_at"), c.get("message_id"));
                if (still > 0 && old != null) {
                    jdbc.update("INSERT INTO consents (profile_id, channel, purpose, granted, set_at, message_id) VALUES (?, ?, ?, ?, ?::timestamptz, ?)",
                            winner, old.get("channel"), old.get("purpose"), old.get("granted"), old.get("set_at"), old.get("message_id"));
                }
            }
            jdbc.update("UPDATE merges SET undone_at = now(), undone_by = ? WHERE id = ?", actor, mergeId);
            jdbc.update("UPDATE profiles SET updated_at = now() WHERE id IN (?, ?)", winner, loser);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("mergeId", mergeId);
            r.put("profiles", List.of(winner, loser));
            r.put("identities", identities);
            r.put("events", events);
            audit.record(actor, "profile.merge.undo", "merge/" + mergeId, r);
            return r;
        });
        publish(new ProfileStore.Changes((List<Long>) result.get("profiles"), List.of(), List.of(), List.of()));
        return result;
    }

    /** The segments the person is in now, kept by the segment stage. */
    private List<Object> segments(long id) {
        return jdbc.query("SELECT s.id, s.name, m.entered_at FROM segment_members m JOIN segments s ON s.id = m.segment_id "
                + "WHERE m.profile_id = ? ORDER BY s.id", (rs, i) -> Map.of("id", rs.getLong(1), "name", rs.getString(2),
                "enteredAt", rs.getTimestamp(3).toInstant()), id);
    }

    /** Tells the next stages about a change made through the API (the profile stage publishes its own in its JMS transaction). */
    void publish(ProfileStore.Changes changes) {
        try {
            String body = mapper.writeValueAsString(changes);
            jms.execute(session -> {
                try (var producer = session.createProducer(session.createTopic(Queues.PROFILE_CHANGED))) {
                    producer.send(session.createTextMessage(body));
                }
                return null;
            }, true);
        } catch (JsonProcessingException | JmsException e) {
            log.warn("Could not publish profile change {}: {}", changes, e.toString());
        }
    }

    private List<IdentityView> identities(long id) {
        return jdbc.query("SELECT type, value FROM identities WHERE profile_id = ? ORDER BY type, value",
                (rs, i) -> new IdentityView(rs.getString(1), rs.getString(2)), id);
    }

    private Map<String, JsonNode> traits(long id) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        jdbc.query("SELECT name, value::text FROM traits WHERE profile_id = ? ORDER BY name", rs -> {
            out.put(rs.getString(1), tree(rs.getString(2)));
        }, id);
        return out;
    }

    private Map<String, Map<String, ConsentView>> consents(long id) {
        Map<String, Map<String, ConsentView>> out = new LinkedHashMap<>();
        jdbc.query("SELECT channel, purpose, granted, set_at FROM consents WHERE profile_id = ? ORDER BY channel, purpose", rs -> {
            out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                    .put(rs.getString(2), new ConsentView(rs.getBoolean(3), rs.getTimestamp(4).toInstant()));
        }, id);
        return out;
    }

    private List<MergeView> merges(long id) {
        return jdbc.query("SELECT id, winner_id, loser_id, message_id, at, undone_at FROM merges WHERE winner_id = ? OR loser_id = ? ORDER BY id",
                (rs, i) -> new MergeView(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
                        instant(rs.getTimestamp(6))), id, id);
    }

    private List<EventView> events(long id, long offset, int limit) {
        return jdbc.query("""
                SELECT message_id, type, event, name, user_id, anonymous_id, group_id, previous_id, timestamp, original_timestamp,
                       sent_at, received_at, stored_at, source, traits::text, properties::text, context::text, identities::text
                FROM events WHERE profile_id = ? ORDER BY timestamp DESC, id DESC OFFSET ? LIMIT ?
                """, this::event, id, offset, limit);
    }

    private EventView event(ResultSet rs, int i) throws SQLException {
        return new EventView(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)),
                instant(rs.getTimestamp(12)), instant(rs.getTimestamp(13)), rs.getString(14), tree(rs.getString(15)), tree(rs.getString(16)),
                tree(rs.getString(17)), tree(rs.getString(18)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private JsonNode tree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    /** The ids of merges to undo in the order that works (newest first). */
    public List<Long> mergesOf(long profileId) {
        return new ArrayList<>(jdbc.queryForList("SELECT id FROM merges WHERE winner_id = ? AND undone_at IS NULL ORDER BY id DESC",
                Long.class, profileId));
    }
}
