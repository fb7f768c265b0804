package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One file through mapping and intake: per row, all or nothing, the hub refusing, and the report. */
class FileImportTest {

    @TempDir
    Path dir;

    static ErpSettings.FileFormat format(boolean rejectFile, int batch) {
        return new ErpSettings.FileFormat("auto", Pattern.compile(".*"), StandardCharsets.UTF_8, ',', null, rejectFile,
                batch, Duration.ofSeconds(1), Duration.ZERO);
    }

    static final String ORDERS = """
            order_id,customer_id,email,status,total,updated_at
            1001,C-1,a@example.com,new,10.00,2026-03-01T10:00:00Z
            1002,,,new,11.00,2026-03-01T10:01:00Z
            1003,C-3,c@example.com,ready,abc,2026-03-01T10:02:00Z
            1004,C-4,d@example.com,ready,13.00,2026-03-01T10:03:00Z
            1005,C-5
            """;

    Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void perRowTheGoodRowsGoInAndTheReportNamesEveryBadOne() throws Exception {
        IntakeTest.Hub hub = new IntakeTest.Hub();
        FileImport imp = new FileImport("files", format(false, 2), MappingTest.orders(), new Intake(hub));
        FileImport.Outcome o = imp.run(file("orders.csv", ORDERS), "orders.csv");
        assertThat(hub.stored).extracting(e -> e.properties().get("order_id")).containsExactly("1001", "1004");
        assertThat(hub.calls).isEqualTo(1); // 2 good rows: one batch of 2
        assertThat(o.records()).isEqualTo(5);
        assertThat(o.imported()).isEqualTo(2);
        assertThat(o.clean()).isFalse();
        String report = o.report(100);
        assertThat(report).contains("file: orders.csv (csv)", "records: 5 read, 2 imported, 0 skipped by the mapping's rules, 3 problems",
                "the good records were imported (files.bad-rows: skip)",
                "orders.csv row 2 (line 3): fields 'customer_id', 'email', 'phone': all are empty or missing, so the record names no person",
                "orders.csv row 3 (line 4): field 'total': 'abc' is not a number",
                "orders.csv row 5 (line 6): has 2 values but the header has 6");
    }

    @Test
    void rejectFileImportsNothingFromAFileWithABadRow() throws Exception {
        IntakeTest.Hub hub = new IntakeTest.Hub();
        FileImport imp = new FileImport("files", format(true, 100), MappingTest.orders(), new Intake(hub));
        FileImport.Outcome o = imp.run(file("orders.csv", ORDERS), "orders.csv");
        assertThat(hub.stored).isEmpty();
        assertThat(hub.calls).isZero();
        assertThat(o.rejectedWhole()).isTrue();
        assertThat(o.report(100)).contains("nothing was imported from this file (files.bad-rows: reject-file)");

        String good = ORDERS.lines().filter(l -> !l.contains("1002") && !l.contains("1003") && !l.contains("1005"))
                .reduce("", (a, b) -> a + b + "\n");
        FileImport.Outcome ok = imp.run(file("good.csv", good), "good.csv");
        assertThat(ok.clean()).isTrue();
        assertThat(hub.stored).hasSize(2);
    }

    @Test
    void anEventTheHubRefusesIsABadRowOfItsOwn() throws Exception {
        IntakeTest.Hub hub = new IntakeTest.Hub();
        Mapping m = Maps.mapping("mapping.event", List.of("bad when status = ready", "order_created"),
                "mapping.identities.erp_id", "customer_id?", "mapping.identities.email", "email?");
        FileImport.Outcome o = new FileImport("files", format(false, 100), m, new Intake(hub))
                .run(file("orders.csv", ORDERS), "orders.csv");
        assertThat(hub.stored).extracting(Event::event).containsExactly("order_created");
        assertThat(o.problems()).extracting(RecordProblem::describe).contains(
                "orders.csv row 3 (line 4): the hub refused its event: [0].event: bad name",
                "orders.csv row 4 (line 5): the hub refused its event: [0].event: bad name");
    }

    @Test
    void aHubThatRefusesForNowStopsTheFile() throws Exception {
        IntakeTest.Hub hub = new IntakeTest.Hub();
        hub.down = new EventRejectedException("database down", true, null);
        FileImport imp = new FileImport("files", format(false, 1), MappingTest.orders(), new Intake(hub));
        Path f = file("orders.csv", ORDERS);
        assertThatThrownBy(() -> imp.run(f, "orders.csv")).isInstanceOf(Intake.HubUnavailable.class);
        assertThat(hub.calls).isEqualTo(1);
    }

    @Test
    void aFileOfUnknownFormatIsRejectedWhole() throws Exception {
        FileImport.Outcome o = new FileImport("files", format(false, 1), MappingTest.orders(), new Intake(new IntakeTest.Hub()))
                .run(file("orders.dat", "x"), "orders.dat");
        assertThat(o.problems()).extracting(RecordProblem::describe)
                .containsExactly("orders.dat: cannot tell the format from the name: use .csv, .json, .jsonl, .ndjson or "
                        + ".xml, or set files.format");
    }

    @Test
    void theReportListsAtMostSoManyProblems() {
        List<RecordProblem> many = java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> new RecordProblem(Position.fileRow("files", "f.csv", i + 1, i + 2), "x", "bad")).toList();
        String report = new FileImport.Outcome("f.csv", "csv", 5, 0, 0, many, false, java.time.Instant.EPOCH).report(2);
        assertThat(report).contains("f.csv row 1 (line 2): field 'x': bad\nf.csv row 2 (line 3): field 'x': bad\n... and 3 more\n")
                .doesNotContain("row 3 ");
    }
}
