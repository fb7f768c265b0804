package io.atrium.plugins.erp;

import java.util.regex.Pattern;

/**
 * A field of the ERP record named in the mapping: {@code [name=]field[?][:type]}. {@code name}
 * is what the event calls it (default: the field's name), a trailing {@code ?} lets records
 * lack the field, and {@code :type} converts the value ({@link Values.Type}).
 *
 * <p>Examples: {@code order_id}, {@code amount=total:number}, {@code note?}, {@code paid_at=paid?:timestamp}.
 */
record FieldRef(String name, String field, boolean optional, Values.Type type) {

    private static final Pattern NAME = Pattern.compile("[^\\s=?:{}|]+");

    /** A bare field name, with an optional trailing {@code ?}. */
    static FieldRef field(String raw) {
        String t = raw.strip();
        boolean optional = t.endsWith("?");
        if (optional) {
            t = t.substring(0, t.length() - 1).strip();
        }
        if (!NAME.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + raw.strip() + "' is not a field name (no spaces, '=', ':', '?', "
                    + "'{', '}' or '|' inside)");
        }
        return new FieldRef(t, t, optional, Values.Type.AUTO);
    }

    /** {@code [name=]field[?][:type]}. */
    static FieldRef parse(String raw) {
        String t = raw.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("an empty entry");
        }
        Values.Type type = Values.Type.AUTO;
        boolean optional = false;
        if (t.endsWith("?")) {
            optional = true;
            t = t.substring(0, t.length() - 1).strip();
        }
        int colon = t.lastIndexOf(':');
        if (colon >= 0) {
            String typeName = t.substring(colon + 1).strip();
            type = Values.Type.named(typeName);
            if (type == null) {
                throw new IllegalArgumentException("unknown type '" + typeName + "' in '" + raw.strip() + "' (known: "
                        + Values.Type.names() + ")");
            }
            t = t.substring(0, colon).strip();
        }
        String name = null;
        int eq = t.indexOf('=');
        if (eq >= 0) {
            name = t.substring(0, eq).strip();
            t = t.substring(eq + 1).strip();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + raw.strip() + "' needs a name before '=' (name=field)");
            }
        }
        FieldRef f = field(t);
        return new FieldRef(name == null ? f.field() : name, f.field(), optional || f.optional(), type);
    }
}
