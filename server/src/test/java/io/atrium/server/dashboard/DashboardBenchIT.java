package io.atrium.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import io.atrium.server.support.HubTestSupport;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The dashboard's database work on a database of its own (in the hub's PostgreSQL, migrated by
 * Flyway like the hub's) holding {@value #EVENTS} events written over 24 hours, 250,000 profiles
 * and 100,000 sent messages: the per-minute series must equal a plain GROUP BY, and a refresh
 * must cost a small fraction of counting the last hour without the index. Prints the figures.
 */
class DashboardBenchIT extends HubTestSupport {

    static final int EVENTS = Integer.getInteger("atrium.bench.dashboard.events", 1_000_000);
    private static final String DB = "dashboard_bench";

    @Autowired
    DataSource hubDataSource;

    @Test
    void aRefreshOverAMillionEventsIsCheapAndExact() throws Exception {
        JdbcTemplate hub = new JdbcTemplate(hubDataSource);
        hub.execute("DROP DATABASE IF EXISTS " + DB);
        hub.execute("CREATE DATABASE " + DB);
        try {
            String url = ((HikariDataSource) hubDataSource).getJdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + DB + "$1");
            // One open connection, as the hub's pool gives: the figures are the queries', not connecting.
            SingleConnectionDataSource ds = new SingleConnectionDataSource(url, "postgres", "", true);
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(ds);

            long loadStart = System.nanoTime();
            jdbc.update("""
                    INSERT INTO events (message_id, type, event, user_id, timestamp, stored_at)
                    SELECT 'b-' || g, 'track', 'page_viewed', 'u-' || (g % 50000), t, t
                    FROM (SELECT g, now() - interval '24 hours' + g * (interval '24 hours' / ?) AS t
                          FROM generate_series(1, ?) g) s""", EVENTS, EVENTS);
            jdbc.update("INSERT INTO profiles (created_at) SELECT now() FROM generate_series(1, 250000)");
            jdbc.update("""
                    INSERT INTO messages (id, channel, purpose, status)
                    SELECT 'm-' || g, 'email', 'marketing', 'sent' FROM generate_series(1, 100000) g""");
            jdbc.update("""
                    INSERT INTO message_statuses (message_id, report_id, status, at, recorded_at)
                    SELECT 'm-' || g, 'r-' || g, 'sent', t, t
                    FROM (SELECT g, now() - interval '24 hours' + g * (interval '24 hours' / 100000) AS t
                          FROM generate_series(1, 100000) g) s""");
            jdbc.execute("VACUUM ANALYZE events");
            jdbc.execute("VACUUM ANALYZE profiles");
            jdbc.execute("VACUUM ANALYZE message_statuses");
            long loadMillis = (System.nanoTime() - loadStart) / 1_000_000;

            DashboardQueries queries = new DashboardQueries(jdbc);
            Instant now = Instant.now();
            long t0 = System.nanoTime();
            List<Map.Entry<Instant, Long>> cold = queries.eventsPerMinute(now);
            double coldMillis = (System.nanoTime() - t0) / 1e6;

            // Exact: the same figures as a plain GROUP BY over the table.
            Map<Instant, Long> expected = new HashMap<>();
            jdbc.query("SELECT date_trunc('minute', stored_at), count(*) FROM events WHERE stored_at >= ? GROUP BY 1",
                    rs -> {
                        expected.put(rs.getTimestamp(1).toInstant(), rs.getLong(2));
                    }, java.sql.Timestamp.from(cold.get(0).getKey()));
            for (Map.Entry<Instant, Long> e : cold) {
                assertThat(e.getValue()).as("events at " + e.getKey()).isEqualTo(expected.getOrDefault(e.getKey(), 0L));
            }
            long lastHour = cold.stream().mapToLong(Map.Entry::getValue).sum();
            assertThat(lastHour).isBetween((long) EVENTS / 24 - EVENTS / 200, (long) EVENTS / 24 + EVENTS / 200);

            List<Double> warm = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t = System.nanoTime();
                List<Map.Entry<Instant, Long>> again = queries.eventsPerMinute(Instant.now());
                warm.add((System.nanoTime() - t) / 1e6);
                assertThat(again).hasSize(60);
            }
            double warmMillis = median(warm);

            List<Double> profileTimes = new ArrayList<>();
            DashboardQueries.ProfileCount profiles = null;
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                profiles = queries.profiles();
                profileTimes.add((System.nanoTime() - t) / 1e6);
            }
            assertThat(profiles.estimated()).isTrue();
            assertThat(profiles.count()).isBetween(225_000L, 275_000L);

            List<Double> sentTimes = new ArrayList<>();
            long sentLastHour = 0;
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                sentLastHour = queries.sentPerMinute(Instant.now()).stream().mapToLong(Map.Entry::getValue).sum();
                sentTimes.add((System.nanoTime() - t) / 1e6);
            }
            assertThat(sentLastHour).isBetween(100_000L / 24 - 500, 100_000L / 24 + 500);

            // The same last hour without the index: what counting per request would cost.
            jdbc.execute("DROP INDEX events_stored_at_brin");
            List<Double> plain = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                jdbc.queryForList("SELECT date_trunc('minute', stored_at), count(*) FROM events WHERE stored_at >= now() - interval '1 hour' GROUP BY 1");
                plain.add((System.nanoTime() - t) / 1e6);
            }
            double plainMillis = median(plain);
            List<Double> exact = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                jdbc.queryForObject("SELECT count(*) FROM profiles", Long.class);
                exact.add((System.nanoTime() - t) / 1e6);
            }

            System.out.printf("DashboardBench: %,d events (%,d in the last hour), 250,000 profiles, 100,000 sent; loaded in %,d ms%n",
                    EVENTS, lastHour, loadMillis);
            System.out.printf("DashboardBench: events per minute: first %.1f ms, refresh median %.2f ms; without the index %.1f ms"
                    + " (refresh/plain = %.3f, first/plain = %.2f)%n", coldMillis, warmMillis, plainMillis,
                    warmMillis / plainMillis, coldMillis / plainMillis);
            System.out.printf("DashboardBench: sent per minute median %.2f ms; profiles estimate median %.2f ms (%,d) vs count(*) %.1f ms%n",
                    median(sentTimes), median(profileTimes), profiles.count(), median(exact));
            assertThat(warmMillis).as("a refresh vs counting the hour without the index").isLessThan(plainMillis / 3);
            ds.destroy();
        } finally {
            hub.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
