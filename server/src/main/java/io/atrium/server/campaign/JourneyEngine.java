package io.atrium.server.campaign;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.api.ApiException;
import io.atrium.server.message.MessageStore;
import io.atrium.server.message.Messages;
import io.atrium.server.segment.SegmentMembers;
import io.atrium.server.support.PeriodicTask;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves people through campaigns. Every journey's position and wait is a row in {@code journeys};
 * each of a node's engine workers ({@code atrium.campaigns.workers}) takes a batch of the journeys
 * that are due and locks them ({@code FOR UPDATE SKIP LOCKED}, so workers and nodes share the work
 * and never take the same one), advances each as far as it can go now, and writes the batch back,
 * with the time each next needs attention, in the transaction that holds the locks. The batch's
 * sends go out together: their messages in one statement (committed before their ids are queued),
 * their ids in one broker transaction, their log lines in one statement. A send carries a dedupe key
 * made of the journey, step and cascade position, so a node that dies after sending and before
 * writing the journey back sends nothing twice when the journey is taken again.
 */
@Service
public class JourneyEngine {

    private static final Logger log = LoggerFactory.getLogger(JourneyEngine.class);
    /** How long a worker may sit in its batch's transaction between statements before PostgreSQL ends it and frees the journeys. */
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration RETRY = Duration.ofSeconds(30);
    /** Two-key advisory locks of this class serialize the cap checks of one person (the second key is the profile). */
    private static final int CAP_LOCKS = 0x61636170;
    private static final Set<String> NOT_SENT = Set.of("no_consent", "no_address", "template_error");

    private final Journeys journeys;
    private final CampaignTriggers triggers;
    private final io.atrium.server.plugin.ChannelRegistry channels;
    private final CampaignStore campaigns;
    private final Messages messages;
    private final MessageStore messageStore;
    private final SegmentMembers segments;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;
    private final Duration tick;
    private final int workers;
    private final int batch;
    private final ZoneId defaultZone;
    private final LocalTime quietFrom;
    private final LocalTime quietTo;
    private final int totalCap;
    private final Duration totalCapPer;
    private final Counter advanced;
    private final List<ScheduledExecutorService> tickers = new ArrayList<>();

    public JourneyEngine(Journeys journeys, CampaignTriggers triggers, io.atrium.server.plugin.ChannelRegistry channels,
                         CampaignStore campaigns, Messages messages, MessageStore messageStore,
                         SegmentMembers segments, JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper mapper,
                         MeterRegistry registry,
                         @Value("${atrium.campaigns.tick:250ms}") Duration tick,
                         @Value("${atrium.campaigns.workers:2}") int workers,
                         @Value("${atrium.campaigns.batch:1000}") int batch,
                         @Value("${atrium.contact-policy.time-zone:UTC}") String defaultZone,
                         @Value("${atrium.contact-policy.quiet-hours.from:}") String quietFrom,
                         @Value("${atrium.contact-policy.quiet-hours.to:}") String quietTo,
                         @Value("${atrium.contact-policy.total-cap.max:0}") int totalCap,
                         @Value("${atrium.contact-policy.total-cap.per:1d}") Duration totalCapPer) {
        this.journeys = journeys;
        this.triggers = triggers;
        this.channels = channels;
        this.campaigns = campaigns;
        this.messages = messages;
        this.messageStore = messageStore;
        this.segments = segments;
        this.jdbc = jdbc;
        this.tx = tx;
        this.mapper = mapper;
        this.tick = tick;
        if (workers < 1 || workers > 32) {
            throw new IllegalArgumentException("atrium.campaigns.workers must be 1 to 32, got " + workers);
        }
        if (batch < 1 || batch > 10_000) {
            throw new IllegalArgumentException("atrium.campaigns.batch must be 1 to 10000, got " + batch);
        }
        this.workers = workers;
        this.batch = batch;
        this.defaultZone = ZoneId.of(defaultZone);
        this.quietFrom = quietFrom.isBlank() ? null : LocalTime.parse(quietFrom);
        this.quietTo = quietTo.isBlank() ? null : LocalTime.parse(quietTo);
        this.totalCap = totalCap;
        this.totalCapPer = totalCapPer;
        this.advanced = Counter.builder("atrium.campaigns.journey-steps").description("Journey advances").register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void startTicking() {
        for (int w = 0; w < workers; w++) {
            boolean first = w == 0;
            tickers.add(PeriodicTask.every(tick, "atrium-campaign-engine-" + (w + 1), log, () -> tick(first)));
        }
    }

    @PreDestroy
    public void stop() {
        tickers.forEach(ScheduledExecutorService::shutdownNow);
    }

    /** A status of a campaign's message moves the journey waiting on it at once. */
    @EventListener
    public void onMessageStatus(MessageStore.StatusRecorded e) {
        journeys.wakeOnMessage(e.messageId());
    }

    /** Advances every due journey, in batches, for at most a few seconds; the first worker also starts scheduled runs. */
    public void tick(boolean runSchedules) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        if (runSchedules) {
            triggers.runSchedules();
        }
        Map<String, CampaignDefinition> defs = new HashMap<>();
        Map<String, CampaignStore.Campaign> camps = new HashMap<>();
        while (System.nanoTime() < deadline) {
            Integer taken = tx.execute(status -> advanceBatch(camps, defs));
            if (taken == null || taken < batch) {
                return;
            }
        }
    }

    /** Claims one batch, advances it and writes it back, in the caller's transaction; returns how many journeys it took. */
    private int advanceBatch(Map<String, CampaignStore.Campaign> camps, Map<String, CampaignDefinition> defs) {
        // A worker that hangs (or a node cut off) while holding the batch's locks loses them after the lease. The batch's
        // commit does not wait for its WAL flush: what it writes (journeys, their log) is lost only if PostgreSQL itself
        // crashes, and a journey whose advance was lost advances again and finds its messages by their dedupe keys (those
        // are committed, and flushed, before their ids are queued).
        jdbc.queryForObject("SELECT set_config('idle_in_transaction_session_timeout', ?, true) || "
                + "set_config('synchronous_commit', 'off', true)", String.class, LEASE.toMillis() + "ms");
        List<Journeys.Journey> claimed = journeys.claimDue(batch);
        if (claimed.isEmpty()) {
            return 0;
        }
        List<Journeys.Journey> advancedNow = new ArrayList<>();
        journeys.buffer();
        List<Journeys.Journey> due = claimed;
        try {
            due = journeys.followMerges(claimed);
            Map<String, Outcome> prepared;
            try {
                prepared = prepare(due, camps, defs);
            } catch (RuntimeException e) {
                log.warn("Campaigns: the sends of {} journeys could not be prepared together, each goes alone: {}", due.size(),
                        e.toString());
                prepared = new HashMap<>();
            }
            Map<String, MessageStore.Row> waitedOn = waitedOn(due);
            for (Journeys.Journey j : due) {
                CampaignStore.Campaign c = camps.computeIfAbsent(j.campaignId, id -> campaigns.find(id).orElse(null));
                if (c == null) {
                    continue;
                }
                if ("done".equals(j.state)) {
                    // Woken while it was being finished (a status report came as it ended): nothing is left to do,
                    // and advancing it again would move its end.
                    j.wakeAt = null;
                    advancedNow.add(j);
                    continue;
                }
                try {
                    advance(c, defs.computeIfAbsent(c.id(), id -> campaigns.definition(c)), j, prepared, waitedOn);
                } catch (RuntimeException e) {
                    log.warn("Campaign {}: journey {} of profile {} could not advance, retrying in {}: {}", j.campaignId, j.id,
                            j.profileId, RETRY, e.toString(), e);
                    j.wakeAt = Instant.now().plus(RETRY);
                }
                advancedNow.add(j);
            }
        } finally {
            journeys.flush();
        }
        journeys.saveAll(advancedNow);
        advanced.increment(advancedNow.size());
        return claimed.size();
    }

    /** The messages the batch's journeys wait on or branch on, in one query. */
    private Map<String, MessageStore.Row> waitedOn(List<Journeys.Journey> due) {
        List<String> ids = new ArrayList<>();
        for (Journeys.Journey j : due) {
            if (j.messageId != null) {
                ids.add(j.messageId);
            }
            if (j.lastMessageId != null) {
                ids.add(j.lastMessageId);
            }
        }
        return messageStore.findAll(ids);
    }

    /** What a send came to. */
    sealed interface Outcome permits Sent, Skipped, Deferred {
    }

    record Sent(String messageId) implements Outcome {
    }

    record Skipped(String detail) implements Outcome {
    }

    record Deferred(Instant until, String detail) implements Outcome {
    }

    void advance(CampaignStore.Campaign c, CampaignDefinition d, Journeys.Journey j, Map<String, Outcome> prepared,
                 Map<String, MessageStore.Row> waitedOn) {
        for (int guard = 0; guard < 100; guard++) {
            if (j.step < 0 || j.step >= d.steps().size()) {
                end(j, "completed");
                return;
            }
            CampaignDefinition.Step s = d.steps().get(j.step);
            Instant now = Instant.now();
            switch (s.type()) {
                case "send" -> {
                    CampaignDefinition.ChannelStep cs = s.channels().get(0);
                    Outcome o = send(prepared, new Planned(c, d, j, s, cs, sendKey(j, s)));
                    if (o instanceof Deferred def) {
                        waitFor(j, def, s, cs);
                        return;
                    }
                    record(j, s, cs, o);
                    next(j);
                }
                case "cascade" -> {
                    if (j.cascade >= s.channels().size()) {
                        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "cascade_exhausted", null, null,
                                "no channel of the cascade reached the person");
                        next(j);
                        continue;
                    }
                    CampaignDefinition.ChannelStep cs = s.channels().get(j.cascade);
                    boolean last = j.cascade == s.channels().size() - 1;
                    if (j.messageId == null) {
                        Outcome o = send(prepared, new Planned(c, d, j, s, cs, sendKey(j, s)));
                        if (o instanceof Deferred def) {
                            waitFor(j, def, s, cs);
                            return;
                        }
                        record(j, s, cs, o);
                        if (o instanceof Skipped) {
                            j.cascade++;
                            continue;
                        }
                        if (last) {
                            next(j);
                            continue;
                        }
                        j.messageId = ((Sent) o).messageId();
                        j.waitUntil = now.plus(cs.within());
                        j.state = "waiting";
                        j.wakeAt = j.waitUntil;
                        return;
                    }
                    Optional<MessageStore.Row> m = waitedOn.containsKey(j.messageId) ? Optional.of(waitedOn.get(j.messageId))
                            : messageStore.find(j.messageId);
                    String status = m.map(MessageStore.Row::status).orElse("failed");
                    if (MessageStore.reached(status, cs.until())) {
                        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "reached", cs.channel(), j.messageId,
                                cs.until() + " (" + status + ")");
                        next(j);
                    } else if (MessageStore.isFailed(status)) {
                        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "fell_back", cs.channel(), j.messageId,
                                "the message " + status + (m.isPresent() && m.get().reason() != null ? " (" + m.get().reason() + ")" : ""));
                        fallBack(j);
                    } else if (!now.isBefore(j.waitUntil)) {
                        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "fell_back", cs.channel(), j.messageId,
                                "not " + cs.until() + " within " + human(cs.within()) + " (it is " + status + ")");
                        fallBack(j);
                    } else {
                        j.state = "waiting";
                        j.wakeAt = j.waitUntil;
                        return;
                    }
                }
                case "wait" -> {
                    if (j.waitUntil == null) {
                        j.lastWait = null;
                        if (s.duration() != null) {
                            j.waitUntil = now.plus(s.duration());
                        } else if (s.untilTime() != null) {
                            j.waitUntil = nextTimeOfDay(now, s.untilTime(), zoneOf(j.profileId, d));
                        } else {
                            j.waitUntil = now.plus(s.timeout());
                            j.waitingEvent = s.event();
                        }
                        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "waiting", null, null,
                                (s.event() != null ? "for " + s.event() + " " : "") + "until " + j.waitUntil);
                        j.state = "waiting";
                        j.wakeAt = j.waitUntil;
                        return;
                    }
                    if (j.waitingEvent != null && "event".equals(j.lastWait)) {
                        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "wait_over", null, null, j.waitingEvent + " happened");
                        clearWait(j);
                        next(j);
                    } else if (!now.isBefore(j.waitUntil)) {
                        if (j.waitingEvent != null) {
                            j.lastWait = "timeout";
                        }
                        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "wait_over", null, null,
                                j.waitingEvent != null ? "no " + j.waitingEvent + " before the timeout" : "time is up");
                        clearWait(j);
                        next(j);
                    } else {
                        j.state = "waiting";
                        j.wakeAt = j.waitUntil;
                        return;
                    }
                }
                case "branch" -> {
                    boolean yes = holds(s.condition(), j, waitedOn);
                    String target = yes ? s.then() : s.otherwise();
                    journeys.log(j.id, j.campaignId, j.profileId, s.id(), "branch", null, null,
                            s.condition() + " is " + yes + ": " + target);
                    if (target.equals("exit")) {
                        end(j, "exited at " + s.id());
                        return;
                    }
                    j.step = target.equals("next") ? j.step + 1 : d.indexOf(target);
                    j.state = "active";
                }
                case "exit" -> {
                    end(j, "exited at " + s.id());
                    return;
                }
                default -> throw new IllegalStateException("unknown step type " + s.type());
            }
        }
        log.warn("Campaign {}: journey {} took 100 steps without waiting; it rests a minute", j.campaignId, j.id);
        j.wakeAt = Instant.now().plus(Duration.ofMinutes(1));
    }

    private void record(Journeys.Journey j, CampaignDefinition.Step s, CampaignDefinition.ChannelStep cs, Outcome o) {
        if (o instanceof Sent sent) {
            j.lastMessageId = sent.messageId();
            journeys.log(j.id, j.campaignId, j.profileId, s.id(), "sent", cs.channel(), sent.messageId(), "template " + cs.template());
        } else if (o instanceof Skipped skipped) {
            journeys.log(j.id, j.campaignId, j.profileId, s.id(), "skipped", cs.channel(), null, skipped.detail());
        }
    }

    private void waitFor(Journeys.Journey j, Deferred d, CampaignDefinition.Step s, CampaignDefinition.ChannelStep cs) {
        journeys.log(j.id, j.campaignId, j.profileId, s.id(), "deferred", cs.channel(), null, d.detail());
        j.state = "waiting";
        j.wakeAt = d.until();
    }

    private void next(Journeys.Journey j) {
        j.step++;
        j.cascade = 0;
        j.messageId = null;
        j.waitUntil = null;
        j.state = "active";
    }

    private void fallBack(Journeys.Journey j) {
        j.cascade++;
        j.messageId = null;
        j.waitUntil = null;
        j.state = "active";
    }

    private static void clearWait(Journeys.Journey j) {
        j.waitUntil = null;
        j.waitingEvent = null;
    }

    private void end(Journeys.Journey j, String reason) {
        j.state = "done";
        j.endReason = reason;
        j.endedAt = Instant.now();
        j.wakeAt = null;
        j.messageId = null;
        // no log line: the trace's "exited" is the journey's own end (Journeys.trace)
    }

    private boolean holds(JsonNode cond, Journeys.Journey j, Map<String, MessageStore.Row> waitedOn) {
        if (cond.has("lastMessage")) {
            String want = cond.get("lastMessage").asText();
            String status = j.lastMessageId == null ? null
                    : waitedOn.containsKey(j.lastMessageId) ? waitedOn.get(j.lastMessageId).status()
                    : messageStore.find(j.lastMessageId).map(MessageStore.Row::status).orElse(null);
            if (status == null) {
                return false;
            }
            return want.equals("failed") ? MessageStore.isFailed(status) : MessageStore.reached(status, want);
        }
        if (cond.has("lastWait")) {
            return cond.get("lastWait").asText().equals(j.lastWait);
        }
        return segments.idsAmong(cond.get("rule"), Set.of(j.profileId)).contains(j.profileId);
    }

    /** A send a journey is about to make: its channel step and the dedupe key that makes it happen once. */
    record Planned(CampaignStore.Campaign c, CampaignDefinition d, Journeys.Journey j, CampaignDefinition.Step s,
                   CampaignDefinition.ChannelStep cs, String key) {
    }

    /** The dedupe key of the send at the journey's position: journey, step, and the cascade's channel. */
    static String sendKey(Journeys.Journey j, CampaignDefinition.Step s) {
        return s.type().equals("cascade") ? "j" + j.id + "-" + s.id() + "-" + j.cascade : "j" + j.id + "-" + s.id();
    }

    private Outcome send(Map<String, Outcome> prepared, Planned p) {
        Outcome o = prepared.remove(p.key());
        return o != null ? o : sendAll(List.of(p)).get(p.key());
    }

    /** The sends of every journey of a batch that stands at a sending position, done together. */
    private Map<String, Outcome> prepare(List<Journeys.Journey> due, Map<String, CampaignStore.Campaign> camps,
                                         Map<String, CampaignDefinition> defs) {
        List<Planned> planned = new ArrayList<>();
        for (Journeys.Journey j : due) {
            CampaignStore.Campaign c = camps.computeIfAbsent(j.campaignId, id -> campaigns.find(id).orElse(null));
            if (c == null) {
                continue;
            }
            CampaignDefinition d = defs.computeIfAbsent(c.id(), id -> campaigns.definition(c));
            if ("done".equals(j.state) || j.step < 0 || j.step >= d.steps().size()) {
                continue;
            }
            CampaignDefinition.Step s = d.steps().get(j.step);
            if (s.type().equals("send") || s.type().equals("cascade") && j.messageId == null && j.cascade < s.channels().size()) {
                planned.add(new Planned(c, d, j, s, s.channels().get(s.type().equals("send") ? 0 : j.cascade), sendKey(j, s)));
            }
        }
        return sendAll(planned);
    }

    /**
     * Sends after the contact policy: quiet hours defer a marketing message, caps skip it; the rest go
     * through {@link Messages#sendAll} together. Keyed by {@link Planned#key()}.
     */
    Map<String, Outcome> sendAll(List<Planned> planned) {
        Map<String, Outcome> out = new HashMap<>();
        if (planned.isEmpty()) {
            return out;
        }
        Long[] people = planned.stream().map(p -> p.j().profileId).distinct().toArray(Long[]::new);
        if (planned.stream().anyMatch(this::mayBeCapped)) {
            // Two workers (here or on another node) counting the same person's messages at once could both find room under
            // a cap: each person's count and new messages are serialized by a lock held until the batch is written back,
            // after its messages are committed. Taken in order, so that two batches never wait for each other.
            jdbc.query("SELECT count(pg_advisory_xact_lock(?, k)) FROM (SELECT DISTINCT (p % 2147483647)::int AS k "
                    + "FROM unnest(?::bigint[]) p ORDER BY 1) s", rs -> { }, CAP_LOCKS, people);
        }
        Map<Long, ZoneId> zones = zones(people);
        Map<String, Long> counts = new HashMap<>();
        List<Planned> go = new ArrayList<>();
        Instant now = Instant.now();
        for (Planned p : planned) {
            CampaignDefinition d = p.d();
            boolean internal = channels.channel(p.cs().channel()).map(ch -> ch.options().internal()).orElse(false);
            if (d.purpose().equals("marketing") && !internal) {
                LocalTime from = d.policy().quietFrom() != null ? d.policy().quietFrom() : quietFrom;
                LocalTime to = d.policy().quietFrom() != null ? d.policy().quietTo() : quietTo;
                if (from != null && to != null) {
                    ZoneId zone = zones.getOrDefault(p.j().profileId, d.policy().timeZone() != null ? d.policy().timeZone() : defaultZone);
                    if (inWindow(now.atZone(zone).toLocalTime(), from, to)) {
                        Instant opens = nextTimeOfDay(now, to, zone);
                        out.put(p.key(), new Deferred(opens, "quiet hours " + from + "-" + to + " in " + zone + "; sending at " + opens));
                        continue;
                    }
                }
                String capped = capped(p, people, counts);
                if (capped != null) {
                    out.put(p.key(), new Skipped(capped));
                    continue;
                }
            }
            go.add(p);
        }
        List<Messages.SendRequest> requests = new ArrayList<>();
        for (Planned p : go) {
            Map<String, Object> campaign = new LinkedHashMap<>();
            campaign.put("id", p.c().id());
            campaign.put("name", p.d().name());
            Journeys.Journey j = p.j();
            Map<String, Object> event = j.trigger == null || j.trigger.isEmpty() ? null
                    : mapper.convertValue(j.trigger, mapper.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
            requests.add(new Messages.SendRequest(j.profileId, null, null, p.cs().channel(), p.d().purpose(), p.cs().template(),
                    null, null, null, null, event, campaign, p.c().id(), p.s().id(), p.key(), null));
        }
        // Unguarded: this batch holds its journeys' row locks, which a profile erasure waits for before it deletes the
        // person's messages, these included (MessageStore.insertAll).
        List<Messages.Result> results = messages.sendAll(requests, false);
        for (int i = 0; i < go.size(); i++) {
            Planned p = go.get(i);
            Messages.Result r = results.get(i);
            if (r.error() != null) {
                if (r.error().status() == HttpStatus.SERVICE_UNAVAILABLE) {
                    throw r.error(); // the journey is retried
                }
                out.put(p.key(), new Skipped(p.cs().channel() + ": " + readable(r.error().detail())));
            } else if ("failed".equals(r.row().status()) && (r.row().reason() == null || NOT_SENT.contains(r.row().reason()))) {
                out.put(p.key(), new Skipped(r.row().reason() + ": " + r.row().detail()));
            } else {
                out.put(p.key(), new Sent(r.row().id()));
            }
        }
        return out;
    }

    /** Time zones people named in their {@code timezone} trait. */
    private Map<Long, ZoneId> zones(Long[] people) {
        Map<Long, ZoneId> out = new HashMap<>();
        jdbc.query("SELECT profile_id, value #>> '{}' FROM traits WHERE profile_id = ANY(?) AND name IN ('timezone', 'time_zone')",
                rs -> {
                    try {
                        out.put(rs.getLong(1), ZoneId.of(rs.getString(2)));
                    } catch (Exception e) {
                        // not a zone id: the campaign's or the hub's zone applies
                    }
                }, (Object) people);
        return out;
    }

    /** Whether a cap may stop this send: a marketing message on a customer-facing channel, with a cap on it or in total. */
    private boolean mayBeCapped(Planned p) {
        if (!p.d().purpose().equals("marketing")
                || channels.channel(p.cs().channel()).map(ch -> ch.options().internal()).orElse(false)) {
            return false;
        }
        return totalCap > 0 || p.d().policy().caps().containsKey("total") || p.d().policy().caps().containsKey(p.cs().channel());
    }

    /**
     * Null when a marketing message may go out now on the planned channel, else which cap stops it.
     * {@code counts} caches, per cap and period, the marketing messages of everyone in the batch.
     */
    private String capped(Planned p, Long[] people, Map<String, Long> counts) {
        Map<String, CampaignDefinition.Cap> caps = new LinkedHashMap<>(p.d().policy().caps());
        if (totalCap > 0) {
            caps.putIfAbsent("total", new CampaignDefinition.Cap(totalCap, totalCapPer));
        }
        String channel = p.cs().channel();
        for (Map.Entry<String, CampaignDefinition.Cap> e : caps.entrySet()) {
            boolean total = e.getKey().equals("total");
            if (!total && !e.getKey().equals(channel)) {
                continue;
            }
            long per = e.getValue().per().toSeconds();
            String loaded = "loaded:" + per;
            if (!counts.containsKey(loaded)) {
                counts.put(loaded, 1L);
                String[] internalChannels = channels.channels().keySet().stream()
                        .filter(ch -> channels.channel(ch).map(x -> x.options().internal()).orElse(false)).toArray(String[]::new);
                jdbc.query("SELECT profile_id, channel, count(*) FROM messages WHERE profile_id = ANY(?) AND purpose = 'marketing' "
                                + "AND created_at > now() - make_interval(secs => ?) AND NOT (status = 'failed' AND reason = ANY(?)) "
                                + "AND channel <> ALL(?) GROUP BY 1, 2", rs -> {
                            counts.merge(per + ":" + rs.getLong(1) + ":" + rs.getString(2), rs.getLong(3), Long::sum);
                            counts.merge(per + ":" + rs.getLong(1) + ":*", rs.getLong(3), Long::sum);
                        }, (Object) people, (double) per, NOT_SENT.toArray(String[]::new), internalChannels);
            }
            long n = counts.getOrDefault(per + ":" + p.j().profileId + ":" + (total ? "*" : channel), 0L);
            if (n >= e.getValue().max()) {
                return "frequency cap: at most " + e.getValue().max() + " marketing message(s) per " + human(e.getValue().per())
                        + (total ? " in total" : " on " + channel) + "; " + n + " already";
            }
        }
        return null;
    }

    /** The person's time zone: the trait {@code timezone} when it names one, else the campaign's, else the hub's default. */
    ZoneId zoneOf(long profileId, CampaignDefinition d) {
        List<String> tz = jdbc.queryForList("SELECT value #>> '{}' FROM traits WHERE profile_id = ? AND name IN ('timezone', 'time_zone')",
                String.class, profileId);
        for (String z : tz) {
            try {
                return ZoneId.of(z);
            } catch (Exception e) {
                // not a zone id; fall through
            }
        }
        return d.policy().timeZone() != null ? d.policy().timeZone() : defaultZone;
    }

    static boolean inWindow(LocalTime t, LocalTime from, LocalTime to) {
        return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }

    static Instant nextTimeOfDay(Instant now, LocalTime time, ZoneId zone) {
        ZonedDateTime local = now.atZone(zone);
        ZonedDateTime at = local.with(time);
        if (!at.isAfter(local)) {
            at = at.plusDays(1);
        }
        return at.toInstant();
    }

    static String human(Duration d) {
        if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
            return d.toDays() + "d";
        }
        if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
            return d.toHours() + "h";
        }
        if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
            return d.toMinutes() + "m";
        }
        return d.toSeconds() + "s";
    }

    /** An API error's detail as a person reads it in the trace: its message, not a Java map. */
    static String readable(Object detail) {
        if (detail instanceof Map<?, ?> m && m.get("message") != null) {
            return String.valueOf(m.get("message"));
        }
        return String.valueOf(detail);
    }
}
