package io.atrium.server.campaign;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@code journeys} and {@code journey_log} tables: where each person is in each campaign, and
 * every decision taken for them (the per-person trace).
 */
@Component
public class Journeys {

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;

    public Journeys(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
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
        List<Long> ids = jdbc.queryForList("INSERT INTO journeys (campaign_id, profile_id, entry_key, state, wake_at, trigger) "
                        + "VALUES (?, ?, ?, 'active', now(), ?::jsonb) ON CONFLICT (campaign_id, entry_key) DO NOTHING RETURNING id",
                Long.class, campaignId, profileId, entryKey, json(trigger == null ? Map.of() : trigger));
        if (ids.isEmpty()) {
            return null;
        }
        log(ids.get(0), campaignId, profileId, null, "entered", null, null, detail);
        return ids.get(0);
    }

    /**
     * Takes up to {@code limit} journeys whose time has come, for this node alone (SKIP LOCKED), and
     * leases them until {@code leaseUntil}: a node that dies while advancing them leaves them to be
     * taken again then.
     */
    public List<Journey> claimDue(int limit, Instant leaseUntil) {
        return jdbc.query("UPDATE journeys j SET wake_at = ? FROM (SELECT j2.id FROM journeys j2 JOIN campaigns c "
                        + "ON c.id = j2.campaign_id AND c.state = 'active' WHERE j2.wake_at <= now() ORDER BY j2.wake_at "
                        + "LIMIT ? FOR UPDATE OF j2 SKIP LOCKED) due WHERE j.id = due.id RETURNING j.*",
                this::row, Timestamp.from(leaseUntil), limit);
    }

    /**
     * Writes the engine's new state of a journey. If someone woke it while it was being advanced
     * (its wake time moved before the lease), it stays due so that the news is not lost.
     */
    public void save(Journey j, Instant leaseUntil) {
        saveAll(List.of(j), leaseUntil);
    }

    private static final String SAVE_SQL = "UPDATE journeys SET state = ?, step = ?, cascade = ?, message_id = ?, "
            + "last_message_id = ?, wait_until = ?, waiting_event = ?, last_wait = ?, "
            + "wake_at = CASE WHEN wake_at < ? THEN wake_at ELSE ? END, ended_at = ?, end_reason = ?, updated_at = now() WHERE id = ?";

    /** {@link #save} for many, in one batch. */
    public void saveAll(List<Journey> js, Instant leaseUntil) {
        List<Object[]> args = new java.util.ArrayList<>();
        for (Journey j : js) {
            args.add(new Object[] {j.state, j.step, j.cascade, j.messageId, j.lastMessageId, ts(j.waitUntil), j.waitingEvent,
                    j.lastWait, Timestamp.from(leaseUntil), ts(j.wakeAt), ts(j.endedAt), j.endReason, j.id});
        }
        jdbc.batchUpdate(SAVE_SQL, args);
    }

    /** The journey waiting on this message is due now. */
    public int wakeOnMessage(String messageId) {
        return jdbc.update("UPDATE journeys SET wake_at = now() WHERE message_id = ? AND state = 'waiting'", messageId);
    }

    /** Journeys of this person waiting for the event {@code name} are due now, and know it came. */
    public int wakeOnEvent(long profileId, String name) {
        return jdbc.update("UPDATE journeys SET wake_at = now(), last_wait = 'event' WHERE profile_id = ? AND state = 'waiting' "
                + "AND waiting_event = ?", profileId, name);
    }

    /** Ends this person's journeys in the campaign that are still running and entered within the goal window: converted. */
    public List<Long> convert(String campaignId, long profileId, Instant eventAt, java.time.Duration within, String event) {
        List<Long> ids = jdbc.queryForList("UPDATE journeys SET state = 'done', end_reason = 'converted', converted_at = ?, "
                        + "ended_at = now(), wake_at = NULL, updated_at = now() WHERE campaign_id = ? AND profile_id = ? "
                        + "AND state IN ('active', 'waiting') AND entered_at >= ? RETURNING id", Long.class,
                Timestamp.from(eventAt), campaignId, profileId, Timestamp.from(eventAt.minus(within)));
        for (Long id : ids) {
            log(id, campaignId, profileId, null, "converted", null, null, "goal event " + event);
        }
        return ids;
    }

    private static final String LOG_SQL = "INSERT INTO journey_log (journey_id, campaign_id, profile_id, step_id, kind, channel, "
            + "message_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private final ThreadLocal<List<Object[]>> buffer = new ThreadLocal<>();

    public void log(long journeyId, String campaignId, long profileId, String stepId, String kind, String channel,
                    String messageId, String detail) {
        Object[] line = {journeyId, campaignId, profileId, stepId, kind, channel, messageId, detail};
        List<Object[]> b = buffer.get();
        if (b != null) {
            b.add(line);
        } else {
            jdbc.update(LOG_SQL, line);
        }
    }

    /** From now on this thread's log lines are kept until {@link #flush()} writes them in one batch. */
    public void buffer() {
        buffer.set(new java.util.ArrayList<>());
    }

    /** Writes the buffered log lines and stops buffering. */
    public void flush() {
        List<Object[]> b = buffer.get();
        buffer.remove();
        if (b != null && !b.isEmpty()) {
            jdbc.batchUpdate(LOG_SQL, b);
        }
    }

    public List<Journey> ofProfile(String campaignId, long profileId) {
        return jdbc.query("SELECT * FROM journeys WHERE campaign_id = ? AND profile_id = ? ORDER BY id", this::row, campaignId, profileId);
    }

    public List<LogLine> trace(long journeyId) {
        return jdbc.query("SELECT step_id, kind, channel, message_id, detail, at FROM journey_log WHERE journey_id = ? ORDER BY id",
                (rs, i) -> new LogLine(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getTimestamp(6).toInstant()), journeyId);
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
        j.endedAt = instant(rs.getTimestamp("ended_at"));
        j.endReason = rs.getString("end_reason");
        j.convertedAt = instant(rs.getTimestamp("converted_at"));
        return j;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
