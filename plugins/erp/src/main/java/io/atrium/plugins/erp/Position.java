package io.atrium.plugins.erp;

/**
 * Where a record came from, for reports and errors: the source ({@code jdbc}, {@code files},
 * {@code sftp}, {@code webhook}, {@code route}), the file if any, and the record's place in it.
 *
 * @param source where it came from
 * @param file   the file name (files, sftp), else null
 * @param row    the record's number: 1-based data row of a CSV file or record of a JSON/XML file,
 *               0-based index in a webhook body or a route's body; -1 when not known
 * @param line   the line of the file where the record starts, or -1
 * @param key    how a database row is named (its key and watermark values), else null
 */
record Position(String source, String file, long row, long line, String key) {

    static Position fileRow(String source, String file, long row, long line) {
        return new Position(source, file, row, line, null);
    }

    static Position fileLine(String source, String file, long line) {
        return new Position(source, file, -1, line, null);
    }

    static Position index(String source, long index) {
        return new Position(source, null, index, -1, null);
    }

    static Position dbRow(String key) {
        return new Position("jdbc", null, -1, -1, key);
    }

    /** e.g. {@code orders.csv row 4 (line 5)}, {@code orders.jsonl line 7}, {@code webhook record [2]}, {@code jdbc row id=7}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        if (file != null) {
            b.append(file);
            if (row >= 0) {
                b.append(file.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? " row " : " record ").append(row);
                if (line >= 0) {
                    b.append(" (line ").append(line).append(')');
                }
            } else if (line >= 0) {
                b.append(" line ").append(line);
            }
            return b.toString();
        }
        b.append(source);
        if (key != null) {
            b.append(" row ").append(key);
        } else if (row >= 0) {
            b.append(" record [").append(row).append(']');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
