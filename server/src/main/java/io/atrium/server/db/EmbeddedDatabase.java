package io.atrium.server.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run from the binaries on the class path, with its data under the
 * data directory. Unlike zonky's test defaults it runs with {@code fsync} and
 * {@code synchronous_commit} on, because "accepted" in Atrium means "on disk".
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    static final String DATABASE = "atrium";

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Settings the hub itself decides: an extra setting may not change them. */
    static final List<String> FIXED = List.of("listen_addresses", "port", "fsync", "synchronous_commit", "full_page_writes");

    /**
     * The {@code atrium.db.embedded-settings} text as PostgreSQL settings: {@code name=value} pairs
     * separated by semicolons (a value may hold commas, e.g. a list of libraries).
     *
     * @throws IllegalArgumentException naming the pair that is not {@code name=value} or sets one of {@link #FIXED}
     */
    public static java.util.Map<String, String> settings(String text) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String pair : text.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : pair.substring(0, eq).strip();
            String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
            if (!name.matches("[a-z][a-z0-9_.]*") || value.isEmpty()) {
                throw new IllegalArgumentException("atrium.db.embedded-settings: '" + pair.strip()
                        + "' is not name=value (a PostgreSQL setting such as shared_buffers=256MB; pairs separated by ';')");
            }
            if (FIXED.contains(name)) {
                throw new IllegalArgumentException("atrium.db.embedded-settings: " + name
                        + " is set by the hub and cannot be changed here" + ("port".equals(name) ? " (use atrium.db.embedded-port)" : ""));
            }
            out.put(name, value);
        }
        return out;
    }

    public static EmbeddedDatabase start(Path dataDir, Path runtimeDir, int port) {
        return start(dataDir, runtimeDir, port, java.util.Map.of());
    }

    public static EmbeddedDatabase start(Path dataDir, Path runtimeDir, int port, java.util.Map<String, String> settings) {
        Path pgData = dataDir.resolve("postgres");
        stopOrphanedServer(pgData);
        try {
            Files.createDirectories(runtimeDir);
            boolean fresh = !Files.exists(pgData.resolve("PG_VERSION"));
            log.info("Starting embedded PostgreSQL in {}{}", pgData, fresh ? " (first start: initdb)" : "");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(runtimeDir.toFile())
                    .setRegisterShutdownHook(false) // Spring closes it last, after Camel and the broker
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("max_connections", "200");
            settings.forEach(builder::setServerConfig);
            if (!settings.isEmpty()) {
                log.info("Embedded PostgreSQL settings from atrium.db.embedded-settings: {}", settings);
            }
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.start();
            EmbeddedDatabase db = new EmbeddedDatabase(pg);
            db.createDatabaseIfMissing();
            log.info("Embedded PostgreSQL ready on 127.0.0.1:{}", pg.getPort());
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL failed to start in " + pgData + ": " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", DATABASE);
    }

    public int port() {
        return postgres.getPort();
    }

    private void createDatabaseIfMissing() {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, DATABASE);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    try (Statement st = c.createStatement()) {
                        st.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8'");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database '" + DATABASE + "': " + e.getMessage(), e);
        }
    }

    /**
     * A hub killed with SIGKILL leaves its PostgreSQL running. The data directory lock proves no
     * other hub owns it, so such a server is an orphan: stop it before starting our own.
     */
    static void stopOrphanedServer(Path pgData) {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> orphan;
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            long pid = Long.parseLong(lines.get(0).trim());
            orphan = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        } catch (IOException | RuntimeException e) {
            return; // unreadable pid file: let pg_ctl decide
        }
        orphan.ifPresent(p -> {
            log.warn("Stopping PostgreSQL (pid {}) left running by a previous Atrium process", p.pid());
            p.destroy();
            try {
                p.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("PostgreSQL pid {} did not stop within 60 s; killing it", p.pid());
                p.destroyForcibly();
            }
        });
    }

    @Override
    public void close() throws IOException {
        log.info("Stopping embedded PostgreSQL");
        postgres.close();
    }
}
