package io.atrium.server.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** Upgrading a database whose journeys' entry and end were log lines (before V90). */
class JourneyEntryMigrationIT {

    @TempDir
    Path dir;

    @Test
    void anUpgradeKeepsWhyEachPersonEnteredAndDropsTheEntryAndEndLines() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setOverrideWorkingDirectory(dir.resolve("rt").toFile())
                .setDataDirectory(dir.resolve("pg")).start()) {
            DataSource ds = pg.getPostgresDatabase();
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("70").load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            jdbc.update("INSERT INTO campaigns (id, name, definition) VALUES ('spring-sale', 'Spring sale', '{}')");
            long ended = jdbc.queryForObject("INSERT INTO journeys (campaign_id, profile_id, entry_key, state, ended_at, end_reason) "
                    + "VALUES ('spring-sale', 1, '1', 'done', now(), 'completed') RETURNING id", Long.class);
            long running = jdbc.queryForObject("INSERT INTO journeys (campaign_id, profile_id, entry_key, state) "
                    + "VALUES ('spring-sale', 2, '2', 'waiting') RETURNING id", Long.class);
            String log = "INSERT INTO journey_log (journey_id, campaign_id, profile_id, step_id, kind, detail) VALUES (?, 'spring-sale', ?, ?, ?, ?)";
            jdbc.update(log, ended, 1, null, "entered", "broadcast launch-2026-12-01T10:00:00Z");
            jdbc.update(log, ended, 1, "hello", "sent", "template hello");
            jdbc.update(log, ended, 1, null, "exited", "completed");
            jdbc.update(log, running, 2, null, "entered", "segment 12 entered");
            jdbc.update(log, running, 2, "hello", "skipped", "no e-mail address");

            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();

            assertThat(jdbc.queryForObject("SELECT entry_detail FROM journeys WHERE id = ?", String.class, ended))
                    .isEqualTo("broadcast launch-2026-12-01T10:00:00Z");
            assertThat(jdbc.queryForObject("SELECT entry_detail FROM journeys WHERE id = ?", String.class, running))
                    .isEqualTo("segment 12 entered");
            assertThat(jdbc.queryForList("SELECT journey_id || ':' || kind FROM journey_log ORDER BY id", String.class))
                    .containsExactly(ended + ":sent", running + ":skipped");
        }
    }
}
