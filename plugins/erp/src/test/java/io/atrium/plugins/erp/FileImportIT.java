package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files dropped into a real folder (@TempDir), read by the plugin's camel-file route: archive, error folder, report. */
class FileImportIT {

    @TempDir
    Path root;
    Path inbox;

    @BeforeEach
    void folder() throws Exception {
        inbox = Files.createDirectories(root.resolve("ERP Export"));
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("sources", "files");
        c.put("files.directory", inbox.toString());
        c.put("files.poll-interval", "200ms");
        c.put("files.min-age", "100ms");
        c.put("mapping.event", List.of("order_created when status = new", "order_status_changed"));
        c.put("mapping.identities.erp_id", "customer_id?");
        c.put("mapping.identities.email", "email?");
        c.put("mapping.properties", List.of("order_id", "status", "total:number"));
        c.put("mapping.timestamp", "updated_at");
        c.put("mapping.message-id", List.of("order_id", "updated_at"));
        return c;
    }

    static final String GOOD_CSV = """
            order_id,customer_id,email,status,total,updated_at
            1001,C-1,a@example.com,new,10.00,2026-03-01T10:00:00Z
            1002,C-2,b@example.com,ready,20.50,2026-03-01T10:01:00Z
            """;

    static final String BAD_CSV = """
            order_id,customer_id,email,status,total,updated_at
            2001,C-1,a@example.com,new,10.00,2026-03-01T10:00:00Z
            2002,,,new,11.00,2026-03-01T10:01:00Z
            2003,C-3,c@example.com,ready,abc,2026-03-01T10:02:00Z
            2004,C-4,d@example.com,ready,13.00,2026-03-01T10:03:00Z
            """;

    /** Writes a file the way an ERP export should: elsewhere first, then moved in whole. */
    void drop(String name, String content) throws Exception {
        Path tmp = root.resolve(name + ".writing");
        Files.writeString(tmp, content);
        Files.move(tmp, inbox.resolve(name));
    }

    static Set<String> names(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    static List<Object> orderIds(Running r) {
        return r.ctx.submittedEvents().stream().map(e -> e.properties().get("order_id")).toList();
    }

    @Test
    void aGoodFileIsImportedAndArchived() throws Exception {
        try (Running r = Running.start(config())) {
            drop("orders-0301.csv", GOOD_CSV);
            await().atMost(Duration.ofSeconds(15)).until(() -> names(inbox.resolve("archive")).contains("orders-0301.csv"));
            assertThat(names(inbox)).isEmpty();
            assertThat(names(inbox.resolve("error"))).isEmpty();
            List<Event> events = r.ctx.submittedEvents();
            assertThat(events).extracting(Event::event).containsExactly("order_created", "order_status_changed");
            assertThat(events.get(1).properties()).containsEntry("total", new BigDecimal("20.50")).containsEntry("status", "ready");
            assertThat(events.get(1).context()).containsEntry("erp",
                    Map.of("source", "files", "position", "orders-0301.csv row 2 (line 3)"));
            assertThat(Files.readString(inbox.resolve("archive/orders-0301.csv"))).isEqualTo(GOOD_CSV);
        }
    }

    @Test
    void aFileWithBadRowsGoesToTheErrorFolderWithAReportAndItsGoodRowsAreImported() throws Exception {
        try (Running r = Running.start(config())) {
            drop("orders-0302.csv", BAD_CSV);
            Path report = inbox.resolve("error/orders-0302.csv.report.txt");
            await().atMost(Duration.ofSeconds(15)).until(() -> names(inbox.resolve("error")).contains("orders-0302.csv"));
            assertThat(orderIds(r)).containsExactly("2001", "2004");
            assertThat(names(inbox.resolve("error"))).containsExactlyInAnyOrder("orders-0302.csv", "orders-0302.csv.report.txt");
            assertThat(names(inbox.resolve("archive"))).isEmpty();
            assertThat(Files.readString(report)).contains(
                    "file: orders-0302.csv (csv)",
                    "records: 4 read, 2 imported, 0 skipped by the mapping's rules, 2 problems",
                    "orders-0302.csv row 2 (line 3): fields 'customer_id', 'email': all are empty or missing, so the record names no person",
                    "orders-0302.csv row 3 (line 4): field 'total': 'abc' is not a number");

            // IT fixes the two rows and drops the whole file again: the two good rows are sent again with the same ids
            drop("orders-0302.csv", BAD_CSV.replace("2002,,,", "2002,C-2,,").replace("abc", "12.00"));
            await().atMost(Duration.ofSeconds(15)).until(() -> names(inbox.resolve("archive")).contains("orders-0302.csv"));
            assertThat(orderIds(r)).containsExactly("2001", "2004", "2001", "2002", "2003", "2004");
            Map<Object, Set<String>> ids = r.ctx.submittedEvents().stream().collect(Collectors.groupingBy(
                    e -> e.properties().get("order_id"), Collectors.mapping(Event::messageId, Collectors.toSet())));
            assertThat(ids.values()).allSatisfy(set -> assertThat(set).hasSize(1));
        }
    }

    @Test
    void jsonJsonLinesAndXmlFilesAreReadByTheirExtension() throws Exception {
        try (Running r = Running.start(config())) {
            drop("a.json", """
                    [{"order_id": "3001", "customer_id": "C-1", "status": "new", "total": 1.5, "updated_at": "2026-03-01T10:00:00Z"}]
                    """);
            drop("b.ndjson", """
                    {"order_id": "3002", "customer_id": "C-2", "status": "new", "total": "2", "updated_at": "2026-03-01T10:00:00Z"}
                    {"order_id": "3003", "customer_id": "C-3", "status": "paid", "total": 3, "updated_at": "2026-03-01T10:00:00Z"}
                    """);
            drop("c.xml", """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <orders>
                      <order><order_id>3004</order_id><customer_id>C-4</customer_id><status>new</status>
                             <total>4.25</total><updated_at>2026-03-01T10:00:00Z</updated_at></order>
                    </orders>
                    """);
            await().atMost(Duration.ofSeconds(15)).until(() -> names(inbox.resolve("archive")).size() == 3);
            assertThat(orderIds(r)).containsExactlyInAnyOrder("3001", "3002", "3003", "3004");
            assertThat(r.ctx.submittedEvents()).extracting(e -> e.properties().get("total"))
                    .containsExactlyInAnyOrder(new BigDecimal("1.5"), new BigDecimal("2"), new BigDecimal("3"), new BigDecimal("4.25"));
            assertThat(names(inbox.resolve("error"))).isEmpty();
        }
    }

    @Test
    void rejectFileImportsNothingFromAFileWithABadRow() throws Exception {
        Map<String, Object> c = config();
        c.put("files.bad-rows", "reject-file");
        try (Running r = Running.start(c)) {
            drop("orders.csv", BAD_CSV);
            await().atMost(Duration.ofSeconds(15)).until(() -> names(inbox.resolve("error")).contains("orders.csv.report.txt"));
            assertThat(r.ctx.submittedEvents()).isEmpty();
            assertThat(Files.readString(inbox.resolve("error/orders.csv.report.txt")))
                    .contains("nothing was imported from this file (files.bad-rows: reject-file)");
        }
    }

    @Test
    void whileTheHubRefusesTheFileStaysAndIsImportedLaterWithTheSameIds() throws Exception {
        Map<String, Object> c = config();
        c.put("files.batch-size", 1);
        try (Running r = Running.start(c)) {
            // The first row goes in; the hub then refuses the second.
            r.holdCall = 2;
            drop("orders.csv", GOOD_CSV);
            assertThat(r.held.tryAcquire(15, TimeUnit.SECONDS)).isTrue();
            r.ctx.failEvents(new EventRejectedException("the database is down", true, null));
            r.release.release();
            int calls = r.submits.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.submits.size() >= calls + 2); // tried again, refused again
            assertThat(names(inbox)).containsExactly("orders.csv");
            assertThat(names(inbox.resolve("archive"))).isEmpty();
            assertThat(names(inbox.resolve("error"))).isEmpty();
            assertThat(orderIds(r)).containsExactly("1001");

            r.ctx.failEvents(null);
            await().atMost(Duration.ofSeconds(15)).until(() -> names(inbox.resolve("archive")).contains("orders.csv"));
            assertThat(orderIds(r)).containsExactly("1001", "1001", "1002");
            assertThat(r.ctx.submittedEvents().get(1).messageId()).isEqualTo(r.ctx.submittedEvents().get(0).messageId());
        }
    }

    @Test
    void filesThatDoNotMatchAreLeftAloneAndAnUnknownFormatIsReported() throws Exception {
        Map<String, Object> c = config();
        c.put("files.include", ".*\\.(csv|dat)");
        try (Running r = Running.start(c)) {
            drop("notes.txt.tmp", "hello");
            drop("orders.dat", "x");
            await().atMost(Duration.ofSeconds(15)).until(() -> names(inbox.resolve("error"))
                    .containsAll(List.of("orders.dat", "orders.dat.report.txt")));
            assertThat(Files.readString(inbox.resolve("error/orders.dat.report.txt")))
                    .contains("orders.dat: cannot tell the format from the name");
            await().atMost(Duration.ofSeconds(5)).until(() -> names(inbox).equals(Set.of("notes.txt.tmp")));
            assertThat(r.ctx.submittedEvents()).isEmpty();
        }
    }

    @Test
    void absoluteArchiveAndErrorFoldersElsewhere() throws Exception {
        Map<String, Object> c = config();
        Path archive = root.resolve("done");
        Path error = root.resolve("failed");
        c.put("files.archive-directory", archive.toString());
        c.put("files.error-directory", error.toString());
        try (Running r = Running.start(c)) {
            drop("good.csv", GOOD_CSV);
            drop("bad.csv", BAD_CSV);
            await().atMost(Duration.ofSeconds(15)).until(() -> names(archive).contains("good.csv")
                    && names(error).containsAll(List.of("bad.csv", "bad.csv.report.txt")));
            assertThat(names(inbox)).isEmpty();
        }
    }
}
