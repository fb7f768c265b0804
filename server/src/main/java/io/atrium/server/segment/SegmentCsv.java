package io.atrium.server.segment;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The CSV of a segment export (RFC 4180): fields separated by commas, records by CRLF, a field in
 * double quotes when it holds a comma, a quote, a line break or leading/trailing blanks, with its
 * quotes doubled. Values are written as they are, with no spreadsheet-formula escaping, so that a
 * phone number keeps its leading {@code +}.
 */
final class SegmentCsv {

    static final String EOL = "\r\n";

    private SegmentCsv() {
    }

    /** One field, quoted when it must be. */
    static String field(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        boolean quote = value.charAt(0) == ' ' || value.charAt(0) == '\t'
                || value.charAt(value.length() - 1) == ' ' || value.charAt(value.length() - 1) == '\t';
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    /** A trait value as a cell: text as it is, anything else (number, boolean, object, array) as JSON; null as empty. */
    static String cell(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "";
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    static void record(Writer out, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(field(fields.get(i)));
        }
        out.write(EOL);
    }

    /**
     * Reads whole records back as they were written (line breaks inside quoted fields included),
     * so that a file can be served with some records left out without parsing every field.
     */
    static final class Records {
        private final Reader in;
        private final StringBuilder record = new StringBuilder(256);

        Records(Reader in) {
            this.in = in;
        }

        /** The next record with its line break, or null at the end. */
        String next() throws IOException {
            record.setLength(0);
            boolean quoted = false;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return record.length() == 0 ? null : record.toString();
                }
                record.append((char) c);
                if (c == '"') {
                    quoted = !quoted; // a doubled quote toggles twice
                } else if (c == '\n' && !quoted) {
                    return record.toString();
                }
            }
        }

        /** The first field of a record, unquoted (the profile id, which is never quoted). */
        static String first(String record) {
            int comma = record.indexOf(',');
            int end = comma >= 0 ? comma : record.indexOf('\r') >= 0 ? record.indexOf('\r') : record.length();
            return record.substring(0, end).strip();
        }
    }
}
