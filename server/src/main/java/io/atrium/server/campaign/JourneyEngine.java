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

/**
 * Moves people through campaigns. Every journey's position and wait is a row in {@code journeys};
 * each hub node takes the journeys that are due ({@code FOR UPDATE SKIP LOCKED}, so nodes share the
 * work and never take the same one), advances each as far as it can go now, and writes it back with
 * the time it next needs attention. A send carries a dedupe key made of the journey, step and
 * cascade position, so a node that dies after sending and before writing the journey back sends
 * nothing twice when the journey is taken again.
 */
@Service
public class JourneyEngine {

    private static final Logger log = LoggerFactory.getLogger(JourneyEngine.class);
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration RETRY = Duration.ofSeconds(30);
    private static final int BATCH = 200;
    private static final Set<String> NOT_SENT = Set.of("no_consent", "no_address", "template_error");

    private final Journeys journeys;
    private final CampaignTriggers triggers;
    private final io.atrium.server.plugin.ChannelRegistry channels;
    private final CampaignStore campaigns;
    private final Messages messages;
    private final MessageStore messageStore;
    private final SegmentMembers segments;
    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final Duration tick;
    private final ZoneId defaultZone;
    private final LocalTime quietFrom;
    private final LocalTime quietTo;
    private final int totalCap;
    private final Duration totalCapPer;
    private final Counter advanced;
    private ScheduledExecutorService ticker;

    public JourneyEngine(Journeys journeys, CampaignTriggers triggers, io.atrium.server.plugin.ChannelRegistry channels,
                         CampaignStore campaigns, Messages messages, MessageStore messageStore,
                         SegmentMembers segments, JdbcTemplate jdbc, ObjectMapper mapper, MeterRegistry registry,
                         @Value("${atrium.campaigns.tick:250ms}") Duration tick,
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
        this.mapper = mapper;
        this.tick = tick;
        this.defaultZone = ZoneId.of(defaultZone);
        this.quietFrom = quietFrom.isBlank() ? null : LocalTime.parse(quietFrom);
        this.quietTo = quietTo.isBlank() ? null : LocalTime.parse(quietTo);
        this.totalCap = totalCap;
        this.totalCapPer = totalCapPer;
        this.advanced = Counter.builder("atrium.campaigns.journey-steps").description("Journey advances").register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void startTicking() {
        ticker = PeriodicTask.every(tick, "atrium-campaign-engine", log, this::tick);
    }

    @PreDestroy
    public void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    /** A status of a campaign's message moves the journey waiting on it at once. */
    @EventListener
    public void onMessageStatus(MessageStore.StatusRecorded e) {
        journeys.wakeOnMessage(e.messageId());
    }

    /** Advances every due journey, in batches, for at most a few seconds. */
    public void tick() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        triggers.runSchedules();
        Map<String, CampaignDefinition> defs = new HashMap<>();
        Map<String, CampaignStore.Campaign> camps = new HashMap<>();
        while (System.nanoTime() < deadline) {
            Instant leaseUntil = Instant.now().plus(LEASE);
            List<Journeys.Journey> due = journeys.claimDue(BATCH, leaseUntil);
            if (due.isEmpty()) {
                return;
            }
            List<Journeys.Journey> advancedNow = new ArrayList<>();
            journeys.buffer();
            try {
                Map<String, Outcome> prepared;
                try {
                    prepared = prepare(due, camps, defs);
                } catch (RuntimeException e) {
                    log.warn("Campaigns: the sends of {} journeys could not be prepared together, each goes alone: {}", due.size(),
                            e.toString());
                    prepared = new HashMap<>();
                }
                for (Journeys.Journey j : due) {
                    CampaignStore.Campaign c = camps.computeIfAbsent(j.campaignId, id -> campaigns.find(id).orElse(null));
                    if (c == null) {
                        continue;
                    }
                    if ("done".equals(j.state)) {
                        // Woken while it was being finished (a status report came as it ended): nothing is left to do,
                        // and advancing it again would log a second "exited" and move its end.
                        j.wakeAt = null;
                        advancedNow.add(j);
                        continue;
                    }
                    try {
                        advance(c, defs.computeIfAbsent(c.id(), id -> campaigns.definition(c)), j, prepared);
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
            journeys.saveAll(advancedNow, leaseUntil);
            advanced.increment(advancedNow.size());
            if (due.size() < BATCH) {
                return;
            }
        }
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

    void advance(CampaignStore.Campaign c, CampaignDefinition d, Journeys.Journey j, Map<String, Outcome> prepared) {
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
                    Optional<MessageStore.Row> m = messageStore.find(j.messageId);
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
                    boolean yes = holds(s.condition(), j);
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
        journeys.log(j.id, j.campaignId, j.profileId, null, "exited", null, null, reason);
    }

    private boolean holds(JsonNode cond, Journeys.Journey j) {
        if (cond.has("lastMessage")) {
            String want = cond.get("lastMessage").asText();
            String status = j.lastMessageId == null ? null
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
        List<Messages.Result> results = messages.sendAll(requests);
        for (int i = 0; i < go.size(); i++) {
            Planned p = go.get(i);
            Messages.Result r = results.get(i);
            if (r.error() != null) {
                if (r.error().status() == HttpStatus.SERVICE_UNAVAILABLE) {
                    throw r.error(); // the journey is retried
                }
                out.put(p.key(), new Skipped(p.cs().channel() + ": " + r.error().detail()));
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
}
