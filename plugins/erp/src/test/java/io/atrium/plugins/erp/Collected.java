package io.atrium.plugins.erp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What a reader handed on, for the reader tests. */
final class Collected implements RecordReader.Sink {

    final List<Record> records = new ArrayList<>();
    final List<String> badRecords = new ArrayList<>();
    final List<String> fileProblems = new ArrayList<>();

    static Collected read(RecordReader reader, String fileName, String content) throws IOException {
        return read(reader, fileName, content, StandardCharsets.UTF_8);
    }

    static Collected read(RecordReader reader, String fileName, String content, Charset charset) throws IOException {
        Collected c = new Collected();
        reader.read(new ByteArrayInputStream(content.getBytes(charset)), fileName, c);
        return c;
    }

    @Override
    public void record(Record record) {
        records.add(record);
    }

    @Override
    public void badRecord(RecordProblem problem) {
        badRecords.add(problem.describe());
    }

    @Override
    public void fileProblem(RecordProblem problem) {
        fileProblems.add(problem.describe());
    }
}
