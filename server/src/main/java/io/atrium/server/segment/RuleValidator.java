package io.atrium.server.segment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks a segment rule against the grammar of docs/segments.md and reports every problem with
 * the JSON path of the offending node ({@code $.all[1].count.atLeast}) and what was expected.
 */
public final class RuleValidator {

    /** One thing wrong with a rule. */
    public record Problem(String path, String message) {
    }

    static final Set<String> NODE_KEYS = Set.of("all", "any", "not", "trait", "event", "segment", "consent", "identity");
    static final Set<String> VALUE_OPS = Set.of("eq", "ne", "gt", "gte", "lt", "lte", "contains", "in", "not_in",
            "exists", "not_exists", "between");
    static final Set<String> DATE_OPS = Set.of("within_last", "within_next", "anniversary_within");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(m|h|d|w)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.$ -]{1,128}");
    private static final int MAX_DEPTH = 12;

    private RuleValidator() {
    }

    public static List<Problem> validate(JsonNode rule) {
        List<Problem> problems = new ArrayList<>();
        node(rule, "$", 0, problems);
        return problems;
    }

    /** Parses a rule duration: {@code 30m}, {@code 1h}, {@code 7d}, {@code 2w}; null if it is not one. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    private static void node(JsonNode n, String path, int depth, List<Problem> problems) {
        if (n == null || !n.isObject()) {
            problems.add(new Problem(path, "must be a rule node: an object with one of " + String.join(", ", sorted(NODE_KEYS))));
            return;
        }
        if (depth > MAX_DEPTH) {
            problems.add(new Problem(path, "is nested deeper than " + MAX_DEPTH + " levels"));
            return;
        }
        List<String> kinds = new ArrayList<>();
        n.fieldNames().forEachRemaining(f -> {
            if (NODE_KEYS.contains(f)) {
                kinds.add(f);
            }
        });
        if (kinds.size() != 1) {
            problems.add(new Problem(path, kinds.isEmpty()
                    ? "must have one of " + String.join(", ", sorted(NODE_KEYS))
                    : "has " + String.join(" and ", kinds) + "; a node is exactly one of them (wrap several in all or any)"));
            return;
        }
        String kind = kinds.get(0);
        switch (kind) {
            case "all", "any" -> {
                only(n, path, Set.of(kind), problems);
                JsonNode items = n.get(kind);
                if (!items.isArray() || items.isEmpty()) {
                    problems.add(new Problem(path + "." + kind, "must be a non-empty array of rule nodes"));
                    return;
                }
                for (int i = 0; i < items.size(); i++) {
                    node(items.get(i), path + "." + kind + "[" + i + "]", depth + 1, problems);
                }
            }
            case "not" -> {
                only(n, path, Set.of("not"), problems);
                node(n.get("not"), path + ".not", depth + 1, problems);
            }
            case "trait" -> trait(n, path, problems);
            case "event" -> event(n, path, problems, true);
            case "segment" -> {
                only(n, path, Set.of("segment"), problems);
                JsonNode s = n.get("segment");
                if (!(s.isIntegralNumber() && s.asLong() > 0) && !(s.isTextual() && !s.asText().isBlank())) {
                    problems.add(new Problem(path + ".segment", "must be the id (a positive number) or the name of a segment"));
                }
            }
            case "consent" -> {
                only(n, path, Set.of("consent"), problems);
                JsonNode c = n.get("consent");
                if (!c.isObject()) {
                    problems.add(new Problem(path + ".consent", "must be {\"channel\": ..., \"purpose\": ...}"));
                    return;
                }
                only(c, path + ".consent", Set.of("channel", "purpose", "granted"), problems);
                requireText(c, "channel", path + ".consent", problems);
                requireText(c, "purpose", path + ".consent", problems);
                if (c.has("granted") && !c.get("granted").isBoolean()) {
                    problems.add(new Problem(path + ".consent.granted", "must be true or false"));
                }
            }
            case "identity" -> {
                only(n, path, Set.of("identity", "op"), problems);
                JsonNode type = n.get("identity");
                if (!type.isTextual() || !type.asText().matches("[a-z][a-z0-9_]{0,63}")) {
                    problems.add(new Problem(path + ".identity", "must be an identity type such as email, phone or crm_id"));
                }
                JsonNode op = n.get("op");
                if (op != null && !(op.isTextual() && Set.of("exists", "not_exists").contains(op.asText()))) {
                    problems.add(new Problem(path + ".op", "must be exists or not_exists"));
                }
            }
            default -> throw new IllegalStateException(kind);
        }
    }

    private static void trait(JsonNode n, String path, List<Problem> problems) {
        only(n, path, Set.of("trait", "op", "value"), problems);
        JsonNode name = n.get("trait");
        if (!name.isTextual() || !NAME.matcher(name.asText()).matches()) {
            problems.add(new Problem(path + ".trait", "must be a trait name (letters, digits, _ . $ - and spaces, up to 128)"));
        }
        comparison(n, path, problems, true);
    }

    /** {@code op} and {@code value} of a trait or property condition. */
    private static void comparison(JsonNode n, String path, List<Problem> problems, boolean dates) {
        JsonNode op = n.get("op");
        if (op == null || !op.isTextual()) {
            problems.add(new Problem(path + ".op", "is required: one of " + String.join(", ", sorted(dates ? union() : VALUE_OPS))));
            return;
        }
        String o = op.asText();
        JsonNode value = n.get("value");
        if (DATE_OPS.contains(o)) {
            if (!dates) {
                problems.add(new Problem(path + ".op", "'" + o + "' applies to traits only"));
            } else if (value == null || !value.isTextual() || duration(value.asText()) == null) {
                problems.add(new Problem(path + ".value", "must be a duration such as 30m, 12h, 7d or 2w for '" + o + "'"));
            }
            return;
        }
        if (!VALUE_OPS.contains(o)) {
            problems.add(new Problem(path + ".op", "unknown operator '" + o + "'; one of " + String.join(", ", sorted(dates ? union() : VALUE_OPS))));
            return;
        }
        switch (o) {
            case "exists", "not_exists" -> {
                if (value != null) {
                    problems.add(new Problem(path + ".value", "must be absent for '" + o + "'"));
                }
            }
            case "in", "not_in" -> {
                if (value == null || !value.isArray() || value.isEmpty() || !allScalars(value)) {
                    problems.add(new Problem(path + ".value", "must be a non-empty array of values for '" + o + "'"));
                }
            }
            case "between" -> {
                if (value == null || !value.isArray() || value.size() != 2 || !allScalars(value)) {
                    problems.add(new Problem(path + ".value", "must be [low, high] for 'between' (numbers or ISO dates)"));
                }
            }
            case "gt", "gte", "lt", "lte" -> {
                if (value == null || !(value.isNumber() || value.isTextual())) {
                    problems.add(new Problem(path + ".value", "must be a number or an ISO-8601 date for '" + o + "'"));
                }
            }
            case "contains" -> {
                if (value == null || !value.isTextual()) {
                    problems.add(new Problem(path + ".value", "must be a string for 'contains'"));
                }
            }
            default -> {
                if (value == null || !(value.isValueNode()) || value.isNull()) {
                    problems.add(new Problem(path + ".value", "is required for '" + o + "' (use exists/not_exists to test for presence)"));
                }
            }
        }
    }

    private static void event(JsonNode n, String path, List<Problem> problems, boolean top) {
        Set<String> allowed = top ? Set.of("event", "where", "count", "within", "followedBy", "notFollowedBy")
                : Set.of("event", "where", "within");
        only(n, path, allowed, problems);
        JsonNode name = n.get("event");
        if (name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()) {
            problems.add(new Problem(path + ".event", "must be an event name such as order_completed"));
        }
        JsonNode where = n.get("where");
        if (where != null) {
            if (!where.isArray()) {
                problems.add(new Problem(path + ".where", "must be an array of property conditions"));
            } else {
                for (int i = 0; i < where.size(); i++) {
                    JsonNode c = where.get(i);
                    String p = path + ".where[" + i + "]";
                    if (!c.isObject()) {
                        problems.add(new Problem(p, "must be {\"property\": ..., \"op\": ..., \"value\": ...}"));
                        continue;
                    }
                    only(c, p, Set.of("property", "op", "value"), problems);
                    requireText(c, "property", p, problems);
                    comparison(c, p, problems, false);
                }
            }
        }
        JsonNode count = n.get("count");
        if (count != null) {
            if (!count.isObject() || count.size() != 1) {
                problems.add(new Problem(path + ".count", "must be one of {\"atLeast\": n}, {\"atMost\": n}, {\"exactly\": n}"));
            } else {
                String k = count.fieldNames().next();
                JsonNode v = count.get(k);
                if (!Set.of("atLeast", "atMost", "exactly").contains(k)) {
                    problems.add(new Problem(path + ".count." + k, "unknown; use atLeast, atMost or exactly"));
                } else if (!v.isIntegralNumber() || v.asLong() < 0) {
                    problems.add(new Problem(path + ".count." + k, "must be a whole number ≥ 0"));
                }
            }
        }
        JsonNode within = n.get("within");
        if (within != null && (!within.isTextual() || duration(within.asText()) == null)) {
            problems.add(new Problem(path + ".within", top
                    ? "must be a duration such as 30m, 24h, 30d: the window before now"
                    : "must be a duration such as 30m, 1h, 7d: the window after the first event"));
        }
        for (String rel : List.of("followedBy", "notFollowedBy")) {
            JsonNode r = n.get(rel);
            if (r == null) {
                continue;
            }
            if (!r.isObject()) {
                problems.add(new Problem(path + "." + rel, "must be {\"event\": ..., \"within\": ...}"));
                continue;
            }
            event(r, path + "." + rel, problems, false);
            if (!r.has("within")) {
                problems.add(new Problem(path + "." + rel + ".within", "is required: how long after the first event"));
            }
        }
        if (n.has("followedBy") && n.has("notFollowedBy")) {
            problems.add(new Problem(path, "has both followedBy and notFollowedBy; combine two event nodes with all instead"));
        }
    }

    private static void only(JsonNode n, String path, Set<String> allowed, List<Problem> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            String f = it.next().getKey();
            if (!allowed.contains(f)) {
                problems.add(new Problem(path + "." + f, "is not a field here; allowed: " + String.join(", ", sorted(allowed))));
            }
        }
    }

    private static void requireText(JsonNode n, String field, String path, List<Problem> problems) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            problems.add(new Problem(path + "." + field, "is required: a non-empty string"));
        }
    }

    private static boolean allScalars(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isValueNode() || v.isNull()) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> union() {
        Set<String> all = new java.util.HashSet<>(VALUE_OPS);
        all.addAll(DATE_OPS);
        return all;
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
