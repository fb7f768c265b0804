package io.atrium.plugin.api;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The type of a configuration value, and how text is turned into it. */
public enum ConfigType {
    STRING("a string"),
    INT("an integer"),
    LONG("a long integer"),
    DOUBLE("a number"),
    BOOLEAN("true or false"),
    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT30S}). */
    DURATION("a duration such as 30s, 5m, 2h or PT30S"),
    /** An absolute URL with a scheme. */
    URL("an absolute URL such as https://host:port/path"),
    /** A comma-separated list of strings, or a YAML list. */
    LIST("a list of strings");

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final String expected;

    ConfigType(String expected) {
        this.expected = expected;
    }

    /** How this type is described in error messages: "expected an integer". */
    public String expected() {
        return expected;
    }

    /** Parses {@code raw} (a String, Number, Boolean or List) into this type. */
    public Object parse(Object raw) {
        switch (this) {
            case STRING:
                if (raw instanceof List || raw instanceof java.util.Map) {
                    throw new IllegalArgumentException("not a single value");
                }
                return String.valueOf(raw);
            case INT:
                return raw instanceof Number n && n.doubleValue() == n.intValue() ? n.intValue() : Integer.parseInt(text(raw));
            case LONG:
                return raw instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue() : Long.parseLong(text(raw));
            case DOUBLE:
                return raw instanceof Number n ? n.doubleValue() : Double.parseDouble(text(raw));
            case BOOLEAN: {
                if (raw instanceof Boolean b) {
                    return b;
                }
                String s = text(raw).toLowerCase(Locale.ROOT);
                if (s.equals("true") || s.equals("false")) {
                    return Boolean.parseBoolean(s);
                }
                throw new IllegalArgumentException("not true or false");
            }
            case DURATION: {
                String s = text(raw).toLowerCase(Locale.ROOT);
                Matcher m = SIMPLE_DURATION.matcher(s);
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    return switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
                }
                return Duration.parse(text(raw));
            }
            case URL: {
                URI uri = URI.create(text(raw));
                if (!uri.isAbsolute() || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an absolute URL");
                }
                return uri;
            }
            case LIST: {
                if (raw instanceof List<?> list) {
                    List<String> out = new ArrayList<>();
                    list.forEach(v -> out.add(String.valueOf(v)));
                    return List.copyOf(out);
                }
                List<String> out = new ArrayList<>();
                for (String part : text(raw).split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
                return List.copyOf(out);
            }
            default:
                throw new IllegalStateException(name());
        }
    }

    private static String text(Object raw) {
        if (raw instanceof List || raw instanceof java.util.Map) {
            throw new IllegalArgumentException("not a single value");
        }
        return String.valueOf(raw).trim();
    }
}
