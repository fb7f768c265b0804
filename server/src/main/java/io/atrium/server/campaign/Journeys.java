package io.atrium.server.campaign;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.profile.ProfileAdmin;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code journeys} and {@code journey_log} tables: where each person is in each campaign, and
 * every decision taken for them (the per-person trace). A journey's entry and end are its own row's
 * ({@code entered_at} and {@code entry_detail}, {@code ended_at} and {@code end_reason}); the trace
 * shows them as its first and last lines, so the log holds only what happened in between.
 */
@Component
public class Journeys {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Journeys.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;

    public Journeys(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.mapper = mapper;
    }

    /** One journey, as read and written by the engine. */
    public static final class Journey {
        long id;
        String campaignId;
        long profileId;
        String state;
        int step;
        int cascade;
        String messageId;
        String lastMessageId;
        Instant waitUntil;
        String waitingEvent;
        String lastWait;
        Instant wakeAt;
        JsonNode trigger;
        Instant enteredAt;
        String entryDetail;
        Instant endedAt;
        String endReason;
        Instant convertedAt;

        public long id() { return id; }
        public String campaignId() { return campaignId; }
        public long profileId() { return profileId; }
        public String state() { return state; }
        public int step() { return step; }
        public Instant enteredAt() { return enteredAt; }
        public Instant endedAt() { return endedAt; }
        public String endReason() { return endReason; }
        public Instant convertedAt() { return convertedAt; }
        public Instant wakeAt() { return wakeAt; }
    }

    /** One line of a journey's trace. */
    public record LogLine(String stepId, String kind, String channel, String messageId, String detail, Instant at) {
    }

    /**
     * Starts a journey now, once per entry key: the profile id, or the profile and the triggering
     * event when the campaign allows re-entry. Returns the new journey's id, or null when the person
     * is in (or was in) this campaign already.
     */
    public Long start(String campaignId, long profileId, String entryKey, JsonNode trigger, String detail) {
        // In a transaction that an erasure of the person waits for; a person erased (or merged away) before it starts nothing.
        return tx.execute(status -> {
            ProfileAdmin.noErasureMeanwhile(jdbc);
            List<Long> ids = jdbc.queryForList("INSERT INTO journeys (campaign_id, profile_id, entry_key, state, wake_at, trigger, entry_detail) "
                            + "SELECT ?, id, ?, 'active', now(), ?::jsonb, ? FROM profiles WHERE id = ? "
                            + "ON CONFLICT (campaign_id, entry_key) DO NOTHING RETURNING id",
                    Long.class, campaignId, entryKey, json(trigger == null ? Map.of() : trigger), detail, profileId);
            return ids.isEmpty() ? null : ids.get(0);
        });
    }

    /**
     * Takes up to {@code limit} journeys whose time has come and locks them ({@code FOR UPDATE SKIP
     * LOCKED}), so that no other engine worker, here or on another hub node, takes the same ones. Runs
     * in the caller's transaction, which holds the locks until it writes the journeys back with
     * {@link #saveAll}: a node that dies while advancing them (its connection closes, or it sits idle
     * in the transaction past {@code idle_in_transaction_session_timeout}) leaves them due for the next
     * worker at once. Whatever else wants to change a locked journey meanwhile (a goal conversion, a
     * message status or an event waking it) waits for that commit and then applies to the saved state.
     */
    public List<Journey> claimDue(int limit) {
        return jdbc.query("SELECT j.* FROM journeys j JOIN campaigns c ON c.id = j.campaign_id AND c.state = 'active' "
                + "WHERE j.wake_at <= now() ORDER BY j.wake_at LIMIT ? FOR UPDATE OF j SKIP LOCKED", this::row, limit);
    }

    /**
     * Those of {@code due} (claimed by {@link #claimDue}, in the caller's transaction) whose person still
     * has a profile, and the journeys whose profile is gone brought to where the person is now. A merge
     * moves the merged-away profile's journeys to the profile that remains, but a journey can still be
     * started for it just after: by a start that read the person a moment before the merge committed, or
     * by a broadcast from a segment membership the segment stage had not dropped yet. Such a journey
     * follows the merges to the profile that remains (a {@code merged} line in its trace) or, when that
     * person has a journey in the campaign already, is deleted as the merge would have; one whose person
     * was erased is deleted. Usually all profiles exist, and this is one query.
     */
    public List<Journey> followMerges(List<Journey> due) {
        if (due.isEmpty()) {
            return due;
        }
        Long[] people = due.stream().map(j -> j.profileId).distinct().toArray(Long[]::new);
        java.util.Set<Long> gone = new java.util.HashSet<>(jdbc.queryForList("SELECT u.id FROM unnest(?::bigint[]) AS u(id) "
                + "WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = u.id)", Long.class, (Object) people));
        if (gone.isEmpty()) {
            return due;
        }
        List<Journey> out = new java.util.ArrayList<>(due.size());
        for (Journey j : due) {
            if (!gone.contains(j.profileId)) {
                out.add(j);
                continue;
            }
            Long now = survivor(j.profileId);
            if (now == null || !jdbc.queryForList("SELECT id FROM journeys WHERE campaign_id = ? AND profile_id = ? AND id <> ? LIMIT 1",
                    Long.class, j.campaignId, now, j.id).isEmpty()) {
                jdbc.update("DELETE FROM journeys WHERE id = ?", j.id);
                log.info("Campaign {}: journey {} of profile {} deleted: {}", j.campaignId, j.id, j.profileId, now == null
                        ? "the person was erased" : "the profile was merged into " + now + ", which has a journey in the campaign");
                continue;
            }
            long was = j.profileId;
            jdbc.update("UPDATE journeys SET profile_id = ?, entry_key = CASE WHEN entry_key = ? THEN ? ELSE entry_key END WHERE id = ?",
                    now, String.valueOf(was), String.valueOf(now), j.id);
            jdbc.update("UPDATE journey_log SET profile_id = ? WHERE journey_id = ?", now, j.id);
            jdbc.update("UPDATE messages SET profile_id = ? WHERE profile_id = ?", now, was);
            j.profileId = now;
            log(j.id, j.campaignId, now, null, "merged", null, null, "profile " + was + " was merged into " + now);
            log.info("Campaign {}: journey {} follows profile {} into {}, which it was merged into", j.campaignId, j.id, was, now);
            out.add(j);
        }
        return out;
    }

    /** The profile that {@code profileId} ended up merged into (following merge after merge), or null when there is none. */
    private Long survivor(long profileId) {
        long at = profileId;
        for (int hop = 0; hop < 64; hop++) {
            List<Long> winner = jdbc.queryForList("SELECT winner_id FROM merges WHERE loser_id = ? AND undone_at IS NULL "
                    + "ORDER BY id DESC LIMIT 1", Long.class, at);
            if (winner.isEmpty()) {
                return null;
            }
            at = winner.get(0);
            if (!jdbc.queryForList("SELECT id FROM profiles WHERE id = ?", Long.class, at).isEmpty()) {
                return at;
            }
        }
        return null;
    }

    /** Writes the engine's new state of a journey (see {@link #saveAll}). */
    public void save(Journey j) {
        saveAll(List.of(j));
    }

    /**
     * Writes the engine's new state of many journeys in one statement. A journey that a goal event
     * converted meanwhile keeps its conversion: the engine's state is not written over it.
     */
    public void saveAll(List<Journey> js) {
        if (js.isEmpty()) {
            return;
        }
        int n = js.size();
        Long[] ids = new Long[n];
        String[] states = new String[n];
        Integer[] steps = new Integer[n];
        Integer[] cascades = new Integer[n];
        String[] messageIds = new String[n];
        String[] lastMessageIds = new String[n];
        String[] waitUntil = new String[n];
        String[] waitingEvents = new String[n];
        String[] lastWaits = new String[n];
        String[] wakeAt = new String[n];
        String[] endedAt = new String[n];
        String[] endReasons = new String[n];
        for (int i = 0; i < n; i++) {
            Journey j = js.get(i);
            ids[i] = j.id;
            states[i] = j.state;
            steps[i] = j.step;
            cascades[i] = j.cascade;
            messageIds[i] = j.messageId;
            lastMessageIds[i] = j.lastMessageId;
            waitUntil[i] = text(j.waitUntil);
            waitingEvents[i] = j.waitingEvent;
            lastWaits[i] = j.lastWait;
            wakeAt[i] = text(j.wakeAt);
            endedAt[i] = text(j.endedAt);
            endReasons[i] = j.endReason;
        }
        jdbc.update("UPDATE journeys j SET state = u.state, step = u.step, cascade = u.cascade, message_id = u.message_id, "
                        + "last_message_id = u.last_message_id, wait_until = u.wait_until, waiting_event = u.waiting_event, "
                        + "last_wait = u.last_wait, wake_at = u.wake_at, ended_at = u.ended_at, end_reason = u.end_reason, "
                        + "updated_at = now() FROM unnest(?::bigint[], ?::text[], ?::int[], ?::int[], ?::text[], ?::text[], "
                        + "?::timestamptz[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[]) "
                        + "AS u(id, state, step, cascade, message_id, last_message_id, wait_until, waiting_event, last_wait, wake_at, "
                        + "ended_at, end_reason) WHERE j.id = u.id AND j.converted_at IS NULL",
                ids, states, steps, cascades, messageIds, lastMessageIds, waitUntil, waitingEvents, lastWaits, wakeAt, endedAt,
                endReasons);
    }

    /**
     * The journey waiting on this message is due now. A status can arrive before the batch that sent the
     * message is written back (a fast provider, a receipt in milliseconds): the journey is then still
     * locked by that worker, and its committed row does not name the message yet, so nothing matches.
     * In that case the journey the message's dedupe key names ({@code j<journey id>-...}) is waited for
     * (its lock is the batch's) and then woken if it waits on this message.
     */
    public int wakeOnMessage(String messageId) {
        int n = jdbc.update("UPDATE journeys SET wake_at = now() WHERE message_id = ? AND state = 'waiting'", messageId);
        if (n > 0) {
            return n;
        }
        List<Long> inFlight = jdbc.queryForList("SELECT j.id FROM messages m JOIN journeys j ON j.id = "
                + "substring(m.dedupe_key from '^j([0-9]+)-')::bigint WHERE m.id = ? AND m.dedupe_key ~ '^j[0-9]+-' "
                + "AND j.state <> 'done' AND j.message_id IS DISTINCT FROM m.id", Long.class, messageId);
        if (inFlight.isEmpty()) {
            return 0; // not a journey's message, or its journey is written already (and does not wait on it)
        }
        jdbc.queryForList("SELECT id FROM journeys WHERE id = ? FOR UPDATE", Long.class, inFlight.get(0));
        return jdbc.update("UPDATE journeys SET wake_at = now() WHERE id = ? AND message_id = ? AND state = 'waiting'",
                inFlight.get(0), messageId);
    }

    /**
     * Wakes, in one statement, the journeys waiting for one of these stored events (by message id):
     * a waiting journey of the event's person whose {@code waiting_event} is the event's name.
     */
    public int wakeOnEvents(String[] messageIds) {
        return jdbc.update("UPDATE journeys j SET wake_at = now(), last_wait = 'event' FROM events e "
                + "WHERE e.message_id = ANY(?) AND e.type = 'track' AND e.event IS NOT NULL AND j.profile_id = e.profile_id "
                + "AND j.state = 'waiting' AND j.waiting_event = e.event", (Object) messageIds);
    }

    /** Ends this person's journeys in the campaign that are still running and entered within the goal window: converted. */
    public List<Long> convert(String campaignId, long profileId, Instant eventAt, java.time.Duration within, String event) {
        // The lines in the transaction that holds the journeys' row locks: an erasure deletes the journeys after it.
        return tx.execute(status -> {
            List<Long> ids = jdbc.queryForList("UPDATE journeys SET state = 'done', end_reason = 'converted', converted_at = ?, "
                            + "ended_at = now(), wake_at = NULL, updated_at = now() WHERE campaign_id = ? AND profile_id = ? "
                            + "AND state IN ('active', 'waiting') AND entered_at >= ? RETURNING id", Long.class,
                    Timestamp.from(eventAt), campaignId, profileId, Timestamp.from(eventAt.minus(within)));
            for (Long id : ids) {
                log(id, campaignId, profileId, null, "converted", null, null, "goal event " + event);
            }
            return ids;
        });
    }

    private final ThreadLocal<List<Object[]>> buffer = new ThreadLocal<>();

    public void log(long journeyId, String campaignId, long profileId, String stepId, String kind, String channel,
                    String messageId, String detail) {
        Object[] line = {journeyId, campaignId, profileId, stepId, kind, channel, messageId, detail};
        List<Object[]> b = buffer.get();
        if (b != null) {
            b.add(line);
        } else {
            insertLog(List.<Object[]>of(line));
        }
    }

    /** From now on this thread's log lines are kept until {@link #flush()} writes them in one statement. */
    public void buffer() {
        buffer.set(new java.util.ArrayList<>());
    }

    /** Writes the buffered log lines and stops buffering. */
    public void flush() {
        List<Object[]> b = buffer.get();
        buffer.remove();
        if (b != null && !b.isEmpty()) {
            insertLog(b);
        }
    }

    /** Log lines in one INSERT, in order (the trace reads them by id). */
    private void insertLog(List<Object[]> lines) {
        int n = lines.size();
        Long[] journeyIds = new Long[n];
        String[] campaignIds = new String[n];
        Long[] profileIds = new Long[n];
        String[] stepIds = new String[n];
        String[] kinds = new String[n];
        String[] channels = new String[n];
        String[] messageIds = new String[n];
        String[] details = new String[n];
        for (int i = 0; i < n; i++) {
            Object[] l = lines.get(i);
            journeyIds[i] = (Long) l[0];
            campaignIds[i] = (String) l[1];
            profileIds[i] = (Long) l[2];
            stepIds[i] = (String) l[3];
            kinds[i] = (String) l[4];
            channels[i] = (String) l[5];
            messageIds[i] = (String) l[6];
            details[i] = (String) l[7];
        }
        jdbc.update("INSERT INTO journey_log (journey_id, campaign_id, profile_id, step_id, kind, channel, message_id, detail) "
                        + "SELECT journey_id, campaign_id, profile_id, step_id, kind, channel, message_id, detail FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) "
                        + "WITH ORDINALITY AS u(journey_id, campaign_id, profile_id, step_id, kind, channel, message_id, detail, n) ORDER BY n",
                journeyIds, campaignIds, profileIds, stepIds, kinds, channels, messageIds, details);
    }

    /** Every journey of the person, in every campaign, oldest first. */
    public List<Journey> ofProfile(long profileId) {
        return jdbc.query("SELECT * FROM journeys WHERE profile_id = ? ORDER BY id", this::row, profileId);
    }

    public List<Journey> ofProfile(String campaignId, long profileId) {
        return jdbc.query("SELECT * FROM journeys WHERE campaign_id = ? AND profile_id = ? ORDER BY id", this::row, campaignId, profileId);
    }

    /**
     * Every line of a journey's trace, in order: {@code entered}, the decisions logged while it ran, and
     * {@code exited} with its end reason once it ended (a converted journey's last line is {@code converted}).
     */
    public List<LogLine> trace(Journey j) {
        List<LogLine> lines = new java.util.ArrayList<>();
        lines.add(new LogLine(null, "entered", null, null, j.entryDetail, j.enteredAt));
        lines.addAll(jdbc.query("SELECT step_id, kind, channel, message_id, detail, at FROM journey_log WHERE journey_id = ? ORDER BY id",
                (rs, i) -> new LogLine(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getTimestamp(6).toInstant()), j.id));
        if ("done".equals(j.state) && j.endReason != null && !"converted".equals(j.endReason)) {
            lines.add(new LogLine(null, "exited", null, null, j.endReason, j.endedAt));
        }
        return lines;
    }

    private Journey row(ResultSet rs, int i) throws SQLException {
        Journey j = new Journey();
        j.id = rs.getLong("id");
        j.campaignId = rs.getString("campaign_id");
        j.profileId = rs.getLong("profile_id");
        j.state = rs.getString("state");
        j.step = rs.getInt("step");
        j.cascade = rs.getInt("cascade");
        j.messageId = rs.getString("message_id");
        j.lastMessageId = rs.getString("last_message_id");
        j.waitUntil = instant(rs.getTimestamp("wait_until"));
        j.waitingEvent = rs.getString("waiting_event");
        j.lastWait = rs.getString("last_wait");
        j.wakeAt = instant(rs.getTimestamp("wake_at"));
        try {
            j.trigger = mapper.readTree(rs.getString("trigger"));
        } catch (java.io.IOException e) {
            throw new SQLException(e);
        }
        j.enteredAt = instant(rs.getTimestamp("entered_at"));
        j.entryDetail = rs.getString("entry_detail");
        j.endedAt = instant(rs.getTimestamp("ended_at"));
        j.endReason = rs.getString("end_reason");
        j.convertedAt = instant(rs.getTimestamp("converted_at"));
        return j;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
