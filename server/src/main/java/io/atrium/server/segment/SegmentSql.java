package io.atrium.server.segment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Compiles a (validated) segment rule into one SQL condition over {@code profiles p}, so that a
 * segment's members and count come from a single query that PostgreSQL plans as a whole.
 * Values are bound as parameters, never spliced into the text.
 */
final class SegmentSql {

    /** The SQL condition and its parameters, in order. */
    record Condition(String sql, List<Object> params) {
    }

    private static final int MAX_SEGMENT_DEPTH = 12;

    private final Function<JsonNode, JsonNode> segmentRules;
    private final List<Object> params = new ArrayList<>();

    /** @param segmentRules finds the rule of a segment reference (id or name), or null when there is none */
    private SegmentSql(Function<JsonNode, JsonNode> segmentRules) {
        this.segmentRules = segmentRules;
    }

    static Condition compile(JsonNode rule, Function<JsonNode, JsonNode> segmentRules) {
        SegmentSql c = new SegmentSql(segmentRules);
        String sql = c.node(rule, 0);
        return new Condition(sql, List.copyOf(c.params));
    }

    /**
     * A SQL expression over {@code p} for the next moment after {@code after} at which the rule's answer
     * for that person can change with no new data (an event leaves a window, a "not followed by"
     * window closes, a date operator's range moves), or null for a rule that time does not change.
     * It may name a moment at which nothing changes (a re-check too many), never miss one.
     */
    static Condition nextChange(JsonNode rule, Function<JsonNode, JsonNode> segmentRules, java.time.Instant after) {
        SegmentSql c = new SegmentSql(segmentRules);
        String sql = c.next(rule, 0, java.sql.Timestamp.from(after));
        return sql == null ? null : new Condition(sql, List.copyOf(c.params));
    }

    private String next(JsonNode n, int segmentDepth, java.sql.Timestamp after) {
        if (n.has("all") || n.has("any")) {
            List<String> parts = new ArrayList<>();
            for (JsonNode item : n.get(n.has("all") ? "all" : "any")) {
                String part = next(item, segmentDepth, after);
                if (part != null) {
                    parts.add(part);
                }
            }
            return parts.isEmpty() ? null : parts.size() == 1 ? parts.get(0) : "LEAST(" + String.join(", ", parts) + ")";
        }
        if (n.has("not")) {
            return next(n.get("not"), segmentDepth, after);
        }
        if (n.has("segment")) {
            JsonNode rule = referenced(n, segmentDepth);
            return rule == null ? null : next(rule, segmentDepth + 1, after);
        }
        if (n.has("trait") && RuleValidator.DATE_OPS.contains(n.path("op").asText())) {
            String op = n.get("op").asText();
            String date = date("t.value");
            if (op.equals("anniversary_within")) {
                // by day of the year: the answer changes at midnight at most
                params.add(after);
                params.add(n.get("trait").asText());
                return "(SELECT date_trunc('day', ?::timestamptz) + interval '1 day' FROM traits t WHERE t.profile_id = p.id "
                        + "AND t.name = ? AND " + date + " IS NOT NULL)";
            }
            params.add(RuleValidator.duration(n.get("value").asText()).getSeconds());
            params.add(n.get("trait").asText());
            params.add(after);
            String moments = op.equals("within_last") ? "(" + date + "), (" + date + " + make_interval(secs => ?))"
                    : "(" + date + " - make_interval(secs => ?)), (" + date + ")";
            return "(SELECT min(v.m) FROM traits t CROSS JOIN LATERAL (VALUES " + moments + ") v(m) "
                    + "WHERE t.profile_id = p.id AND t.name = ? AND v.m > ?::timestamptz)";
        }
        if (n.has("event")) {
            List<Long> windows = new ArrayList<>();
            if (n.has("within")) {
                windows.add(RuleValidator.duration(n.get("within").asText()).getSeconds());
            }
            if (n.has("notFollowedBy")) {
                windows.add(RuleValidator.duration(n.get("notFollowedBy").get("within").asText()).getSeconds());
            }
            if (windows.isEmpty()) {
                return null;
            }
            // An event counted by a window leaves it at its time + the window; one waiting for no follow-up
            // qualifies at its time + that window (whether a follow-up came is left to the re-check).
            StringBuilder sql = new StringBuilder("(SELECT min(v.m) FROM events e CROSS JOIN LATERAL (VALUES ");
            for (int i = 0; i < windows.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(e.timestamp + make_interval(secs => ?))");
                params.add(windows.get(i));
            }
            sql.append(") v(m) WHERE e.profile_id = p.id AND ").append(matches("e", n));
            params.add(after);
            params.add(windows.stream().mapToLong(Long::longValue).max().orElseThrow());
            params.add(after);
            sql.append(" AND e.timestamp > ?::timestamptz - make_interval(secs => ?) AND v.m > ?::timestamptz)");
            return sql.toString();
        }
        return null;
    }

    /** The rule of the segment a {@code segment} node refers to, or null when it was deleted. */
    private JsonNode referenced(JsonNode n, int segmentDepth) {
        if (segmentDepth >= MAX_SEGMENT_DEPTH) {
            throw new IllegalStateException("segments refer to each other more than " + MAX_SEGMENT_DEPTH + " levels deep");
        }
        return segmentRules.apply(n.get("segment"));
    }

    /** A jsonb value as a timestamp when it is a string that starts as a date, else null. */
    private static String date(String json) {
        String text = json + " #>> '{}'";
        return "(CASE WHEN jsonb_typeof(" + json + ") = 'string' AND (" + text
                + ") ~ '^\\d{4}-\\d{2}-\\d{2}' THEN (" + text + ")::timestamptz END)";
    }

    private String node(JsonNode n, int segmentDepth) {
        if (n.has("all") || n.has("any")) {
            String op = n.has("all") ? " AND " : " OR ";
            List<String> parts = new ArrayList<>();
            for (JsonNode item : n.get(n.has("all") ? "all" : "any")) {
                parts.add(node(item, segmentDepth));
            }
            return "(" + String.join(op, parts) + ")";
        }
        if (n.has("not")) {
            return "(NOT " + node(n.get("not"), segmentDepth) + ")";
        }
        if (n.has("trait")) {
            return trait(n);
        }
        if (n.has("identity")) {
            params.add(n.get("identity").asText());
            String exists = "EXISTS (SELECT 1 FROM identities i WHERE i.profile_id = p.id AND i.type = ?)";
            return "not_exists".equals(n.path("op").asText("exists")) ? "(NOT " + exists + ")" : exists;
        }
        if (n.has("consent")) {
            JsonNode c = n.get("consent");
            params.add(c.get("channel").asText());
            params.add(c.get("purpose").asText());
            params.add(c.path("granted").asBoolean(true));
            return "EXISTS (SELECT 1 FROM consents c WHERE c.profile_id = p.id AND c.channel = ? AND c.purpose = ? AND c.granted = ?)";
        }
        if (n.has("segment")) {
            JsonNode rule = referenced(n, segmentDepth);
            if (rule == null) {
                return "FALSE"; // the referenced segment was deleted: nobody is in it
            }
            return node(rule, segmentDepth + 1);
        }
        if (n.has("event")) {
            return event(n);
        }
        throw new IllegalArgumentException("not a rule node: " + n);
    }

    private String trait(JsonNode n) {
        String op = n.get("op").asText();
        params.add(n.get("trait").asText());
        String base = "SELECT 1 FROM traits t WHERE t.profile_id = p.id AND t.name = ?";
        if (op.equals("exists")) {
            return "EXISTS (" + base + ")";
        }
        if (op.equals("not_exists")) {
            return "(NOT EXISTS (" + base + "))";
        }
        if (op.equals("not_in")) {
            return "(NOT EXISTS (" + base + " AND " + compare("t.value", "in", n.get("value")) + "))";
        }
        return "EXISTS (" + base + " AND " + compare("t.value", op, n.get("value")) + ")";
    }

    /** A comparison of a jsonb expression with a rule value. */
    private String compare(String json, String op, JsonNode value) {
        String text = json + " #>> '{}'";
        switch (op) {
            case "eq":
                params.add(value.toString());
                return json + " = ?::jsonb";
            case "ne":
                params.add(value.toString());
                return json + " <> ?::jsonb";
            case "in": {
                List<String> parts = new ArrayList<>();
                for (JsonNode v : value) {
                    params.add(v.toString());
                    parts.add("?::jsonb");
                }
                return json + " IN (" + String.join(", ", parts) + ")";
            }
            case "contains":
                params.add(value.asText());
                return "(jsonb_typeof(" + json + ") = 'string' AND strpos(lower(" + text + "), lower(?)) > 0)";
            case "gt", "gte", "lt", "lte": {
                String sqlOp = switch (op) {
                    case "gt" -> ">";
                    case "gte" -> ">=";
                    case "lt" -> "<";
                    default -> "<=";
                };
                return ordered(json, text, sqlOp, value);
            }
            case "between":
                return "(" + ordered(json, text, ">=", value.get(0)) + " AND " + ordered(json, text, "<=", value.get(1)) + ")";
            case "within_last", "within_next", "anniversary_within": {
                Duration d = RuleValidator.duration(value.asText());
                String date = date(json);
                params.add(d.getSeconds());
                return switch (op) {
                    case "within_last" -> "(" + date + " BETWEEN now() - make_interval(secs => ?) AND now())";
                    case "within_next" -> "(" + date + " BETWEEN now() AND now() + make_interval(secs => ?))";
                    // days from today to the date's next anniversary, by day of the year
                    default -> "(mod((extract(doy FROM " + date + ") - extract(doy FROM now()))::int + 366, 366) * 86400 <= ?)";
                };
            }
            default:
                throw new IllegalArgumentException("unknown operator " + op);
        }
    }

    private String ordered(String json, String text, String sqlOp, JsonNode value) {
        if (value.isNumber()) {
            params.add(value.decimalValue());
            return "(jsonb_typeof(" + json + ") = 'number' AND (" + text + ")::numeric " + sqlOp + " ?)";
        }
        params.add(value.asText());
        return "(jsonb_typeof(" + json + ") = 'string' AND (" + text + ") " + sqlOp + " ?)";
    }

    /** The events of one person that match an event node's name, properties and window, as a WHERE over alias {@code a}. */
    private String matches(String a, JsonNode n) {
        String name = n.get("event").asText();
        params.add(name);
        // A track's name, else the type (page, identify, ...): the expression of the index events_profile_name_time (V120).
        StringBuilder sql = new StringBuilder("coalesce(" + a + ".event, " + a + ".type) = ?");
        JsonNode where = n.get("where");
        if (where != null) {
            for (JsonNode c : where) {
                // A literal, not a parameter: the expression appears several times in one comparison.
                String prop = a + ".properties -> " + literal(c.get("property").asText());
                String op = c.get("op").asText();
                switch (op) {
                    case "exists" -> sql.append(" AND ").append(prop).append(" IS NOT NULL");
                    case "not_exists" -> sql.append(" AND ").append(prop).append(" IS NULL");
                    case "not_in" -> sql.append(" AND NOT coalesce(").append(compare("(" + prop + ")", "in", c.get("value"))).append(", FALSE)");
                    default -> sql.append(" AND coalesce(").append(compare("(" + prop + ")", op, c.get("value"))).append(", FALSE)");
                }
            }
        }
        return sql.toString();
    }

    /** A SQL string literal (standard_conforming_strings: only the quote needs doubling). */
    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private String event(JsonNode n) {
        JsonNode count = n.get("count");
        String kind = count == null ? "atLeast" : count.fieldNames().next();
        long k = count == null ? 1 : count.get(kind).asLong();
        if (kind.equals("atLeast") && k == 0) {
            return "TRUE"; // before any parameter is added: the condition has none
        }
        StringBuilder where = new StringBuilder("e.profile_id = p.id AND ").append(matches("e", n));
        JsonNode within = n.get("within");
        if (within != null) {
            params.add(RuleValidator.duration(within.asText()).getSeconds());
            where.append(" AND e.timestamp >= now() - make_interval(secs => ?)");
        }
        for (String rel : List.of("followedBy", "notFollowedBy")) {
            JsonNode r = n.get(rel);
            if (r == null) {
                continue;
            }
            long w = RuleValidator.duration(r.get("within").asText()).getSeconds();
            String followed = "EXISTS (SELECT 1 FROM events f WHERE f.profile_id = e.profile_id AND " + matches("f", r)
                    + " AND f.timestamp > e.timestamp AND f.timestamp <= e.timestamp + make_interval(secs => ?))";
            params.add(w);
            if (rel.equals("followedBy")) {
                where.append(" AND ").append(followed);
            } else {
                // the window must have closed with no follow-up: the person enters when it passes
                params.add(w);
                where.append(" AND NOT ").append(followed).append(" AND e.timestamp + make_interval(secs => ?) <= now()");
            }
        }
        if (kind.equals("atLeast") && k == 1) {
            return "EXISTS (SELECT 1 FROM events e WHERE " + where + ")";
        }
        if (kind.equals("atMost") && k == 0) {
            return "(NOT EXISTS (SELECT 1 FROM events e WHERE " + where + "))";
        }
        params.add(k);
        String sqlOp = switch (kind) {
            case "atLeast" -> ">=";
            case "atMost" -> "<=";
            default -> "=";
        };
        return "((SELECT count(*) FROM events e WHERE " + where + ") " + sqlOp + " ?)";
    }
}
