package io.atrium.plugins.crm;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The plugin's JSON mapper and the few readers every part of it needs. */
final class Json {

    /** Numbers stay exact (ids and amounts are never read as doubles). */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private Json() {
    }

    /** The text of a string or number node; null for a missing, null or blank value. */
    static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return null;
        }
        String s = node.asText();
        return s.isBlank() ? null : s;
    }

    static String text(JsonNode parent, String field) {
        return parent == null ? null : text(parent.get(field));
    }

    /**
     * An instant from ISO-8601 text (with or without an offset; without one it is UTC) or epoch
     * milliseconds (a number or digits). Null when absent or unreadable.
     */
    static Instant instant(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return Instant.ofEpochMilli(node.longValue());
        }
        return instant(text(node));
    }

    static Instant instant(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.strip();
        if (t.chars().allMatch(Character::isDigit)) {
            try {
                return Instant.ofEpochMilli(Long.parseLong(t));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e2) {
                try {
                    return java.time.LocalDateTime.parse(t).toInstant(java.time.ZoneOffset.UTC);
                } catch (DateTimeParseException e3) {
                    try {
                        return java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
                    } catch (DateTimeParseException e4) {
                        return null;
                    }
                }
            }
        }
    }

    /** A decimal number from a number node or numeric text (HubSpot sends amounts as text); null otherwise. */
    static BigDecimal decimal(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        String s = text(node);
        if (s == null) {
            return null;
        }
        try {
            return new BigDecimal(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A duration as people write it: {@code 500 ms}, {@code 10 s}, {@code 5 min}, {@code 2 h}. */
    static String human(java.time.Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + " ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + " h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + " min";
        }
        return s + " s";
    }

    /** The start of {@code s} for a log line or an error message. */
    static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() <= max ? t : t.substring(0, max) + "...";
    }
}
