package io.atrium.plugins.erp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns ERP values into what an event carries: JSON numbers, booleans, strings and ISO-8601 text.
 * Date-times without an offset (a database {@code timestamp}, {@code 2026-03-01 10:00}) are in
 * {@code zone}; a {@code format} (a {@link DateTimeFormatter} pattern such as {@code dd.MM.yyyy HH:mm})
 * is tried before the ISO forms.
 */
final class Values {

    /** A value that cannot be converted; the message quotes (the start of) the value. */
    static final class BadValue extends Exception {
        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /** The conversions a mapped field can ask for with {@code :type}. */
    enum Type {
        AUTO, STRING, NUMBER, INTEGER, BOOLEAN, TIMESTAMP, DATE;

        static Type named(String name) {
            for (Type t : values()) {
                if (t != AUTO && t.name().equalsIgnoreCase(name)) {
                    return t;
                }
            }
            return null;
        }

        static String names() {
            return "string, number, integer, boolean, timestamp, date";
        }
    }

    private static final DateTimeFormatter ISO_DATE_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private final ZoneId zone;
    private final DateTimeFormatter format;
    private final char decimalSeparator;

    Values(ZoneId zone, DateTimeFormatter format, char decimalSeparator) {
        this.zone = zone;
        this.format = format;
        this.decimalSeparator = decimalSeparator;
    }

    static Values defaults() {
        return new Values(java.time.ZoneOffset.UTC, null, '.');
    }

    ZoneId zone() {
        return zone;
    }

    Object convert(Object raw, Type type) throws BadValue {
        if (raw == null) {
            return null;
        }
        return switch (type) {
            case AUTO -> normalize(raw);
            case STRING -> text(raw);
            case NUMBER -> number(raw);
            case INTEGER -> integer(raw);
            case BOOLEAN -> bool(raw);
            case TIMESTAMP -> instant(raw).toString();
            case DATE -> date(raw).toString();
        };
    }

    /** The value as a source gave it, in a JSON-friendly form: numbers, booleans, text; date-times as ISO-8601. */
    Object normalize(Object raw) {
        if (raw == null || raw instanceof String || raw instanceof Boolean || raw instanceof Long
                || raw instanceof BigDecimal || raw instanceof Double) {
            return raw;
        }
        if (raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (raw instanceof Float f) {
            return f.doubleValue();
        }
        if (raw instanceof LocalDate || raw instanceof LocalTime) {
            return raw.toString();
        }
        if (raw instanceof LocalDateTime || raw instanceof OffsetDateTime || raw instanceof ZonedDateTime
                || raw instanceof Instant || raw instanceof java.util.Date) {
            try {
                return instant(raw).toString();
            } catch (BadValue e) {
                return raw.toString();
            }
        }
        if (raw instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (raw instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(normalize(o));
            }
            return out;
        }
        if (raw instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
            return out;
        }
        return raw.toString();
    }

    /** The value as text, for identities, event names and message ids: {@code 1001} for 1001.0, ISO-8601 for date-times. */
    String text(Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw instanceof String s) {
            return s.strip();
        }
        if (raw instanceof BigDecimal d) {
            return plain(d);
        }
        if (raw instanceof Double || raw instanceof Float) {
            double v = ((Number) raw).doubleValue();
            return Double.isFinite(v) ? plain(BigDecimal.valueOf(v)) : String.valueOf(v);
        }
        Object n = normalize(raw);
        return n instanceof String s ? s : String.valueOf(n);
    }

    private static String plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() <= 0 ? s.toBigIntegerExact().toString() : s.toPlainString();
    }

    BigDecimal number(Object raw) throws BadValue {
        if (raw instanceof BigDecimal d) {
            return d;
        }
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            return BigDecimal.valueOf(((Number) raw).longValue());
        }
        if (raw instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (raw instanceof Double || raw instanceof Float) {
            double v = ((Number) raw).doubleValue();
            if (!Double.isFinite(v)) {
                throw new BadValue("'" + v + "' is not a number");
            }
            return BigDecimal.valueOf(v);
        }
        if (!(raw instanceof String s)) {
            throw new BadValue(quote(raw) + " is not a number");
        }
        String t = s.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "");
        char other = decimalSeparator == '.' ? ',' : '.';
        if (t.indexOf(other) >= 0) {
            throw new BadValue(quote(s) + " is not a number (the decimal separator is '" + decimalSeparator
                    + "', see mapping.decimal-separator; group digits with spaces only)");
        }
        if (decimalSeparator == ',') {
            t = t.replace(',', '.');
        }
        if (t.isEmpty() || !t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            throw new BadValue(quote(s) + " is not a number");
        }
        return new BigDecimal(t);
    }

    Long integer(Object raw) throws BadValue {
        BigDecimal d;
        try {
            d = number(raw);
        } catch (BadValue e) {
            throw new BadValue(quote(raw) + " is not an integer");
        }
        try {
            return d.stripTrailingZeros().longValueExact();
        } catch (ArithmeticException e) {
            throw new BadValue(quote(raw) + " is not an integer");
        }
    }

    Boolean bool(Object raw) throws BadValue {
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof Number n) {
            if (n.doubleValue() == 0) {
                return false;
            }
            if (n.doubleValue() == 1) {
                return true;
            }
        }
        String s = String.valueOf(raw).strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "t", "yes", "y", "1", "on" -> true;
            case "false", "f", "no", "n", "0", "off" -> false;
            default -> throw new BadValue(quote(raw) + " is not a boolean (true/false, yes/no, 1/0)");
        };
    }

    Instant instant(Object raw) throws BadValue {
        if (raw instanceof Instant i) {
            return i;
        }
        if (raw instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (raw instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (raw instanceof LocalDateTime l) {
            return l.atZone(zone).toInstant();
        }
        if (raw instanceof LocalDate d) {
            return d.atStartOfDay(zone).toInstant();
        }
        if (raw instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().atZone(zone).toInstant();
        }
        if (raw instanceof java.sql.Date d) {
            return d.toLocalDate().atStartOfDay(zone).toInstant();
        }
        if (raw instanceof java.util.Date d) {
            return d.toInstant();
        }
        if (raw instanceof Number n) {
            return epoch(n.longValue());
        }
        if (!(raw instanceof String s)) {
            throw new BadValue(quote(raw) + " is not a date-time");
        }
        String t = s.strip();
        if (format != null) {
            try {
                return fromParsed(format.parseBest(t, OffsetDateTime::from, ZonedDateTime::from, LocalDateTime::from,
                        LocalDate::from));
            } catch (DateTimeException e) {
                // try the ISO forms below
            }
        }
        if (t.matches("-?\\d{1,15}")) {
            return epoch(Long.parseLong(t));
        }
        if (t.length() > 10 && t.charAt(10) == ' ') {
            t = t.substring(0, 10) + 'T' + t.substring(11);
        }
        t = t.replace(" ", "");
        try {
            if (t.length() <= 10) {
                return LocalDate.parse(t).atStartOfDay(zone).toInstant();
            }
            return fromParsed(ISO_DATE_TIME.parseBest(t, OffsetDateTime::from, LocalDateTime::from));
        } catch (DateTimeParseException e) {
            throw new BadValue(quote(s) + " is not a date-time (ISO-8601 such as 2026-03-01T10:00:00Z or "
                    + "2026-03-01 10:00:00" + (format == null ? "" : ", or as mapping.timestamp-format says") + ")");
        }
    }

    private Instant fromParsed(TemporalAccessor parsed) {
        if (parsed instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (parsed instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (parsed instanceof LocalDateTime l) {
            return l.atZone(zone).toInstant();
        }
        return ((LocalDate) parsed).atStartOfDay(zone).toInstant();
    }

    /** Seconds, or milliseconds when the number is too large to be seconds (after the year 5138). */
    private static Instant epoch(long n) {
        return Math.abs(n) >= 100_000_000_000L ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
    }

    LocalDate date(Object raw) throws BadValue {
        if (raw instanceof LocalDate d) {
            return d;
        }
        if (raw instanceof LocalDateTime l) {
            return l.toLocalDate();
        }
        if (raw instanceof OffsetDateTime o) {
            return o.toLocalDate();
        }
        if (raw instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (raw instanceof String s) {
            String t = s.strip();
            if (format != null) {
                try {
                    TemporalAccessor p = format.parseBest(t, LocalDateTime::from, LocalDate::from);
                    return p instanceof LocalDateTime l ? l.toLocalDate() : (LocalDate) p;
                } catch (DateTimeException e) {
                    // try ISO below
                }
            }
            if (t.length() == 10) {
                try {
                    return LocalDate.parse(t);
                } catch (DateTimeParseException e) {
                    throw new BadValue(quote(s) + " is not a date (ISO-8601 such as 2026-03-01)");
                }
            }
        }
        try {
            return instant(raw).atZone(zone).toLocalDate();
        } catch (BadValue e) {
            throw new BadValue(quote(raw) + " is not a date (ISO-8601 such as 2026-03-01)");
        }
    }

    /** The value for a message: at most 40 characters of it, quoted. */
    static String quote(Object raw) {
        String s = String.valueOf(raw);
        if (s.length() > 40) {
            s = s.substring(0, 40) + "...";
        }
        return "'" + s + "'";
    }
}
