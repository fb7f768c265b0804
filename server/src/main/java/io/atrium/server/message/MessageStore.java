package io.atrium.server.message;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.profile.ProfileAdmin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code messages} and {@code message_statuses} tables: every message the hub was asked to
 * send, and every status it went through. Recording a status also hands the person's profile an
 * event {@code message_<status>} through the intake, so segments and campaigns can use it.
 */
@Component
public class MessageStore {

    private static final Logger log = LoggerFactory.getLogger(MessageStore.class);

    /** Internal status while a consumer hands the message to the provider. */
    public static final String SENDING = "sending";
    /** Source of the events the hub writes about messages. */
    public static final String SOURCE = "hub:messages";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    /** A transaction of its own, whatever the caller is in. */
    private final TransactionTemplate ownTx;
    private final ObjectMapper mapper;
    private final EventIntake intake;
    private final MeterRegistry registry;

    private final org.springframework.context.ApplicationEventPublisher publisher;

    /** Published after a status of a campaign's message is recorded, so the journey waiting on it moves on. */
    public record StatusRecorded(String messageId, String campaignId, MessageStatus status) {
    }

    public MessageStore(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper mapper, EventIntake intake, MeterRegistry registry,
                        org.springframework.context.ApplicationEventPublisher publisher) {
        this.publisher = publisher;
        this.jdbc = jdbc;
        this.tx = tx;
        this.ownTx = new TransactionTemplate(tx.getTransactionManager());
        this.ownTx.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.mapper = mapper;
        this.intake = intake;
        this.registry = registry;
    }

    /** One row of {@code messages}. */
    public record Row(String id, Long profileId, String channel, String addressType, String address, String purpose,
                      String templateId, String campaignId, String stepId, String dedupeKey, String subject, String text,
                      String html, List<String> links, Map<String, Object> attributes, String status, String reason,
                      String detail, String providerMessageId, int attempts, Instant createdAt, Instant updatedAt) {
    }

    /** One status of a message. */
    public record StatusRow(String status, String reason, String detail, Instant at, Map<String, Object> attributes) {
    }

    /** What a new message is. */
    public record NewMessage(String id, long profileId, String channel, String addressType, String address, String purpose,
                             String templateId, String campaignId, String stepId, String dedupeKey, String subject,
                             String text, String html, List<String> links, Map<String, Object> attributes) {
    }

    /** A new message with its first status. */
    public record Pending(NewMessage message, MessageStatus status, String reason, String detail) {
    }

    /**
     * Inserts a message with its first status ({@code queued}, or {@code failed} with a reason when the
     * hub will not send it). A message with the same dedupe key as an earlier one is not inserted: the
     * earlier one is returned instead.
     */
    public Row insert(NewMessage m, MessageStatus status, String reason, String detail) {
        return insertAll(List.of(new Pending(m, status, reason, detail))).rows().get(0);
    }

    /**
     * What {@link #insertAll} wrote: the rows, in order, and the {@code message_enqueues} row that lists the
     * new queued ones until their ids are on the outbound queue (null when none is queued).
     */
    public record Inserted(List<Row> rows, Long enqueue) {
    }

    /**
     * {@link #insert} for many: one statement for the messages, in a transaction of its own (committed
     * when this returns, even inside a caller's transaction, so that the ids can go on the outbound queue
     * at once); the rows come back in order. A {@code queued} message carries its first status in its own
     * row ({@link #history} shows it from there); only a message the hub will not send gets a status row
     * now. The same statement lists the new queued ids in {@code message_enqueues}, which
     * {@link #whileEnqueuing} clears once they are on the queue.
     */
    public Inserted insertAll(List<Pending> items) {
        return insertAll(items, true);
    }

    /**
     * {@link #insertAll(List)}; with {@code guardErasure} the statement runs under the shared erasure lock
     * ({@link ProfileAdmin#noErasureMeanwhile}) and leaves out a message whose profile is gone, so that an
     * erasure committed after the caller looked the person up never leaves a message (with the person's
     * address) behind to be sent: its row in the answer is null. A caller that holds row locks an erasure
     * waits for (a campaign worker's journeys) passes false: taking the lock there would wait for the
     * erasure that waits for the caller; the erasure deletes what such a caller writes, as it deletes the
     * person's messages after the journeys it waited for.
     */
    public Inserted insertAll(List<Pending> items, boolean guardErasure) {
        if (items.isEmpty()) {
            return new Inserted(List.of(), null);
        }
        int n = items.size();
        String[] ids = new String[n];
        Long[] profileIds = new Long[n];
        String[] channels = new String[n];
        String[] addressTypes = new String[n];
        String[] addresses = new String[n];
        String[] purposes = new String[n];
        String[] templateIds = new String[n];
        String[] campaignIds = new String[n];
        String[] stepIds = new String[n];
        String[] dedupeKeys = new String[n];
        String[] subjects = new String[n];
        String[] texts = new String[n];
        String[] htmls = new String[n];
        String[] links = new String[n];
        String[] attributes = new String[n];
        String[] statuses = new String[n];
        String[] reasons = new String[n];
        String[] details = new String[n];
        for (int i = 0; i < n; i++) {
            Pending p = items.get(i);
            NewMessage m = p.message();
            ids[i] = m.id();
            profileIds[i] = m.profileId();
            channels[i] = m.channel();
            addressTypes[i] = m.addressType();
            addresses[i] = m.address();
            purposes[i] = m.purpose();
            templateIds[i] = m.templateId();
            campaignIds[i] = m.campaignId();
            stepIds[i] = m.stepId();
            dedupeKeys[i] = m.dedupeKey();
            subjects[i] = m.subject();
            texts[i] = m.text();
            htmls[i] = m.html();
            links[i] = json(m.links());
            attributes[i] = json(m.attributes());
            statuses[i] = p.status().wireName();
            reasons[i] = p.reason();
            details[i] = p.detail();
        }
        // Only the rows that went in get their status (a dedupe key used before, here or by another hub, leaves its row out).
        Long[] enqueue = new Long[1];
        Map<String, Instant[]> inserted = ownTx.execute(s -> {
            Map<String, Instant[]> out = new java.util.HashMap<>();
            if (guardErasure) {
                ProfileAdmin.noErasureMeanwhile(jdbc);
            }
            jdbc.query("WITH m AS (INSERT INTO messages (id, profile_id, channel, address_type, address, purpose, template_id, "
                    + "campaign_id, step_id, dedupe_key, subject, body_text, body_html, links, attributes, status, reason, detail) "
                    + "SELECT id, profile_id, channel, address_type, address, purpose, template_id, campaign_id, step_id, dedupe_key, "
                    + "subject, body_text, body_html, links::jsonb, attributes::jsonb, status, reason, detail FROM unnest(?::text[], "
                    + "?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
                    + "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS u(id, profile_id, channel, "
                    + "address_type, address, purpose, template_id, campaign_id, step_id, dedupe_key, subject, body_text, body_html, "
                    + "links, attributes, status, reason, detail) "
                    + (guardErasure ? "WHERE u.profile_id IS NULL OR EXISTS (SELECT 1 FROM profiles p WHERE p.id = u.profile_id) " : "")
                    + "ON CONFLICT (dedupe_key) DO NOTHING "
                    + "RETURNING id, status, reason, detail, created_at, updated_at), "
                    + "s AS (INSERT INTO message_statuses (message_id, report_id, status, reason, detail, at) "
                    + "SELECT id, 'hub-' || id || '-' || status, status, reason, detail, created_at FROM m WHERE status <> 'queued'), "
                    + "e AS (INSERT INTO message_enqueues (message_ids) SELECT array_agg(id) FROM m WHERE status = 'queued' "
                    + "HAVING count(*) > 0 RETURNING id) "
                    + "SELECT id, created_at, updated_at, (SELECT id FROM e) FROM m", rs -> {
                        out.put(rs.getString(1), new Instant[] {rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant()});
                        long e = rs.getLong(4);
                        if (!rs.wasNull()) {
                            enqueue[0] = e;
                        }
                    }, ids, profileIds, channels, addressTypes, addresses, purposes, templateIds, campaignIds, stepIds, dedupeKeys,
                    subjects, texts, htmls, links, attributes, statuses, reasons, details);
            return out;
        });
        List<String> missingKeys = items.stream().filter(p -> !inserted.containsKey(p.message().id()))
                .map(p -> p.message().dedupeKey()).toList();
        Map<String, Row> earlier = byDedupeKeys(missingKeys);
        List<Row> out = new java.util.ArrayList<>();
        List<Event> failures = new java.util.ArrayList<>();
        Map<String, Integer> recorded = new java.util.HashMap<>();
        for (Pending p : items) {
            NewMessage m = p.message();
            Instant[] at = inserted.get(m.id());
            if (at == null) {
                out.add(m.dedupeKey() == null ? null : earlier.get(m.dedupeKey())); // null: the profile is gone
                continue;
            }
            Row row = new Row(m.id(), m.profileId(), m.channel(), m.addressType(), m.address(), m.purpose(), m.templateId(),
                    m.campaignId(), m.stepId(), m.dedupeKey(), m.subject(), m.text(), m.html(), m.links(), m.attributes(),
                    p.status().wireName(), p.reason(), p.detail(), null, 0, at[0], at[1]);
            out.add(row);
            recorded.merge(row.channel() + "\n" + p.status().wireName(), 1, Integer::sum);
            if (p.status().isFailure()) {
                Event e = event(row, p.status(), p.reason(), p.detail(), Instant.now(), "hub-" + row.id() + "-" + p.status().wireName(),
                        Map.of());
                if (e != null) {
                    failures.add(e);
                }
            }
        }
        recorded.forEach((k, count) -> {
            String[] cs = k.split("\n", 2);
            Counter.builder("atrium.messages").tag("channel", cs[0]).tag("status", cs[1])
                    .description("Message statuses recorded").register(registry).increment(count);
        });
        submit(failures);
        return new Inserted(out, enqueue[0]);
    }

    /**
     * Runs {@code send} (which puts the ids of the {@code message_enqueues} row {@code enqueue} on the
     * outbound queue and commits the broker) while holding that row's lock, and deletes the row, in the
     * caller's transaction or else one of its own. Returns false, sending nothing, when the row is gone:
     * the sweeper took it (it is only swept when nobody holds its lock). If {@code send} throws, the row stays.
     */
    public boolean whileEnqueuing(long enqueue, Runnable send) {
        // Deleted first: the uncommitted delete is the lock the sweeper skips, and the row is back if this is rolled back.
        // Inside a caller's transaction (a campaign worker's batch) it is part of that one, which saves a commit: should
        // it roll back after the broker's commit, the sweeper queues the ids again with the same duplicate-detection keys,
        // and the broker drops them.
        return Boolean.TRUE.equals(tx.execute(s -> {
            if (jdbc.update("DELETE FROM message_enqueues WHERE id = ?", enqueue) == 0) {
                return false;
            }
            send.run();
            return true;
        }));
    }

    /** Messages by dedupe key. */
    public Map<String, Row> byDedupeKeys(List<String> keys) {
        List<String> k = keys.stream().filter(java.util.Objects::nonNull).distinct().toList();
        Map<String, Row> out = new java.util.HashMap<>();
        if (k.isEmpty()) {
            return out;
        }
        for (Row r : jdbc.query("SELECT * FROM messages WHERE dedupe_key = ANY(?)", this::row, (Object) k.toArray(String[]::new))) {
            out.put(r.dedupeKey(), r);
        }
        return out;
    }

    /** Messages by id, in one query. */
    public Map<String, Row> findAll(java.util.Collection<String> ids) {
        Map<String, Row> out = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        for (Row r : jdbc.query("SELECT * FROM messages WHERE id = ANY(?)", this::row, (Object) ids.stream().distinct()
                .toArray(String[]::new))) {
            out.put(r.id(), r);
        }
        return out;
    }

    public Optional<Row> find(String id) {
        return jdbc.query("SELECT * FROM messages WHERE id = ?", this::row, id).stream().findFirst();
    }

    public Optional<Row> byProviderId(String channel, String providerMessageId) {
        return jdbc.query("SELECT * FROM messages WHERE channel = ? AND provider_message_id = ? ORDER BY created_at DESC LIMIT 1",
                this::row, channel, providerMessageId).stream().findFirst();
    }

    /**
     * Takes a queued message for sending: {@code queued → sending}, counting the attempt. Empty when
     * the message is not queued (sent already, failed, or another consumer is sending it).
     */
    public Optional<Row> claim(String id) {
        return jdbc.query("UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = now() "
                + "WHERE id = ? AND status = 'queued' RETURNING *", this::row, id).stream().findFirst();
    }

    /** A transient failure: back to {@code queued} for the next delivery of its queue message. */
    public void requeue(String id, String detail) {
        jdbc.update("UPDATE messages SET status = 'queued', detail = ?, updated_at = now() WHERE id = ? AND status = 'sending'",
                detail, id);
    }

    /** The provider accepted it. */
    public void sent(Row m, String providerMessageId) {
        jdbc.update("UPDATE messages SET provider_message_id = ? WHERE id = ?", providerMessageId, m.id());
        record(m.id(), "hub-" + m.id() + "-sent", MessageStatus.SENT, null, null, Instant.now(),
                providerMessageId == null ? Map.of() : Map.of("providerMessageId", providerMessageId));
    }

    /**
     * Records a status once per {@code reportId}: the history row, the message's current status (which
     * only moves forward: queued, sent, delivered, opened, clicked; failed and bounced end it;
     * unsubscribed is history only), and the event on the person's profile.
     *
     * @return false when this report was recorded before, or the message does not exist
     */
    public boolean record(String messageId, String reportId, MessageStatus status, String reason, String detail,
                          Instant at, Map<String, Object> attributes) {
        Instant when = at == null ? Instant.now() : at;
        Row row = tx.execute(s -> {
            List<Row> locked = jdbc.query("SELECT * FROM messages WHERE id = ? FOR UPDATE", this::row, messageId);
            if (locked.isEmpty()) {
                return null;
            }
            int n = jdbc.update("INSERT INTO message_statuses (message_id, report_id, status, reason, detail, at, attributes) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (report_id) DO NOTHING",
                    messageId, reportId, status.wireName(), reason, detail, Timestamp.from(when), json(attributes));
            if (n == 0) {
                return null;
            }
            Row current = locked.get(0);
            if (moves(current.status(), status)) {
                jdbc.update("UPDATE messages SET status = ?, reason = COALESCE(?, reason), detail = COALESCE(?, detail), "
                        + "updated_at = now() WHERE id = ?", status.wireName(), reason, detail, messageId);
            }
            return current;
        });
        if (row == null) {
            return false;
        }
        Counter.builder("atrium.messages").tag("channel", row.channel()).tag("status", status.wireName())
                .description("Message statuses recorded").register(registry).increment();
        emit(row, status, reason, detail, when, reportId, attributes);
        if (row.campaignId() != null) {
            publisher.publishEvent(new StatusRecorded(messageId, row.campaignId(), status));
        }
        return true;
    }

    /** Whether a message in status {@code current} has reached {@code wanted} (sent, delivered, opened, clicked). */
    public static boolean reached(String current, String wanted) {
        int c = rank(current);
        return c < 10 && c >= rank(wanted);
    }

    /** Whether a message in status {@code current} will not be delivered. */
    public static boolean isFailed(String current) {
        return rank(current) >= 10;
    }

    /** Whether a message in {@code current} moves to {@code next}. */
    static boolean moves(String current, MessageStatus next) {
        if (next == MessageStatus.UNSUBSCRIBED) {
            return false;
        }
        int c = rank(current);
        if (c >= 10) {
            return false; // failed and bounced are final
        }
        return next.isFailure() || rank(next.wireName()) > c;
    }

    private static int rank(String status) {
        return switch (status) {
            case "queued" -> 0;
            case SENDING -> 1;
            case "sent" -> 2;
            case "delivered" -> 3;
            case "opened" -> 4;
            case "clicked" -> 5;
            case "failed", "bounced" -> 10;
            default -> -1;
        };
    }

    /** The person's event for a status: {@code message_<status>}, its messageId derived from the report so it is stored once. */
    private void emit(Row m, MessageStatus status, String reason, String detail, Instant at, String reportId,
                      Map<String, Object> attributes) {
        Event e = event(m, status, reason, detail, at, reportId, attributes);
        if (e != null) {
            submit(List.of(e));
        }
    }

    private Event event(Row m, MessageStatus status, String reason, String detail, Instant at, String reportId,
                        Map<String, Object> attributes) {
        if (m.addressType() == null || m.address() == null) {
            return null; // no identity to put it on (a message refused before an address was found)
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("message_id", m.id());
        props.put("channel", m.channel());
        props.put("purpose", m.purpose());
        put(props, "template_id", m.templateId());
        put(props, "campaign_id", m.campaignId());
        put(props, "step_id", m.stepId());
        put(props, "reason", reason);
        put(props, "detail", detail);
        attributes.forEach((k, v) -> props.putIfAbsent(k, v));
        return Event.track("message_" + status.wireName()).messageId("msg-" + reportId).timestamp(at)
                .receivedAt(Instant.now()).source(SOURCE).identity(m.addressType(), m.address()).properties(props).build();
    }

    private void submit(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        try {
            intake.submit(events);
        } catch (RuntimeException ex) {
            // The statuses are recorded; the profile events are the lesser half. Say so plainly.
            log.warn("{} message status(es) are recorded but their profile events could not be queued: {}", events.size(),
                    ex.getMessage());
        }
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /**
     * Every status of a message, oldest first. A message recorded as {@code queued} has no status row for
     * that (its row says it): its history starts with {@code queued} at the message's {@code created_at},
     * unless a status row was written in the message's own insert (a message the hub did not send, or one
     * recorded before this was so), which then is the first status.
     */
    public List<StatusRow> history(String id) {
        return histories(List.of(id)).getOrDefault(id, List.of());
    }

    /** {@link #history(String)} of many messages in one query: message id to its statuses, oldest first. */
    public Map<String, List<StatusRow>> histories(java.util.Collection<String> ids) {
        Map<String, List<StatusRow>> out = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        String[] array = ids.stream().distinct().toArray(String[]::new);
        jdbc.query("SELECT m.id, 'queued', NULL, NULL, m.created_at, '{}', 0 FROM messages m WHERE m.id = ANY(?) AND NOT EXISTS "
                        + "(SELECT 1 FROM message_statuses s WHERE s.message_id = m.id AND s.recorded_at = m.created_at) "
                        + "UNION ALL SELECT message_id, status, reason, detail, at, attributes::text, id FROM message_statuses "
                        + "WHERE message_id = ANY(?) ORDER BY 1, 5, 7",
                rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new java.util.ArrayList<>()).add(new StatusRow(rs.getString(2),
                            rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(), map(rs.getString(6))));
                }, array, array);
        return out;
    }

    /** A message as the API shows it ({@code /api/v1/messages}, the profile export), with its status history. */
    public Map<String, Object> view(Row m) {
        return view(m, history(m.id()));
    }

    /** {@link #view(Row)} of many messages, their histories read in one query. */
    public List<Map<String, Object>> views(List<Row> rows) {
        Map<String, List<StatusRow>> histories = histories(rows.stream().map(Row::id).toList());
        return rows.stream().map(m -> view(m, histories.getOrDefault(m.id(), List.of()))).toList();
    }

    private Map<String, Object> view(Row m, List<StatusRow> history) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", m.id());
        v.put("profileId", m.profileId());
        v.put("channel", m.channel());
        v.put("address", m.address());
        v.put("purpose", m.purpose());
        v.put("status", m.status());
        v.put("reason", m.reason());
        v.put("detail", m.detail());
        v.put("template", m.templateId());
        v.put("campaignId", m.campaignId());
        v.put("stepId", m.stepId());
        v.put("providerMessageId", m.providerMessageId());
        v.put("attempts", m.attempts());
        v.put("subject", m.subject());
        v.put("text", m.text());
        v.put("createdAt", m.createdAt());
        v.put("updatedAt", m.updatedAt());
        v.put("history", history);
        return v;
    }

    /** Messages of a profile (or of a campaign), newest first. */
    public List<Row> list(Long profileId, String campaignId, int offset, int limit) {
        List<Object> args = new java.util.ArrayList<>();
        String where = filter(profileId, campaignId, args);
        args.add(limit);
        args.add(offset);
        return jdbc.query("SELECT * FROM messages" + where + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?", this::row,
                args.toArray());
    }

    public long count(Long profileId, String campaignId) {
        List<Object> args = new java.util.ArrayList<>();
        return jdbc.queryForObject("SELECT count(*) FROM messages" + filter(profileId, campaignId, args), Long.class,
                args.toArray());
    }

    private static String filter(Long profileId, String campaignId, List<Object> args) {
        StringBuilder where = new StringBuilder(" WHERE true");
        if (profileId != null) {
            where.append(" AND profile_id = ?");
            args.add(profileId);
        }
        if (campaignId != null) {
            where.append(" AND campaign_id = ?");
            args.add(campaignId);
        }
        return where.toString();
    }

    /**
     * A new message id: a version 7 UUID (RFC 9562), the time in milliseconds followed by 74 random bits.
     * Ids made one after the other sort one after the other, so the primary key of a big batch grows at
     * its right edge instead of touching a random page of the index for every row (which, after each
     * checkpoint, is a full page written to the WAL); the random part keeps them unguessable, as the
     * tracking links need.
     */
    public static String newId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private Row row(ResultSet rs, int i) throws SQLException {
        List<String> links;
        try {
            links = mapper.readValue(rs.getString("links"), new TypeReference<List<String>>() { });
        } catch (Exception e) {
            throw new SQLException(e);
        }
        Object profile = rs.getObject("profile_id");
        return new Row(rs.getString("id"), profile == null ? null : ((Number) profile).longValue(), rs.getString("channel"),
                rs.getString("address_type"), rs.getString("address"), rs.getString("purpose"), rs.getString("template_id"),
                rs.getString("campaign_id"), rs.getString("step_id"), rs.getString("dedupe_key"), rs.getString("subject"),
                rs.getString("body_text"), rs.getString("body_html"), links, map(rs.getString("attributes")),
                rs.getString("status"), rs.getString("reason"), rs.getString("detail"), rs.getString("provider_message_id"),
                rs.getInt("attempts"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private Map<String, Object> map(String json) {
        try {
            JsonNode n = mapper.readTree(json == null ? "{}" : json);
            return mapper.convertValue(n, new TypeReference<Map<String, Object>>() { });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
