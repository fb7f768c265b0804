package io.atrium.server.campaign;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.broker.Queues;
import io.atrium.server.profile.ProfileAdmin;

import jakarta.annotation.PreDestroy;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.TextMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What starts and moves journeys from outside: people entering segments (the durable topic
 * {@code atrium.segment-events}) and events stored on profiles (the durable topic
 * {@code atrium.profile-changed} names them). Both are shared durable subscriptions, so several
 * hubs split the work and nothing is missed while a hub is down. An event can start a journey
 * (event trigger), end a wait for it, or reach a campaign's goal (converted).
 */
@Component
public class CampaignTriggers {

    private static final Logger log = LoggerFactory.getLogger(CampaignTriggers.class);
    /** A broadcast that enters at least this many people refreshes the table's statistics at once. */
    private static final int ANALYZE_AFTER = 10_000;
    /** People entered per statement (and transaction) of a broadcast. */
    static final int CHUNK = 50_000;

    private final CampaignStore campaigns;
    private final Journeys journeys;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;
    private final io.atrium.server.segment.SegmentStage segments;
    private final List<DefaultMessageListenerContainer> containers = new ArrayList<>();

    public CampaignTriggers(CampaignStore campaigns, Journeys journeys, JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper mapper,
                            ConnectionFactory connectionFactory, io.atrium.server.segment.SegmentStage segments) {
        this.segments = segments;
        this.campaigns = campaigns;
        this.journeys = journeys;
        this.jdbc = jdbc;
        this.tx = tx;
        this.mapper = mapper;
        containers.add(listen(connectionFactory, Queues.SEGMENT_EVENTS, "atrium-campaign-segments", this::onSegmentEvent));
        containers.add(listen(connectionFactory, Queues.PROFILE_CHANGED, "atrium-campaign-events", this::onProfilesChanged));
    }

    private interface Handler {
        void handle(JsonNode body) throws Exception;
    }

    private DefaultMessageListenerContainer listen(ConnectionFactory cf, String topic, String subscription, Handler handler) {
        DefaultMessageListenerContainer c = new DefaultMessageListenerContainer();
        c.setConnectionFactory(cf);
        c.setDestinationName(topic);
        c.setPubSubDomain(true);
        c.setSubscriptionDurable(true);
        c.setSubscriptionShared(true);
        c.setSubscriptionName(subscription);
        c.setSessionTransacted(true);
        c.setMessageListener((jakarta.jms.MessageListener) message -> {
            try {
                handler.handle(mapper.readTree(((TextMessage) message).getText()));
            } catch (Exception e) {
                throw new IllegalStateException("campaign triggers could not handle a message of " + topic + ": " + e.getMessage(), e);
            }
        });
        c.afterPropertiesSet();
        c.start();
        return c;
    }

    @PreDestroy
    public void stop() {
        containers.forEach(DefaultMessageListenerContainer::shutdown);
    }

    void onSegmentEvent(JsonNode e) {
        if (!"entered".equals(e.path("type").asText())) {
            return;
        }
        long segment = e.path("segmentId").asLong();
        long profile = e.path("profileId").asLong();
        JsonNode trigger = null;
        for (CampaignStore.Campaign c : campaigns.active("segment_entered")) {
            CampaignDefinition d = campaigns.definition(c);
            if (d.trigger().segment() == segment) {
                if (trigger == null) {
                    trigger = enteringEvent(profile, e.path("at").asText());
                }
                enter(c, d, profile, trigger, "segment-" + segment + "-" + e.path("at").asText(),
                        "entered segment " + e.path("segmentName").asText(String.valueOf(segment)));
            }
        }
    }

    /**
     * What {@code {{event.*}}} holds in a segment-triggered journey: the properties of the person's
     * newest {@code track} event (by its timestamp) stored by the time they entered the segment — for a rule on events
     * (added to cart, viewed a product) the one that made them enter. The hub's own events (message
     * statuses, segment entries) do not count. Empty when there is none.
     */
    JsonNode enteringEvent(long profileId, String enteredAt) {
        Instant at;
        try {
            at = Instant.parse(enteredAt);
        } catch (RuntimeException e) {
            at = Instant.now();
        }
        List<String> props = jdbc.queryForList("SELECT properties::text FROM events WHERE profile_id = ? AND type = 'track' "
                + "AND stored_at <= ? AND (source IS NULL OR (source NOT LIKE 'hub:%' AND source NOT LIKE 'segment:%')) "
                + "ORDER BY timestamp DESC, id DESC LIMIT 1", String.class, profileId, Timestamp.from(at));
        try {
            return props.isEmpty() ? mapper.createObjectNode() : mapper.readTree(props.get(0));
        } catch (java.io.IOException ex) {
            throw new IllegalStateException("cannot read the properties of profile " + profileId + "'s newest event", ex);
        }
    }

    /**
     * The events of one stored batch, in a few statements whatever its size: one UPDATE wakes every
     * journey waiting for one of the batch's track events, and only the events named by an active
     * campaign's trigger or goal are read back, with those campaigns loaded once for the batch.
     */
    void onProfilesChanged(JsonNode changes) {
        JsonNode ids = changes.path("messageIds");
        if (!ids.isArray() || ids.isEmpty()) {
            return;
        }
        String[] messageIds = new String[ids.size()];
        for (int i = 0; i < messageIds.length; i++) {
            messageIds[i] = ids.get(i).asText();
        }
        journeys.wakeOnEvents(messageIds);
        List<CampaignStore.Campaign> eventCampaigns = campaigns.active("event");
        List<CampaignStore.Campaign> goalCampaigns = campaigns.activeWithGoal();
        if (eventCampaigns.isEmpty() && goalCampaigns.isEmpty()) {
            return;
        }
        Map<String, List<CampaignStore.Campaign>> byTrigger = new java.util.HashMap<>();
        for (CampaignStore.Campaign c : eventCampaigns) {
            byTrigger.computeIfAbsent(campaigns.definition(c).trigger().event(), k -> new ArrayList<>()).add(c);
        }
        Map<String, List<CampaignStore.Campaign>> byGoal = new java.util.HashMap<>();
        for (CampaignStore.Campaign c : goalCampaigns) {
            byGoal.computeIfAbsent(campaigns.definition(c).goal().event(), k -> new ArrayList<>()).add(c);
        }
        java.util.Set<String> names = new java.util.HashSet<>(byTrigger.keySet());
        names.addAll(byGoal.keySet());
        names.remove(null);
        record Stored(long profileId, String event, JsonNode properties, Instant at, String messageId) {
        }
        List<Stored> events = jdbc.query("SELECT profile_id, event, properties::text, timestamp, message_id FROM events "
                        + "WHERE message_id = ANY(?) AND type = 'track' AND profile_id IS NOT NULL AND event = ANY(?) ORDER BY id",
                (rs, i) -> {
                    try {
                        return new Stored(rs.getLong(1), rs.getString(2), mapper.readTree(rs.getString(3)),
                                rs.getTimestamp(4).toInstant(), rs.getString(5));
                    } catch (java.io.IOException ex) {
                        throw new java.sql.SQLException(ex);
                    }
                }, messageIds, names.toArray(String[]::new));
        for (Stored ev : events) {
            for (CampaignStore.Campaign c : byGoal.getOrDefault(ev.event(), List.of())) {
                CampaignDefinition d = campaigns.definition(c);
                journeys.convert(c.id(), ev.profileId(), ev.at(), d.goal().within(), ev.event());
            }
            for (CampaignStore.Campaign c : byTrigger.getOrDefault(ev.event(), List.of())) {
                CampaignDefinition d = campaigns.definition(c);
                if (matches(d.trigger().where(), ev.properties())) {
                    enter(c, d, ev.profileId(), ev.properties(), ev.messageId(), "event " + ev.event());
                }
            }
        }
    }

    static boolean matches(Map<String, JsonNode> where, JsonNode properties) {
        for (Map.Entry<String, JsonNode> w : where.entrySet()) {
            JsonNode v = properties.get(w.getKey());
            if (v == null || !(v.equals(w.getValue()) || v.asText().equals(w.getValue().asText()) && v.isValueNode()
                    && w.getValue().isValueNode())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Starts a journey for a person, if the campaign's audience has them, and once unless the campaign
     * allows re-entry ({@code triggerKey} then tells entries apart).
     */
    public Long enter(CampaignStore.Campaign c, CampaignDefinition d, long profileId, JsonNode trigger, String triggerKey,
                      String why) {
        if (d.audienceSegment() != null && jdbc.queryForList("SELECT 1 FROM segment_members WHERE segment_id = ? AND profile_id = ?",
                Integer.class, d.audienceSegment(), profileId).isEmpty()) {
            log.debug("Campaign {}: profile {} is not in the audience segment {}", c.id(), profileId, d.audienceSegment());
            return null;
        }
        String key = d.reentry() ? profileId + ":" + triggerKey : String.valueOf(profileId);
        return journeys.start(c.id(), profileId, key, trigger, why);
    }

    /** Computes an audience segment whose new or edited rule is not computed yet, so that its stored members are everyone it holds. */
    public void computeAudience(Long segment) {
        if (segment != null) {
            segments.ensureComputed(segment);
        }
    }

    /**
     * Everyone in the audience enters now (a broadcast or a scheduled run); returns how many entered.
     * An audience segment whose new or edited rule is not computed yet is computed first.
     * They enter in chunks of {@value #CHUNK}, each committed at once, so that the engine starts on the
     * first while the rest enter. A run that stops half-way (a node killed) enters the others when it
     * runs again: the run key makes the same people's entries the same journeys.
     */
    public int broadcast(CampaignStore.Campaign c, CampaignDefinition d, String runKey) {
        computeAudience(d.audienceSegment());
        int entered = 0;
        boolean analyzed = false;
        long after = Long.MIN_VALUE;
        while (true) {
            long from = after;
            // Each chunk in its own transaction, which an erasure waits for (ProfileAdmin.noErasureMeanwhile).
            Map<String, Object> chunk = tx.execute(status -> {
                ProfileAdmin.noErasureMeanwhile(jdbc);
                return jdbc.queryForMap("WITH m AS (SELECT profile_id FROM segment_members WHERE segment_id = ? "
                                + "AND profile_id > ? ORDER BY profile_id LIMIT ?), "
                                + "ins AS (INSERT INTO journeys (campaign_id, profile_id, entry_key, state, wake_at, entry_detail) "
                                + "SELECT ?, profile_id, CASE WHEN ? THEN profile_id || ':' || ? ELSE profile_id::text END, 'active', now(), ? "
                                + "FROM m ON CONFLICT (campaign_id, entry_key) DO NOTHING RETURNING id) "
                                + "SELECT (SELECT count(*) FROM ins)::int AS entered, (SELECT max(profile_id) FROM m) AS last",
                        d.audienceSegment(), from, CHUNK, c.id(), d.reentry(), runKey, "broadcast " + runKey);
            });
            entered += ((Number) chunk.get("entered")).intValue();
            if (!analyzed && entered >= ANALYZE_AFTER) {
                analyze(c, entered);
                analyzed = true;
            }
            if (chunk.get("last") == null) {
                break;
            }
            after = ((Number) chunk.get("last")).longValue();
        }
        if (entered >= ANALYZE_AFTER) {
            analyze(c, entered);
        }
        log.info("Campaign {}: {} people entered ({})", c.id(), entered, runKey);
        return entered;
    }

    private void analyze(CampaignStore.Campaign c, int entered) {
        // That many new rows leave the planner's statistics of journeys behind (a fresh table has none): until autovacuum
        // analyzes it, a minute or more later, every claim of due journeys sorted the whole campaign (1M rows: ~400/s).
        try {
            jdbc.execute("ANALYZE journeys");
        } catch (org.springframework.dao.DataAccessException e) {
            log.warn("Campaign {}: could not ANALYZE journeys after {} entries (autovacuum will): {}", c.id(), entered, e.getMessage());
        }
    }

    /** Scheduled campaigns whose time has come run now; a recurring one is set to its next run. */
    public void runSchedules() {
        // Two hubs may both run it: the run key makes the second run's entries the same journeys, so nobody enters twice.
        List<CampaignStore.Campaign> due = jdbc.query("SELECT id FROM campaigns WHERE state = 'active' AND next_run_at <= now()",
                (rs, i) -> campaigns.get(rs.getString(1)));
        for (CampaignStore.Campaign c : due) {
            CampaignDefinition d = campaigns.definition(c);
            Instant at = c.nextRunAt();
            broadcast(c, d, "run-" + at);
            Instant next = d.trigger().every() == null ? null : at.plus(d.trigger().every());
            jdbc.update("UPDATE campaigns SET next_run_at = ? WHERE id = ?", next == null ? null : Timestamp.from(next), c.id());
        }
    }
}
