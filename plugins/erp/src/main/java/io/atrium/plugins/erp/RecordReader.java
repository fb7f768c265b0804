package io.atrium.plugins.erp;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the records of one file (or body), one at a time, so a big file is never in memory as a
 * whole. A record that cannot be read is a {@link RecordProblem} and the reader goes on with the
 * next one where the format allows it (a CSV row with the wrong number of values, a JSON line that
 * is not JSON); a syntax error after which nothing can be trusted ends the file with a problem
 * that says so.
 */
interface RecordReader {

    /** What the reader hands on. {@link #record} may throw to stop reading (the hub is unavailable). */
    interface Sink {
        void record(Record record);

        /** A record that cannot be read; reading goes on with the next. */
        void badRecord(RecordProblem problem);

        /** A problem of the file as a whole (empty, bad header, syntax error): nothing after it is read. */
        void fileProblem(RecordProblem problem);
    }

    void read(InputStream in, String fileName, Sink sink) throws IOException;
}
