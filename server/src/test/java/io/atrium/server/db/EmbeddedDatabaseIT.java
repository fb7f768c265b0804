package io.atrium.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseIT {

    @TempDir
    Path data;

    private static String query(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void runsDurablyKeepsDataAcrossRestartsAndStopsWithoutLeavingAProcess() throws Exception {
        long pid;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data, data.resolve("rt"), 0)) {
            assertThat(query(db.jdbcUrl(), "SHOW fsync")).isEqualTo("on");
            assertThat(query(db.jdbcUrl(), "SHOW synchronous_commit")).isEqualTo("on");
            assertThat(query(db.jdbcUrl(), "SELECT current_database()")).isEqualTo("atrium");
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", null); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE kept (v text)");
                st.execute("INSERT INTO kept VALUES ('still here')");
            }
            pid = postmasterPid();
            assertThat(ProcessHandle.of(pid)).isPresent();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();

        try (EmbeddedDatabase again = EmbeddedDatabase.start(data, data.resolve("rt"), 0)) {
            assertThat(query(again.jdbcUrl(), "SELECT v FROM kept")).isEqualTo("still here");
        }
    }

    @Test
    void extraSettingsApplyAndTheHubsOwnCannotBeChanged() throws Exception {
        var settings = EmbeddedDatabase.settings("shared_buffers=48MB; work_mem = 16MB;; shared_preload_libraries=pg_stat_statements");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data, data.resolve("rt"), 0, settings)) {
            assertThat(query(db.jdbcUrl(), "SHOW shared_buffers")).isEqualTo("48MB");
            assertThat(query(db.jdbcUrl(), "SHOW work_mem")).isEqualTo("16MB");
            assertThat(query(db.jdbcUrl(), "SHOW shared_preload_libraries")).isEqualTo("pg_stat_statements");
            assertThat(query(db.jdbcUrl(), "SHOW fsync")).isEqualTo("on");
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> EmbeddedDatabase.settings("fsync=off")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fsync is set by the hub");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> EmbeddedDatabase.settings("shared_buffers 1GB")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'shared_buffers 1GB' is not name=value");
    }

    @Test
    void aServerOrphanedByAKilledHubIsStoppedAndTheDataKept() throws Exception {
        // A separate JVM plays the hub: it starts the database, commits a row, and is killed with SIGKILL.
        Process hub = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Starter.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(hub.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                System.out.println("[orphan-maker] " + line);
            }
            assertThat(line).as("the child JVM started its database").isEqualTo("READY");
            long orphan = postmasterPid();
            hub.destroyForcibly().waitFor();
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false))
                    .as("PostgreSQL outlives a SIGKILLed hub").isTrue();

            try (EmbeddedDatabase second = EmbeddedDatabase.start(data, data.resolve("rt"), 0)) {
                assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
                assertThat(postmasterPid()).isNotEqualTo(orphan);
                assertThat(query(second.jdbcUrl(), "SELECT v FROM kept")).isEqualTo("committed before the crash");
            }
        } finally {
            hub.destroyForcibly();
        }
    }

    /** The child JVM of {@link #aServerOrphanedByAKilledHubIsStoppedAndTheDataKept}. */
    public static final class Starter {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            EmbeddedDatabase db = EmbeddedDatabase.start(dir, dir.resolve("rt"), 0);
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", null); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE kept (v text)");
                st.execute("INSERT INTO kept VALUES ('committed before the crash')");
            }
            System.out.println("READY");
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }

    private long postmasterPid() throws Exception {
        List<String> lines = Files.readAllLines(data.resolve("postgres/postmaster.pid"));
        return Long.parseLong(lines.get(0).trim());
    }
}
