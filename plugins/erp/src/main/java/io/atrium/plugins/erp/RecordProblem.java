package io.atrium.plugins.erp;

import java.util.List;

/**
 * Why one record (or the rest of a file) was not imported.
 *
 * @param position where
 * @param fields   the ERP fields it is about (one, or several for a record without any identity), or empty
 * @param message  what is wrong, without secrets
 */
record RecordProblem(Position position, List<String> fields, String message) {

    RecordProblem {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    RecordProblem(Position position, String field, String message) {
        this(position, field == null ? List.of() : List.of(field), message);
    }

    /** The field, or the fields joined with ", ", or null. */
    String field() {
        return fields.isEmpty() ? null : String.join(", ", fields);
    }

    /** e.g. {@code orders.csv row 4 (line 5): field 'total': 'abc' is not a number}. */
    String describe() {
        String about = switch (fields.size()) {
            case 0 -> "";
            case 1 -> "field '" + fields.get(0) + "': ";
            default -> "fields '" + String.join("', '", fields) + "': ";
        };
        return position.describe() + ": " + about + message;
    }

    @Override
    public String toString() {
        return describe();
    }
}
