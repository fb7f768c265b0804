package io.atrium.server.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

/** What the dashboard reads from PostgreSQL, each kept cheap on tables of many millions of rows. */
final class DashboardQueries {

    /** Below this many rows (by the planner's estimate) the profiles are counted exactly. */
    static final long EXACT_BELOW = 100_000;

    private final JdbcTemplate jdbc;
    private final PerMinuteCounts events;
    private final PerMinuteCounts sent;

    DashboardQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.events = new PerMinuteCounts(jdbc, "events", "stored_at", null);
        this.sent = new PerMinuteCounts(jdbc, "message_statuses", "recorded_at", "status = 'sent'");
    }

    /** @param count the number of profiles; @param estimated whether it is PostgreSQL's estimate rather than a count */
    record ProfileCount(long count, boolean estimated) {
    }

    /** Events stored per minute (by the time the profile stage wrote them), all hub nodes together. */
    List<Map.Entry<Instant, Long>> eventsPerMinute(Instant now) {
        return events.lastHour(now);
    }

    /** Messages that reached the status sent per minute (a provider took them), all hub nodes together. */
    List<Map.Entry<Instant, Long>> sentPerMinute(Instant now) {
        return sent.lastHour(now);
    }

    /**
     * The number of profiles: exact for small tables; for big ones PostgreSQL's own estimate
     * (rows per page from the last ANALYZE times the pages the table has now, as the planner
     * reckons it), which costs nothing however big the table is.
     */
    ProfileCount profiles() {
        Map<String, Object> stats = jdbc.queryForMap("""
                SELECT reltuples::float8 AS tuples, relpages::bigint AS pages,
                       pg_relation_size(oid) / current_setting('block_size')::bigint AS now_pages
                FROM pg_class WHERE oid = 'profiles'::regclass""");
        double tuples = ((Number) stats.get("tuples")).doubleValue();
        long pages = ((Number) stats.get("pages")).longValue();
        long nowPages = ((Number) stats.get("now_pages")).longValue();
        if (tuples >= 0 && pages > 0) {
            long estimate = Math.round(tuples / pages * nowPages);
            if (estimate >= EXACT_BELOW) {
                return new ProfileCount(estimate, true);
            }
        }
        Long exact = jdbc.queryForObject("SELECT count(*) FROM profiles", Long.class);
        return new ProfileCount(exact == null ? 0 : exact, false);
    }
}
