package io.atrium.server.support;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;

/**
 * A fast path for the one date-time form the hub itself writes ({@link Instant#toString()}:
 * {@code 2025-01-31T13:45:00Z}, {@code 2025-01-31T13:45:00.123Z}, up to nine fraction digits).
 * {@link java.time.format.DateTimeFormatter} costs several microseconds per value, and every event
 * carries three or four of them. Anything else (offsets, lower case, other widths, out-of-range
 * fields) is not handled here: {@link #parseCanonical} answers null and the caller uses its own,
 * complete parser, so the accepted forms and the results are exactly those of that parser.
 */
public final class FastInstant {

    private FastInstant() {
    }

    /** The instant of {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, or null when the text is not exactly that form. */
    public static Instant parseCanonical(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) {
                return null;
            }
            int fraction = digits(s, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = n - 1 - 20; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null; // e.g. 02-30: let the complete parser decide
        }
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The value of the decimal digits in [from, to), at most nine of them; -1 if one is not a digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Last second (exclusive) of year 9999: instants up to it print with a four-digit year. */
    private static final long YEAR_10000 = 253_402_300_800L;

    /**
     * Exactly {@link Instant#toString()} (ISO-8601, UTC, the fraction in groups of three digits and
     * none when zero), written without {@link java.time.format.DateTimeFormatter} for the years 1970 to
     * 9999; other instants go through {@link Instant#toString()} itself.
     */
    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return instant.toString();
        }
        int nanos = instant.getNano();
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        char[] out = new char[30];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        put(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, secondOfDay % 60, 2);
        int n = 19;
        if (nanos != 0) {
            out[n++] = '.';
            if (nanos % 1_000_000 == 0) {
                put(out, n, nanos / 1_000_000, 3);
                n += 3;
            } else if (nanos % 1_000 == 0) {
                put(out, n, nanos / 1_000, 6);
                n += 6;
            } else {
                put(out, n, nanos, 9);
                n += 9;
            }
        }
        out[n++] = 'Z';
        return new String(out, 0, n);
    }

    /** {@code value} as exactly {@code width} decimal digits at {@code at}. */
    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * A Jackson module whose {@link Instant} deserializer takes the fast path and otherwise does what
     * jsr310's does, and whose serializer writes {@link #format} (what jsr310's writes as text).
     */
    public static SimpleModule jacksonModule() {
        SimpleModule module = new SimpleModule("atrium-fast-instant");
        module.addDeserializer(Instant.class, new Deserializer());
        module.addSerializer(Instant.class, new Serializer());
        return module;
    }

    static final class Serializer extends com.fasterxml.jackson.databind.JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, com.fasterxml.jackson.core.JsonGenerator gen,
                              com.fasterxml.jackson.databind.SerializerProvider serializers) throws IOException {
            gen.writeString(format(value));
        }

        @Override
        public Class<Instant> handledType() {
            return Instant.class;
        }
    }

    static final class Deserializer extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                Instant fast = parseCanonical(p.getText());
                if (fast != null) {
                    return fast;
                }
            }
            return InstantDeserializer.INSTANT.deserialize(p, ctxt);
        }

        @Override
        public Class<?> handledType() {
            return Instant.class;
        }
    }
}
