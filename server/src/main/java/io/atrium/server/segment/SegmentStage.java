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
import org.springframework.jms.listener.DefaultMessageListenerContainer;
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
    private final DefaultMessageListenerContainer container;
    private final ExecutorService recomputes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "atrium-segment-recompute");
        t.setDaemon(true);
        return t;
    });
    private final java.time.Duration timeCheckInterval;
    private java.util.concurrent.ScheduledExecutorService clock;
    private final Counter entered;
    private final Counter exited;

    public SegmentStage(JdbcTemplate jdbc, SegmentStore store, SegmentMembers members, EventIntake intake,
                        ObjectMapper mapper, ConnectionFactory connectionFactory, MeterRegistry registry,
                        @org.springframework.beans.factory.annotation.Value("${atrium.segments.time-check-interval:1m}")
                        java.time.Duration timeCheckInterval) {
        this.timeCheckInterval = timeCheckInterval;
        this.jdbc = jdbc;
        this.store = store;
        this.members = members;
        this.intake = intake;
        this.jms = new JmsTemplate(connectionFactory);
        this.jms.setPubSubDomain(true);
        this.mapper = mapper;
        this.entered = Counter.builder("atrium.segments.transitions").tag("type", "entered").register(registry);
        this.exited = Counter.builder("atrium.segments.transitions").tag("type", "exited").register(registry);
        container = new DefaultMessageListenerContainer();
        container.setConnectionFactory(connectionFactory);
        container.setDestinationName(Queues.PROFILE_CHANGED);
        container.setPubSubDomain(true);
        container.setSubscriptionDurable(true);
        container.setSubscriptionShared(true);
        container.setSubscriptionName(SUBSCRIPTION);
        container.setSessionTransacted(true);
        container.setMessageListener((jakarta.jms.MessageListener) message -> {
            try {
                onProfilesChanged(mapper.readTree(((TextMessage) message).getText()));
            } catch (Exception e) {
                throw new IllegalStateException("segment stage could not apply a profile change: " + e.getMessage(), e);
            }
        });
        container.afterPropertiesSet();
        container.start();
    }

    /**
     * Time moves people too: an event leaves a window, an hour passes with no order. Segments whose
     * rule depends on the clock are recomputed over everyone every {@code atrium.segments.time-check-interval}.
     */
    @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
    public void startClock() {
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

    @PreDestroy
    void stop() {
        if (clock != null) {
            clock.shutdownNow();
        }
        container.shutdown();
        recomputes.shutdownNow();
    }

    void onProfilesChanged(JsonNode change) {
        Set<Long> gone = new HashSet<>();
        change.path("mergedAway").forEach(n -> gone.add(n.asLong()));
        change.path("erased").forEach(n -> gone.add(n.asLong()));
        if (!gone.isEmpty()) {
            jdbc.update("DELETE FROM segment_members WHERE profile_id = ANY(?)", (Object) gone.toArray(Long[]::new));
        }
        Set<Long> ids = new LinkedHashSet<>();
        change.path("profiles").forEach(n -> ids.add(n.asLong()));
        ids.removeAll(gone);
        if (!ids.isEmpty()) {
            for (SegmentStore.Segment s : store.list()) {
                reconcile(s, ids);
            }
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

    /** Brings the stored members of {@code s} among {@code ids} (everyone when null) in line with its rule. */
    synchronized void reconcile(SegmentStore.Segment s, Set<Long> ids) {
        Set<Long> now = ids == null ? members.allIds(s.rule()) : members.idsAmong(s.rule(), ids);
        Set<Long> before = new HashSet<>(ids == null
                ? jdbc.queryForList("SELECT profile_id FROM segment_members WHERE segment_id = ?", Long.class, s.id())
                : jdbc.queryForList("SELECT profile_id FROM segment_members WHERE segment_id = ? AND profile_id = ANY(?)",
                        Long.class, s.id(), ids.toArray(Long[]::new)));
        List<Long> in = new ArrayList<>(now);
        in.removeAll(before);
        List<Long> out = new ArrayList<>(before);
        out.removeAll(now);
        if (in.isEmpty() && out.isEmpty()) {
            return;
        }
        Instant at = Instant.now();
        for (Long p : in) {
            jdbc.update("INSERT INTO segment_members (segment_id, profile_id) VALUES (?, ?) ON CONFLICT DO NOTHING", s.id(), p);
        }
        if (!out.isEmpty()) {
            jdbc.update("DELETE FROM segment_members WHERE segment_id = ? AND profile_id = ANY(?)", s.id(),
                    (Object) out.toArray(Long[]::new));
        }
        announce(s, in, "segment_entered", at);
        announce(s, out, "segment_exited", at);
        entered.increment(in.size());
        exited.increment(out.size());
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
        List<Event> history = new ArrayList<>();
        for (Long p : profiles) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", type.equals("segment_entered") ? "entered" : "exited");
            body.put("segmentId", s.id());
            body.put("segmentName", s.name());
            body.put("profileId", p);
            body.put("at", at.toString());
            try {
                jms.convertAndSend(Queues.SEGMENT_EVENTS, mapper.writeValueAsString(body));
            } catch (Exception e) {
                throw new IllegalStateException("cannot announce " + type + " of segment " + s.id() + ": " + e.getMessage(), e);
            }
            String[] id = identity.get(p);
            if (id != null) {
                history.add(Event.track(type).identity(id[0], id[1]).messageId(type + "-" + s.id() + "-" + p + "-" + UUID.randomUUID())
                        .timestamp(at).receivedAt(at).source("segment:" + s.id())
                        .property("segmentId", s.id()).property("segmentName", s.name()).build());
            }
        }
        if (!history.isEmpty()) {
            intake.submit(history);
        }
    }
}
