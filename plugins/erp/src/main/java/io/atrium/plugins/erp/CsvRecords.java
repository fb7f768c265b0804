package io.atrium.plugins.erp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * CSV with a header row (RFC 4180 quoting, any delimiter; a byte order mark is skipped). Values
 * are trimmed; an empty value is absent (null). Blank lines are skipped. A row with more or fewer
 * values than the header is a problem of that row; a quoting error ends the file.
 */
final class CsvRecords implements RecordReader {

    private final String source;
    private final Charset charset;
    private final char delimiter;

    CsvRecords(String source, Charset charset, char delimiter) {
        this.source = source;
        this.charset = charset;
        this.delimiter = delimiter;
    }

    @Override
    public void read(InputStream in, String fileName, Sink sink) throws IOException {
        Reader reader = new BufferedReader(new InputStreamReader(in, charset));
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        CSVFormat format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreEmptyLines(false)
                .setTrim(true).build();
        CSVParser parser = new CSVParser(reader, format);
        Iterator<CSVRecord> it = parser.iterator();
        List<String> header = null;
        long row = 0;
        while (true) {
            long line = parser.getCurrentLineNumber() + 1;
            CSVRecord rec;
            try {
                if (!it.hasNext()) {
                    break;
                }
                rec = it.next();
            } catch (UncheckedIOException | IllegalStateException e) {
                sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, line), (String) null,
                        "CSV syntax error (" + cause(e) + "); the rest of the file was not read"));
                return;
            }
            if (rec.size() == 1 && rec.get(0).isEmpty()) {
                continue; // a blank line
            }
            if (header == null) {
                header = header(rec, fileName, line, sink);
                if (header == null) {
                    return;
                }
                continue;
            }
            row++;
            Position pos = Position.fileRow(source, fileName, row, line);
            if (rec.size() != header.size()) {
                sink.badRecord(new RecordProblem(pos, (String) null, "has " + rec.size() + " values but the header has "
                        + header.size() + " (check the delimiter '" + (delimiter == '\t' ? "\\t" : String.valueOf(delimiter))
                        + "' and the quotes)"));
                continue;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                String v = rec.get(i);
                fields.put(header.get(i), v.isEmpty() ? null : v);
            }
            sink.record(new Record(pos, fields));
        }
        if (header == null) {
            sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, 1), (String) null,
                    "the file is empty: a CSV file needs a header row naming its columns"));
        }
    }

    private List<String> header(CSVRecord rec, String fileName, long line, Sink sink) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rec.size(); i++) {
            String name = rec.get(i);
            if (name.isEmpty()) {
                sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, line), (String) null,
                        "header: column " + (i + 1) + " has no name; the file was not read"));
                return null;
            }
            if (!seen.add(name)) {
                sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, line), name,
                        "header: the column name appears twice; the file was not read"));
                return null;
            }
            names.add(name);
        }
        return names;
    }

    private static String cause(RuntimeException e) {
        Throwable t = e.getCause() != null ? e.getCause() : e;
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
