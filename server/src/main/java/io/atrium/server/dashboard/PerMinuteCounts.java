package io.atrium.server.dashboard;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Rows per minute of one table over the last hour, counted in PostgreSQL (so every hub node shows
 * the same figures) without reading the whole table: the query asks only for rows written since a
 * time, which a BRIN index on the time column answers from the newest pages (V60). Minutes that
 * are over are counted once and remembered; each refresh counts again only the minutes that may
 * still change: the current one and those that ended less than {@link #SETTLE} ago (a
 * transaction stamps its rows with its start time, so a long one can still add rows to a minute
 * that just ended).
 */
final class PerMinuteCounts {

    static final Duration SETTLE = Duration.ofSeconds(30);
    static final int MINUTES = 60;

    private final JdbcTemplate jdbc;
    private final String sql;
    /** Minutes that are over and counted: start of the minute → rows. */
    private final ConcurrentSkipListMap<Instant, Long> settled = new ConcurrentSkipListMap<>();

    /**
     * @param table  the table
     * @param column its row-written time column (with a BRIN or B-tree index)
     * @param filter an extra SQL condition, or null
     */
    PerMinuteCounts(JdbcTemplate jdbc, String table, String column, String filter) {
        this.jdbc = jdbc;
        this.sql = "SELECT date_trunc('minute', " + column + ") AS minute, count(*) FROM " + table + " WHERE " + column
                + " >= ?" + (filter == null ? "" : " AND " + filter) + " GROUP BY 1";
    }

    /** The last {@value #MINUTES} minutes up to and including the current one, oldest first, with zeros. */
    synchronized List<Map.Entry<Instant, Long>> lastHour(Instant now) {
        Instant current = now.truncatedTo(ChronoUnit.MINUTES);
        Instant first = current.minus(MINUTES - 1, ChronoUnit.MINUTES);
        settled.headMap(first).clear();
        Instant from = first;
        while (settled.containsKey(from) && from.isBefore(current)) {
            from = from.plus(1, ChronoUnit.MINUTES);
        }
        Map<Instant, Long> fresh = new java.util.HashMap<>();
        jdbc.query(sql, rs -> {
            fresh.put(rs.getTimestamp(1).toInstant(), rs.getLong(2));
        }, Timestamp.from(from));
        List<Map.Entry<Instant, Long>> out = new ArrayList<>(MINUTES);
        for (Instant m = first; !m.isAfter(current); m = m.plus(1, ChronoUnit.MINUTES)) {
            Long count = m.isBefore(from) ? settled.get(m) : fresh.getOrDefault(m, 0L);
            if (!m.isBefore(from) && !m.plus(1, ChronoUnit.MINUTES).plus(SETTLE).isAfter(now)) {
                settled.put(m, count);
            }
            out.add(Map.entry(m, count));
        }
        return out;
    }
}
