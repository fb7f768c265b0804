package io.atrium.plugins.erp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One record read from the ERP: a row, a file record or a webhook item, as field name to value.
 * Nested JSON objects and XML elements are flattened to dotted names ({@code customer.email}).
 * A name is looked up exactly first, then ignoring case (Oracle's columns are upper case, a CSV
 * header may say {@code Customer_ID}) when that finds exactly one field.
 */
final class Record {

    private final Position position;
    private final Map<String, Object> fields;
    private Map<String, String> folded;

    Record(Position position, Map<String, ?> fields) {
        this.position = position;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    Position position() {
        return position;
    }

    Map<String, Object> fields() {
        return fields;
    }

    /** The record's own spelling of {@code name}, or null when it has no such field. */
    String resolve(String name) {
        if (fields.containsKey(name)) {
            return name;
        }
        if (folded == null) {
            Map<String, String> f = new LinkedHashMap<>();
            for (String k : fields.keySet()) {
                String lower = k.toLowerCase(Locale.ROOT);
                f.put(lower, f.containsKey(lower) ? null : k);
            }
            folded = f;
        }
        return folded.get(name.toLowerCase(Locale.ROOT));
    }

    boolean has(String name) {
        return resolve(name) != null;
    }

    /** The value (null when empty or absent). */
    Object get(String name) {
        String own = resolve(name);
        return own == null ? null : fields.get(own);
    }

    @Override
    public String toString() {
        return position + " " + fields.keySet();
    }
}
