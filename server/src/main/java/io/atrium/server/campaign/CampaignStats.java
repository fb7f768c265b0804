package io.atrium.server.campaign;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.message.MessageStore;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A campaign's results: journeys by state, and per step and channel what its messages reached.
 *
 * <p>They are counted from the rows themselves (journeys, messages, the journey log), so they are
 * exact, but over a campaign of a million people one count takes seconds of PostgreSQL's time, and a
 * console page asks every few seconds, once per person watching. So the hub counts a campaign once at
 * a time (callers arriving meanwhile get that count) and, when counting took long, reuses the answer
 * for a while: up to {@link #REUSE_FACTOR} times as long as it took, never more than
 * {@link #MAX_REUSE}. Counting then takes at most about a sixth of one connection's time, however many
 * people watch. A count that took less than {@link #CHEAP} is never reused. Every answer says when it
 * was counted ({@code asOf}) and how long that took ({@code countedInMs}).
 */
@Component
public class CampaignStats {

    static final Duration CHEAP = Duration.ofMillis(250);
    static final int REUSE_FACTOR = 5;
    static final Duration MAX_REUSE = Duration.ofSeconds(30);

    private static final List<String> MESSAGE_COUNTS = List.of("sent", "delivered", "opened", "clicked");

    /** One count of one campaign, as it was at {@code asOf}. */
    record Count(JsonNode definition, Map<String, Object> journeys, Map<String, Map<String, Map<String, Long>>> steps,
                 Instant asOf, Duration took) {

        boolean reusableAt(Instant now) {
            if (took.compareTo(CHEAP) < 0) {
                return false;
            }
            Duration reuse = took.multipliedBy(REUSE_FACTOR);
            return now.isBefore(asOf.plus(reuse.compareTo(MAX_REUSE) > 0 ? MAX_REUSE : reuse));
        }
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Map<String, Count> last = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Count>> counting = new ConcurrentHashMap<>();

    @Autowired
    public CampaignStats(JdbcTemplate jdbc) {
        this(jdbc, Clock.systemUTC());
    }

    CampaignStats(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The stats of {@code c} as {@code GET /api/v1/campaigns/{id}/stats} answers them. */
    public Map<String, Object> of(CampaignStore.Campaign c, CampaignDefinition d) {
        Count count = count(c, d);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("campaignId", c.id());
        out.put("state", c.state());
        out.put("asOf", count.asOf().toString());
        out.put("countedInMs", count.took().toMillis());
        out.put("journeys", count.journeys());
        out.put("steps", count.steps());
        return out;
    }

    /** Forgets a deleted campaign's last count. */
    public void forget(String campaignId) {
        last.remove(campaignId);
    }

    Count count(CampaignStore.Campaign c, CampaignDefinition d) {
        Count previous = last.get(c.id());
        if (previous != null && previous.definition().equals(c.definition()) && previous.reusableAt(clock.instant())) {
            return previous;
        }
        CompletableFuture<Count> mine = new CompletableFuture<>();
        CompletableFuture<Count> running = counting.putIfAbsent(c.id(), mine);
        if (running != null) {
            try {
                Count theirs = running.join();
                if (theirs.definition().equals(c.definition())) {
                    return theirs;
                }
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
            return countNow(c, d);
        }
        try {
            Count fresh = countNow(c, d);
            last.put(c.id(), fresh);
            mine.complete(fresh);
            return fresh;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            counting.remove(c.id(), mine);
        }
    }

    private Count countNow(CampaignStore.Campaign c, CampaignDefinition d) {
        Instant asOf = clock.instant();
        long t0 = System.nanoTime();
        String id = c.id();
        Map<String, Object> journeys = jdbc.queryForMap("SELECT count(*) AS entered, "
                + "count(*) FILTER (WHERE state IN ('active', 'waiting')) AS running, "
                + "count(*) FILTER (WHERE state = 'waiting') AS waiting, "
                + "count(*) FILTER (WHERE state = 'done' AND end_reason = 'completed') AS completed, "
                + "count(*) FILTER (WHERE state = 'done' AND end_reason LIKE 'exited%') AS exited, "
                + "count(*) FILTER (WHERE converted_at IS NOT NULL) AS converted FROM journeys WHERE campaign_id = ?", id);
        Map<String, Map<String, Map<String, Long>>> steps = new LinkedHashMap<>();
        for (CampaignDefinition.Step s : d.steps()) {
            Map<String, Map<String, Long>> byChannel = new LinkedHashMap<>();
            for (CampaignDefinition.ChannelStep cs : s.channels()) {
                Map<String, Long> counts = new LinkedHashMap<>();
                for (String k : List.of("sent", "delivered", "opened", "clicked", "failed", "skipped", "fellBack", "deferred")) {
                    counts.put(k, 0L);
                }
                byChannel.put(cs.channel(), counts);
            }
            steps.put(s.id(), byChannel);
        }
        // A message that failed after the provider had accepted it (Viber: not a user; an SMS receipt UNDELIV) was
        // sent, like a bounced e-mail: its history has a sent status.
        jdbc.query("SELECT step_id, channel, status, reason, CASE WHEN status = 'failed' THEN EXISTS (SELECT 1 FROM "
                + "message_statuses s WHERE s.message_id = m.id AND s.status = 'sent') ELSE false END, count(*) "
                + "FROM messages m WHERE campaign_id = ? GROUP BY 1, 2, 3, 4, 5", rs -> {
            Map<String, Long> counts = steps.getOrDefault(rs.getString(1), Map.of()).get(rs.getString(2));
            if (counts == null) {
                return;
            }
            String status = rs.getString(3);
            String reason = rs.getString(4);
            boolean failedAfterSent = rs.getBoolean(5);
            long n = rs.getLong(6);
            if (status.equals("failed") && reason != null && List.of("no_consent", "no_address", "template_error").contains(reason)) {
                return; // counted as skipped from the journey log
            }
            for (String k : MESSAGE_COUNTS) {
                if (MessageStore.reached(status, k) || (k.equals("sent") && (status.equals("bounced") || failedAfterSent))) {
                    counts.merge(k, n, Long::sum);
                }
            }
            if (MessageStore.isFailed(status)) {
                counts.merge("failed", n, Long::sum);
            }
        }, id);
        jdbc.query("SELECT step_id, channel, kind, count(*) FROM journey_log WHERE campaign_id = ? AND kind IN "
                + "('skipped', 'fell_back', 'deferred') GROUP BY 1, 2, 3", rs -> {
                    Map<String, Long> counts = steps.getOrDefault(rs.getString(1), Map.of()).get(rs.getString(2));
                    if (counts != null) {
                        String k = switch (rs.getString(3)) {
                            case "fell_back" -> "fellBack";
                            default -> rs.getString(3);
                        };
                        counts.merge(k, rs.getLong(4), Long::sum);
                    }
                }, id);
        return new Count(c.definition(), journeys, steps, asOf, Duration.ofNanos(System.nanoTime() - t0));
    }
}
