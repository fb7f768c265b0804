package io.atrium.plugins.sms;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A send URL or body with placeholders such as {@code {to}}, filled in per message with each value
 * escaped for where it goes: URL-encoded in a URL or form body, JSON-escaped in a JSON body,
 * XML-escaped in an XML body. Only {@code {word}} is a placeholder, so JSON braces stay as they are.
 */
final class Template {

    /** Every placeholder a template may use. */
    static final List<String> PLACEHOLDERS = List.of("to", "msisdn", "from", "text", "coding", "id", "dlrUrl",
            "callbackUrl", "username", "password", "token");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

    enum Escaping {
        /** Percent-encoded UTF-8 (space as %20): URL templates and form bodies. */
        URL,
        /** Inside a JSON string: the template has the quotes. */
        JSON,
        /** Inside XML text or an attribute. */
        XML,
        /** As is (text/plain bodies). */
        NONE;

        static Escaping forContentType(String contentType) {
            String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            if (ct.contains("json")) {
                return JSON;
            }
            if (ct.contains("x-www-form-urlencoded")) {
                return URL;
            }
            if (ct.contains("xml")) {
                return XML;
            }
            return NONE;
        }
    }

    private final String key;
    /** Literal text (String) and placeholders (Name), in order. */
    private final List<Object> parts;
    private final Set<String> placeholders;

    private record Name(String value) {
    }

    private Template(String key, List<Object> parts, Set<String> placeholders) {
        this.key = key;
        this.parts = parts;
        this.placeholders = placeholders;
    }

    /**
     * @param key the configuration key the template comes from, for error messages
     * @throws IllegalArgumentException naming the key and the unknown placeholder
     */
    static Template parse(String raw, String key) {
        List<Object> parts = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(raw);
        int at = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!PLACEHOLDERS.contains(name)) {
                throw new IllegalArgumentException("key '" + key + "' uses unknown placeholder {" + name + "}; known are {"
                        + String.join("} {", PLACEHOLDERS) + "}");
            }
            if (m.start() > at) {
                parts.add(raw.substring(at, m.start()));
            }
            parts.add(new Name(name));
            names.add(name);
            at = m.end();
        }
        if (at < raw.length()) {
            parts.add(raw.substring(at));
        }
        return new Template(key, List.copyOf(parts), Collections.unmodifiableSet(names));
    }

    String key() {
        return key;
    }

    Set<String> placeholders() {
        return placeholders;
    }

    /** Fills in the placeholders; one without a value becomes empty. */
    String render(Map<String, String> values, Escaping escaping) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Name n) {
                String v = values.get(n.value());
                out.append(escape(v == null ? "" : v, escaping));
            } else {
                out.append((String) part);
            }
        }
        return out.toString();
    }

    static String escape(String value, Escaping escaping) {
        return switch (escaping) {
            case URL -> URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            case JSON -> json(value);
            case XML -> xml(value);
            case NONE -> value;
        };
    }

    private static String json(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static String xml(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
