package io.atrium.server.segment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.Event;
import io.atrium.server.broker.Queues;
import io.atrium.server.intake.EventIntake;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import jakarta.annotation.PreDestroy;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.TextMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Service;

/**
 * Keeps segment membership current. It follows the durable topic {@code atrium.profile-changed}
 * (a shared durable subscription, so several hubs split the work), re-checks only the profiles that
 * changed against every segment with one SQL query per segment, records who entered and who left,
 * and announces each entry and exit: on the durable topic {@code atrium.segment-events}, and as a
 * {@code segment_entered} / {@code segment_exited} event in the person's history.
 * A new or edited segment is recomputed over everyone the same way.
 */
@Service
public class SegmentStage {

    private static final Logger log = LoggerFactory.getLogger(SegmentStage.class);
    static final String SUBSCRIPTION = "atrium-segment-stage";

    private final JdbcTemplate jdbc;
    private final SegmentStore store;
    private final SegmentMembers members;
    private final EventIntake intake;
    private final JmsTemplate jms;
    private final ObjectMapper mapper;
    private final ConnectionFactory connectionFactory;
    private final Thread follower;
    private volatile boolean following = true;
    private final ExecutorService recomputes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "atrium-segment-recompute");
        t.setDaemon(true);
        return t;
    });
    private final java.time.Duration timeCheckInterval;
    private final java.time.Duration wakeInterval;
    private final Counter woken;
    private java.util.concurrent.ScheduledExecutorService clock;
    private java.util.concurrent.ScheduledExecutorService wakes;
    private final Counter entered;
    private final Counter exited;
    private final Map<String, io.micrometer.core.instrument.Timer> evaluate = new java.util.HashMap<>();
    private final Map<String, io.micrometer.core.instrument.Timer> announcing = new java.util.HashMap<>();

    public SegmentStage(JdbcTemplate jdbc, SegmentStore store, SegmentMembers members, EventIntake intake,
                        ObjectMapper mapper, ConnectionFactory connectionFactory, MeterRegistry registry,
                        @org.springframework.beans.factory.annotation.Value("${atrium.segments.time-check-interval:1h}")
                        java.time.Duration timeCheckInterval,
                        @org.springframework.beans.factory.annotation.Value("${atrium.segments.wake-interval:1s}")
                        java.time.Duration wakeInterval) {
        this.timeCheckInterval = timeCheckInterval;
        this.wakeInterval = wakeInterval;
        this.woken = Counter.builder("atrium.segments.wakeups").description("People re-checked because time alone could change "
                + "their membership (a window closed)").register(registry);
        this.jdbc = jdbc;
        this.store = store;
        this.members = members;
        this.intake = intake;
        this.jms = new JmsTemplate(connectionFactory);
        this.jms.setPubSubDomain(true);
        this.jms.setSessionTransacted(true);
        this.mapper = mapper;
        this.entered = Counter.builder("atrium.segments.transitions").tag("type", "entered").register(registry);
        this.exited = Counter.builder("atrium.segments.transitions").tag("type", "exited").register(registry);
        for (String scope : List.of("everyone", "changed")) {
            evaluate.put(scope, io.micrometer.core.instrument.Timer.builder("atrium.segments.reconcile").tag("scope", scope)
                    .tag("phase", "evaluate").description("Evaluating a segment's rule and applying the difference to its members "
                            + "(scope everyone: a full recount; changed: the profiles of one change)").register(registry));
            announcing.put(scope, io.micrometer.core.instrument.Timer.builder("atrium.segments.reconcile").tag("scope", scope)
                    .tag("phase", "announce").description("Announcing entries and exits on the topic and in the history")
                    .register(registry));
        }
        this.connectionFactory = connectionFactory;
        follower = new Thread(this::follow, "atrium-segment-stage");
        follower.setDaemon(true);
        follower.start();
    }

    /** Most profile-changed messages taken together while the stage is behind. */
    static final int MAX_COALESCED = 20;

    /**
     * Follows atrium.profile-changed on a transacted session: takes the next message, and while the
     * stage is behind, the ones waiting after it (up to {@link #MAX_COALESCED}), reconciles their
     * profiles together (one statement per segment instead of one per message), then commits. A batch
     * that fails is rolled back and redelivered one message at a time, so a bad message goes alone to
     * the dead-letter queue after its redeliveries.
     */
    private void follow() {
        int isolate = 0;
        while (following) {
            try (jakarta.jms.Connection connection = connectionFactory.createConnection()) {
                jakarta.jms.Session session = connection.createSession(true, jakarta.jms.Session.SESSION_TRANSACTED);
                jakarta.jms.MessageConsumer consumer = session.createSharedDurableConsumer(session.createTopic(Queues.PROFILE_CHANGED),
                        SUBSCRIPTION);
                connection.start();
                while (following) {
                    jakarta.jms.Message first = consumer.receive(500);
                    if (first == null) {
                        continue;
                    }
                    List<JsonNode> changes = new ArrayList<>();
                    changes.add(read(first));
                    while (isolate == 0 && changes.size() < MAX_COALESCED) {
                        jakarta.jms.Message next = consumer.receiveNoWait();
                        if (next == null) {
                            break;
                        }
                        changes.add(read(next));
                    }
                    try {
                        onProfilesChanged(changes);
                        session.commit();
                        isolate = Math.max(0, isolate - 1);
                    } catch (RuntimeException e) {
                        log.warn("Segment stage could not apply {} profile change(s), rolled back for redelivery: {}", changes.size(),
                                e.toString(), e);
                        session.rollback();
                        isolate = Math.max(isolate, changes.size());
                        pause();
                    }
                }
            } catch (jakarta.jms.JMSException | RuntimeException e) {
                if (following) {
                    log.warn("Segment stage lost its broker session, reconnecting: {}", e.toString());
                    pause();
                }
            }
        }
    }

    private JsonNode read(jakarta.jms.Message m) throws jakarta.jms.JMSException {
        try {
            return mapper.readTree(((TextMessage) m).getText());
        } catch (com.fasterxml.jackson.core.JsonProcessingException | ClassCastException e) {
            // not a change this stage can read: an empty one, so the message is acknowledged and not retried forever
            log.warn("Segment stage skipped an unreadable profile-changed message {}: {}", m.getJMSMessageID(), e.toString());
            return mapper.createObjectNode();
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            following = false;
        }
    }

    /**
     * Time moves people too: an event leaves a window, an hour passes with no order. Whenever the stage
     * evaluates a person for a segment whose rule depends on the clock, it writes the next moment time
     * alone can change the answer ({@code segment_wakeups}); every {@code atrium.segments.wake-interval}
     * the people whose moment has come are re-checked (and get their next one). As a safety net such
     * segments are also recomputed over everyone every {@code atrium.segments.time-check-interval}.
     */
    @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
    public void startClock() {
        // A node stopped before its background computation of a new or edited segment ran leaves it uncomputed.
        for (SegmentStore.Segment s : store.list()) {
            if (s.computedAt() == null) {
                recomputeLater(s.id());
            } else if (dependsOnTime(s.rule()) && jdbc.queryForList("SELECT 1 FROM segment_wakeups WHERE segment_id = ? LIMIT 1",
                    Integer.class, s.id()).isEmpty()) {
                // No moment written (a hub from before V130, or nobody was waiting): computing it over everyone writes them.
                recomputeLater(s.id());
            }
        }
        wakes = io.atrium.server.support.PeriodicTask.every(wakeInterval, "atrium-segment-wakeups", log, this::wakeDue);
        clock = io.atrium.server.support.PeriodicTask.every(timeCheckInterval, "atrium-segment-clock", log, () -> {
            for (SegmentStore.Segment s : store.list()) {
                if (dependsOnTime(s.rule())) {
                    reconcile(s, null);
                }
            }
        });
    }

    /** Whether a rule's outcome can change with no new data: windows, "not followed by", date operators, other segments. */
    static boolean dependsOnTime(JsonNode n) {
        if (n == null || !n.isObject()) {
            return false;
        }
        if (n.has("within") || n.has("notFollowedBy") || n.has("segment")
                || n.has("op") && RuleValidator.DATE_OPS.contains(n.get("op").asText())) {
            return true;
        }
        for (String k : List.of("all", "any")) {
            if (n.has(k)) {
                for (JsonNode item : n.get(k)) {
                    if (dependsOnTime(item)) {
                        return true;
                    }
                }
            }
        }
        return dependsOnTime(n.get("not"));
    }

    /** Most people re-checked in one round of {@link #wakeDue}; more wait for the next round, a moment later. */
    static final int WAKE_BATCH = 10_000;

    /** Re-checks the people whose next moment has come, segment by segment; returns how many. */
    int wakeDue() {
        Map<Long, Set<Long>> due = new LinkedHashMap<>();
        jdbc.query("SELECT segment_id, profile_id FROM segment_wakeups WHERE wake_at < now() ORDER BY wake_at LIMIT ?",
                rs -> {
                    due.computeIfAbsent(rs.getLong(1), k -> new LinkedHashSet<>()).add(rs.getLong(2));
                }, WAKE_BATCH);
        if (due.isEmpty()) {
            return 0;
        }
        List<SegmentStore.Segment> segments = store.list();
        Map<Long, SegmentStore.Segment> byId = new java.util.HashMap<>();
        segments.forEach(x -> byId.put(x.id(), x));
        int n = 0;
        for (Map.Entry<Long, Set<Long>> e : due.entrySet()) {
            long id = e.getKey();
            Set<Long> ids = e.getValue();
            SegmentStore.Segment s = byId.get(id);
            if (s == null || !dependsOnTime(s.rule())) {
                jdbc.update("DELETE FROM segment_wakeups WHERE segment_id = ? AND profile_id = ANY(?)", id, ids.toArray(Long[]::new));
                continue;
            }
            reconcile(s, ids, segments);
            woken.increment(ids.size());
            n += ids.size();
        }
        return n;
    }

    /**
     * Writes when time alone can next change the answer of {@code s}'s rule for {@code ids} (everyone when
     * null), as of {@code at}, the moment the rule was just evaluated: a moment up to a second before it
     * is written too (due at once: a re-check too many), so that a clock a little ahead of PostgreSQL's
     * misses none.
     */
    private void writeWakeups(SegmentStore.Segment s, Set<Long> ids, List<SegmentStore.Segment> segments, Instant at) {
        SegmentSql.Condition next = dependsOnTime(s.rule()) ? members.nextChange(s.rule(), segments, at.minusSeconds(1)) : null;
        if (next == null) {
            if (ids == null) {
                jdbc.update("DELETE FROM segment_wakeups WHERE segment_id = ?", s.id());
            }
            return;
        }
        List<Object> params = new ArrayList<>();
        params.add(s.id());
        params.addAll(next.params());
        if (ids == null) {
            jdbc.update("DELETE FROM segment_wakeups WHERE segment_id = ?", s.id());
        } else {
            jdbc.update("DELETE FROM segment_wakeups WHERE segment_id = ? AND profile_id = ANY(?)", s.id(), ids.toArray(Long[]::new));
            params.add(ids.toArray(Long[]::new));
        }
        jdbc.update("INSERT INTO segment_wakeups (segment_id, profile_id, wake_at) SELECT ?::bigint, id, w FROM (SELECT p.id, "
                + next.sql() + " AS w FROM profiles p" + (ids == null ? "" : " WHERE p.id = ANY(?)") + ") x WHERE w IS NOT NULL "
                + "ON CONFLICT (segment_id, profile_id) DO UPDATE SET wake_at = excluded.wake_at", params.toArray());
    }

    @PreDestroy
    void stop() {
        if (wakes != null) {
            wakes.shutdownNow();
        }
        if (clock != null) {
            clock.shutdownNow();
        }
        following = false;
        try {
            follower.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recomputes.shutdownNow();
    }

    /**
     * Applies profile changes, in order, taken together: merged-away and erased profiles go, the
     * changed ones are re-checked against the segments whose rules look at what changed in them
     * ({@link RuleDependencies}; a change that does not say what changed re-checks its profiles
     * against every segment).
     */
    void onProfilesChanged(List<JsonNode> changes) {
        Set<Long> gone = new HashSet<>();
        Set<Long> ids = new LinkedHashSet<>();
        Touched touched = new Touched();
        for (JsonNode change : changes) {
            change.path("mergedAway").forEach(n -> gone.add(n.asLong()));
            change.path("erased").forEach(n -> gone.add(n.asLong()));
            change.path("profiles").forEach(n -> ids.add(n.asLong()));
            touched.add(change);
        }
        if (!gone.isEmpty()) {
            jdbc.update("DELETE FROM segment_members WHERE profile_id = ANY(?)", (Object) gone.toArray(Long[]::new));
        }
        ids.removeAll(gone);
        if (!ids.isEmpty()) {
            List<SegmentStore.Segment> segments = store.list();
            for (SegmentStore.Segment s : segments) {
                Set<Long> affected = touched.affected(members.dependencies(s.rule(), segments), ids);
                if (!affected.isEmpty()) {
                    reconcile(s, affected, segments);
                }
            }
        }
    }

    /** What changed in which profiles, gathered from the {@code changed} part of profile-changed messages. */
    static final class Touched {
        final Set<Long> everything = new HashSet<>();
        final Map<String, Set<Long>> events = new java.util.HashMap<>();
        final Map<String, Set<Long>> traits = new java.util.HashMap<>();
        final Map<String, Set<Long>> identities = new java.util.HashMap<>();
        final Set<Long> consents = new HashSet<>();

        void add(JsonNode change) {
            JsonNode c = change.get("changed");
            if (c == null || !c.isObject()) {
                change.path("profiles").forEach(n -> everything.add(n.asLong()));
                return;
            }
            c.path("everything").forEach(n -> everything.add(n.asLong()));
            c.path("consents").forEach(n -> consents.add(n.asLong()));
            into(c.path("events"), events);
            into(c.path("traits"), traits);
            into(c.path("identities"), identities);
        }

        private static void into(JsonNode byName, Map<String, Set<Long>> into) {
            byName.fields().forEachRemaining(f -> {
                Set<Long> set = into.computeIfAbsent(f.getKey(), k -> new HashSet<>());
                f.getValue().forEach(n -> set.add(n.asLong()));
            });
        }

        /** Those of {@code ids} whose change may change the answer of a rule with these dependencies. */
        Set<Long> affected(RuleDependencies d, Set<Long> ids) {
            if (d.everything()) {
                return ids;
            }
            Set<Long> out = new HashSet<>(everything);
            if (d.consents()) {
                out.addAll(consents);
            }
            d.events().forEach(n -> out.addAll(events.getOrDefault(n, Set.of())));
            d.traits().forEach(n -> out.addAll(traits.getOrDefault(n, Set.of())));
            d.identities().forEach(n -> out.addAll(identities.getOrDefault(n, Set.of())));
            out.retainAll(ids);
            Set<Long> ordered = new LinkedHashSet<>();
            for (Long id : ids) {
                if (out.contains(id)) {
                    ordered.add(id);
                }
            }
            return ordered;
        }
    }

    /** Recomputes one segment over everyone, in the background. */
    public void recomputeLater(long segmentId) {
        recomputes.submit(() -> {
            try {
                store.get(segmentId).ifPresent(s -> reconcile(s, null));
            } catch (RuntimeException e) {
                log.error("Recomputing segment {} failed: {}", segmentId, e.toString(), e);
            }
        });
    }

    /**
     * Makes sure the stored members of segment {@code segmentId} follow its current rule over everyone,
     * computing them now if a new or edited rule has not been computed yet (a broadcast to a segment
     * created a moment ago reaches everyone its rule holds, not the none stored so far).
     */
    public void ensureComputed(long segmentId) {
        SegmentStore.Segment s = store.get(segmentId).orElse(null);
        if (s == null || s.computedAt() != null) {
            return;
        }
        synchronized (this) {
            // The background computation may have run while this waited for it.
            s = store.get(segmentId).orElse(null);
            if (s != null && s.computedAt() == null) {
                log.info("Segment {} '{}' is computed now: its rule is new or changed and its members are not stored yet", s.id(), s.name());
                reconcile(s, null);
            }
        }
    }

    /** Rows per statement when members are written, and per broker transaction and intake call when they are announced. */
    static final int CHUNK = 1000;

    /**
     * Brings the stored members of {@code s} among {@code ids} (everyone when null) in line with its
     * rule. A read-only query (which PostgreSQL may run in parallel) evaluates the rule and compares
     * it with {@code segment_members}; the difference is then applied with statements that return only
     * the rows they changed, so a person is announced once even when two hub nodes reconcile the same
     * segment at the same time. A member whose profile is gone (merged into another, erased) is
     * dropped without an exit.
     */
    synchronized void reconcile(SegmentStore.Segment s, Set<Long> ids) {
        reconcile(s, ids, store.list());
    }

    /** {@link #reconcile(SegmentStore.Segment, Set)} with the segments its rule's references are looked up in. */
    synchronized void reconcile(SegmentStore.Segment s, Set<Long> ids, List<SegmentStore.Segment> segments) {
        long t0 = System.nanoTime();
        SegmentSql.Condition c = members.compile(s.rule(), segments);
        Instant at = Instant.now();
        List<Object> params = new ArrayList<>();
        String among = "";
        String amongMembers = "";
        if (ids != null) {
            among = "p.id = ANY(?) AND ";
            amongMembers = " AND profile_id = ANY(?)";
            params.add(ids.toArray(Long[]::new));
        }
        params.addAll(c.params());
        params.add(s.id());
        if (ids != null) {
            params.add(ids.toArray(Long[]::new));
        }
        List<Long> entering = new ArrayList<>();
        List<Long> leaving = new ArrayList<>();
        List<Long> gone = new ArrayList<>();
        jdbc.query("SELECT coalesce(n.id, m.profile_id), CASE WHEN m.profile_id IS NULL THEN 'in' "
                + "WHEN EXISTS (SELECT 1 FROM profiles x WHERE x.id = m.profile_id) THEN 'out' ELSE 'gone' END "
                + "FROM (SELECT p.id FROM profiles p WHERE " + among + c.sql() + ") n "
                + "FULL JOIN (SELECT profile_id FROM segment_members WHERE segment_id = ?::bigint" + amongMembers + ") m "
                + "ON m.profile_id = n.id WHERE n.id IS NULL OR m.profile_id IS NULL",
                rs -> {
                    switch (rs.getString(2)) {
                        case "in" -> entering.add(rs.getLong(1));
                        case "out" -> leaving.add(rs.getLong(1));
                        default -> gone.add(rs.getLong(1));
                    }
                }, params.toArray());
        List<Long> in = new ArrayList<>();
        List<Long> out = new ArrayList<>();
        java.sql.Timestamp enteredAt = java.sql.Timestamp.from(at);
        for (int i = 0; i < entering.size(); i += 10 * CHUNK) {
            in.addAll(jdbc.queryForList("INSERT INTO segment_members (segment_id, profile_id, entered_at) "
                    + "SELECT ?::bigint, unnest(?::bigint[]), ?::timestamptz ON CONFLICT DO NOTHING RETURNING profile_id", Long.class, s.id(),
                    entering.subList(i, Math.min(entering.size(), i + 10 * CHUNK)).toArray(Long[]::new), enteredAt));
        }
        for (int i = 0; i < leaving.size(); i += 10 * CHUNK) {
            out.addAll(jdbc.queryForList("DELETE FROM segment_members WHERE segment_id = ? AND profile_id = ANY(?) RETURNING profile_id",
                    Long.class, s.id(), leaving.subList(i, Math.min(leaving.size(), i + 10 * CHUNK)).toArray(Long[]::new)));
        }
        if (!gone.isEmpty()) {
            jdbc.update("DELETE FROM segment_members WHERE segment_id = ? AND profile_id = ANY(?)", s.id(), gone.toArray(Long[]::new));
        }
        writeWakeups(s, ids, segments, at);
        long t1 = System.nanoTime();
        for (int i = 0; i < in.size(); i += CHUNK) {
            announce(s, in.subList(i, Math.min(in.size(), i + CHUNK)), "segment_entered", at);
        }
        for (int i = 0; i < out.size(); i += CHUNK) {
            announce(s, out.subList(i, Math.min(out.size(), i + CHUNK)), "segment_exited", at);
        }
        long t2 = System.nanoTime();
        entered.increment(in.size());
        exited.increment(out.size());
        if (ids == null) {
            store.markComputed(s);
        }
        String scope = ids == null ? "everyone" : "changed";
        evaluate.get(scope).record(t1 - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        announcing.get(scope).record(t2 - t1, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (ids == null && (!in.isEmpty() || !out.isEmpty() || t2 - t0 > 1_000_000_000L)) {
            log.info("Segment {} '{}' recomputed over everyone: {} entered, {} left; {} ms to evaluate and apply, {} ms to announce",
                    s.id(), s.name(), in.size(), out.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        }
    }

    private void announce(SegmentStore.Segment s, List<Long> profiles, String type, Instant at) {
        if (profiles.isEmpty()) {
            return;
        }
        Map<Long, String[]> identity = new LinkedHashMap<>();
        jdbc.query("SELECT DISTINCT ON (profile_id) profile_id, type, value FROM identities WHERE profile_id = ANY(?) "
                + "ORDER BY profile_id, id", rs -> {
                    identity.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
                }, (Object) profiles.toArray(Long[]::new));
        List<String> bodies = new ArrayList<>(profiles.size());
        List<Event> history = new ArrayList<>();
        for (Long p : profiles) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", type.equals("segment_entered") ? "entered" : "exited");
            body.put("segmentId", s.id());
            body.put("segmentName", s.name());
            body.put("profileId", p);
            body.put("at", at.toString());
            try {
                bodies.add(mapper.writeValueAsString(body));
            } catch (Exception e) {
                throw new IllegalStateException("cannot write " + type + " of segment " + s.id() + ": " + e.getMessage(), e);
            }
            String[] id = identity.get(p);
            if (id != null) {
                history.add(Event.track(type).identity(id[0], id[1]).messageId(type + "-" + s.id() + "-" + p + "-" + UUID.randomUUID())
                        .timestamp(at).receivedAt(at).source("segment:" + s.id())
                        .property("segmentId", s.id()).property("segmentName", s.name()).build());
            }
        }
        try {
            // One broker transaction for the chunk: inside the stage's listener it is the listener's own
            // (committed with the profile change it answers); elsewhere a local one committed here.
            jms.execute(session -> {
                try (var producer = session.createProducer(session.createTopic(Queues.SEGMENT_EVENTS))) {
                    for (String body : bodies) {
                        producer.send(session.createTextMessage(body));
                    }
                }
                if (session.getTransacted() && !org.springframework.jms.connection.ConnectionFactoryUtils
                        .isSessionTransactional(session, jms.getConnectionFactory())) {
                    session.commit();
                }
                return null;
            }, false);
        } catch (Exception e) {
            throw new IllegalStateException("cannot announce " + type + " of segment " + s.id() + ": " + e.getMessage(), e);
        }
        if (!history.isEmpty()) {
            intake.submit(history);
        }
    }
}
