package io.atrium.plugins.erp;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Clob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a watermark or key column's values are read from a row, handed back to the database as a
 * parameter, and written to the watermark file, by the column's SQL type: the value goes back
 * exactly as it came (a {@code timestamp} as a {@link LocalDateTime} with its microseconds, a
 * {@code timestamptz} as an {@link OffsetDateTime}), so no row is skipped or read twice because of
 * a rounding or a time zone.
 */
enum SqlValue {
    LONG, DECIMAL, STRING, LOCAL_DATE_TIME, OFFSET_DATE_TIME, LOCAL_DATE;

    /** The kind for a column, or null when such a column cannot be a watermark or key. */
    static SqlValue of(ResultSetMetaData md, int column) throws SQLException {
        int type = md.getColumnType(column);
        String name = String.valueOf(md.getColumnTypeName(column)).toLowerCase(Locale.ROOT);
        switch (type) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT:
                return LONG;
            case Types.NUMERIC, Types.DECIMAL:
                return DECIMAL;
            case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGVARCHAR, Types.LONGNVARCHAR:
                return STRING;
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return OFFSET_DATE_TIME;
            case Types.TIMESTAMP:
                return name.contains("tz") || name.contains("time zone") ? OFFSET_DATE_TIME : LOCAL_DATE_TIME;
            case Types.DATE:
                return LOCAL_DATE;
            default:
                return null;
        }
    }

    Object read(ResultSet rs, int column) throws SQLException {
        Object v = switch (this) {
            case LONG -> {
                long l = rs.getLong(column);
                yield rs.wasNull() ? null : l;
            }
            case DECIMAL -> rs.getBigDecimal(column);
            case STRING -> rs.getString(column);
            case LOCAL_DATE_TIME -> rs.getObject(column, LocalDateTime.class);
            case OFFSET_DATE_TIME -> rs.getObject(column, OffsetDateTime.class);
            case LOCAL_DATE -> rs.getObject(column, LocalDate.class);
        };
        return v;
    }

    void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (this) {
            case LONG -> ps.setLong(index, (Long) value);
            case DECIMAL -> ps.setBigDecimal(index, (BigDecimal) value);
            case STRING -> ps.setString(index, (String) value);
            default -> ps.setObject(index, value);
        }
    }

    String write(Object value) {
        return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
    }

    /**
     * Reads a value written by {@link #write}, or given by the admin as {@code jdbc.watermark-start}
     * ({@code 2026-01-01}, {@code 2026-01-01 00:00:00}, {@code 2026-01-01T00:00:00+02:00}; a date-time
     * without an offset for a column with one is in {@code zone}).
     *
     * @throws IllegalArgumentException when the text is not such a value
     */
    Object parse(String text, ZoneId zone) {
        String t = text.strip();
        try {
            return switch (this) {
                case LONG -> Long.parseLong(t);
                case DECIMAL -> new BigDecimal(t);
                case STRING -> text;
                case LOCAL_DATE -> LocalDate.parse(t.length() > 10 ? t.substring(0, 10) : t);
                case LOCAL_DATE_TIME -> localDateTime(t);
                case OFFSET_DATE_TIME -> {
                    String iso = t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + 'T' + t.substring(11) : t;
                    try {
                        yield OffsetDateTime.parse(iso);
                    } catch (java.time.format.DateTimeParseException e) {
                        yield localDateTime(t).atZone(zone).toOffsetDateTime();
                    }
                }
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + describe());
        }
    }

    private static LocalDateTime localDateTime(String t) {
        if (t.length() == 10) {
            return LocalDate.parse(t).atStartOfDay();
        }
        String iso = t.charAt(10) == ' ' ? t.substring(0, 10) + 'T' + t.substring(11) : t;
        return LocalDateTime.parse(iso);
    }

    String describe() {
        return switch (this) {
            case LONG -> "an integer";
            case DECIMAL -> "a number";
            case STRING -> "a text";
            case LOCAL_DATE_TIME -> "a date-time such as 2026-01-01T00:00:00";
            case OFFSET_DATE_TIME -> "a date-time such as 2026-01-01T00:00:00Z";
            case LOCAL_DATE -> "a date such as 2026-01-01";
        };
    }

    /** Any column's value, for a record: date-times as java.time, large objects as text, arrays as lists. */
    static Object any(ResultSet rs, ResultSetMetaData md, int column) throws SQLException {
        SqlValue kind = of(md, column);
        if (kind == LOCAL_DATE_TIME || kind == OFFSET_DATE_TIME || kind == LOCAL_DATE) {
            return kind.read(rs, column);
        }
        Object v = rs.getObject(column);
        if (v == null) {
            return null;
        }
        if (v instanceof Clob c) {
            return c.getSubString(1, (int) Math.min(Integer.MAX_VALUE, c.length()));
        }
        if (v instanceof SQLXML x) {
            return x.getString();
        }
        if (v instanceof Array a) {
            Object arr = a.getArray();
            List<Object> list = new ArrayList<>();
            if (arr instanceof Object[] objects) {
                list.addAll(List.of(objects));
            }
            return list;
        }
        if (v instanceof java.sql.Time t) {
            return t.toLocalTime();
        }
        return v;
    }
}
