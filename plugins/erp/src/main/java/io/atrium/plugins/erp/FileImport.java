package io.atrium.plugins.erp;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.atrium.plugin.api.Event;

/**
 * Imports one file: reads its records, maps them and submits their events in batches. Per row by
 * default ({@code files.bad-rows: skip}): the good rows go in, the bad ones are listed in the
 * outcome; with {@code reject-file} the file is read once to check it and, only when every row
 * is good, again to submit. A hub that refuses for now stops the import with
 * {@link Intake.HubUnavailable}: the file stays where it is and is imported again later, and the
 * events it already gave are not stored twice (same message ids).
 */
final class FileImport {

    /** How a file went. */
    record Outcome(String file, String format, long records, long imported, long skipped, List<RecordProblem> problems,
                   boolean rejectedWhole, Instant at) {
        boolean clean() {
            return problems.isEmpty();
        }

        /** The report written next to a file that goes to the error folder. */
        String report(int maxLines) {
            StringBuilder b = new StringBuilder();
            b.append("Atrium ERP import report\n");
            b.append("file: ").append(file).append(" (").append(format).append(")\n");
            b.append("checked: ").append(at).append('\n');
            b.append("records: ").append(records).append(" read, ").append(imported).append(" imported, ")
                    .append(skipped).append(" skipped by the mapping's rules, ").append(problems.size())
                    .append(" problems\n");
            b.append(rejectedWhole ? "nothing was imported from this file (files.bad-rows: reject-file); fix the rows "
                    + "below and drop the whole file again\n"
                    : imported > 0 ? "the good records were imported (files.bad-rows: skip); fix the rows below and drop "
                    + "the file again (records already imported are stored once)\n"
                    : "nothing was imported from this file\n");
            b.append('\n');
            int n = 0;
            for (RecordProblem p : problems) {
                if (n++ == maxLines) {
                    b.append("... and ").append(problems.size() - maxLines).append(" more\n");
                    break;
                }
                b.append(p.describe().replace('\n', ' ')).append('\n');
            }
            return b.toString();
        }
    }

    private final String source;
    private final ErpSettings.FileFormat format;
    private final Mapping mapping;
    private final Intake intake;

    FileImport(String source, ErpSettings.FileFormat format, Mapping mapping, Intake intake) {
        this.source = source;
        this.format = format;
        this.mapping = mapping;
        this.intake = intake;
    }

    /** The format of a file: {@code files.format}, else by its extension; null when it cannot be told. */
    String formatOf(String name) {
        if (!format.format().equals("auto")) {
            return format.format();
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv") || n.endsWith(".txt")) {
            return "csv";
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return "jsonl";
        }
        if (n.endsWith(".json")) {
            return "json";
        }
        if (n.endsWith(".xml")) {
            return "xml";
        }
        return null;
    }

    RecordReader reader(String fmt) {
        return switch (fmt) {
            case "csv" -> new CsvRecords(source, format.charset(), format.csvDelimiter());
            case "json" -> new JsonRecords(source, format.charset(), false);
            case "jsonl" -> new JsonRecords(source, format.charset(), true);
            case "xml" -> new XmlRecords(source, format.xmlRecordElement());
            default -> throw new IllegalArgumentException(fmt);
        };
    }

    /**
     * Imports {@code file}, known as {@code name}.
     *
     * @throws Intake.HubUnavailable when the hub refuses for now (import the file again later)
     */
    Outcome run(Path file, String name) throws IOException {
        Instant at = Instant.now();
        String fmt = formatOf(name);
        if (fmt == null) {
            return new Outcome(name, "unknown", 0, 0, 0, List.of(new RecordProblem(Position.fileLine(source, name, -1),
                    (String) null, "cannot tell the format from the name: use .csv, .json, .jsonl, .ndjson or .xml, "
                    + "or set files.format")), true, at);
        }
        if (format.rejectFileOnBadRows()) {
            Pass check = pass(file, name, fmt, false);
            if (!check.problems.isEmpty()) {
                return new Outcome(name, fmt, check.records, 0, check.skipped, check.problems, true, at);
            }
        }
        Pass done = pass(file, name, fmt, true);
        return new Outcome(name, fmt, done.records, done.imported, done.skipped, done.problems,
                format.rejectFileOnBadRows() && !done.problems.isEmpty() && done.imported == 0, at);
    }

    private static final class Pass {
        long records;
        long imported;
        long skipped;
        final List<RecordProblem> problems = new ArrayList<>();
    }

    private Pass pass(Path file, String name, String fmt, boolean submit) throws IOException {
        Pass pass = new Pass();
        List<Event> events = new ArrayList<>();
        List<Record> records = new ArrayList<>();
        RecordReader.Sink sink = new RecordReader.Sink() {
            @Override
            public void record(Record record) {
                pass.records++;
                Mapping.Result r = mapping.map(record, source);
                if (r.skipped()) {
                    pass.skipped++;
                } else if (!r.ok()) {
                    pass.problems.addAll(r.problems());
                } else if (submit) {
                    events.add(r.event());
                    records.add(record);
                    if (events.size() >= format.batchSize()) {
                        flush(events, records, pass);
                    }
                }
            }

            @Override
            public void badRecord(RecordProblem problem) {
                pass.records++;
                pass.problems.add(problem);
            }

            @Override
            public void fileProblem(RecordProblem problem) {
                pass.problems.add(problem);
            }
        };
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            reader(fmt).read(in, name, sink);
        }
        if (submit) {
            flush(events, records, pass);
        }
        return pass;
    }

    private void flush(List<Event> events, List<Record> records, Pass pass) {
        if (events.isEmpty()) {
            return;
        }
        List<Intake.Refused> refused = intake.submit(events);
        for (Intake.Refused r : refused) {
            pass.problems.add(new RecordProblem(records.get(r.index()).position(), (String) null,
                    "the hub refused its event: " + r.reason()));
        }
        pass.imported += events.size() - refused.size();
        events.clear();
        records.clear();
    }
}
