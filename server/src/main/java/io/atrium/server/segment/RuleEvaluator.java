package io.atrium.server.segment;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Evaluates a (validated) rule against one person's facts in memory, with exactly the semantics
 * of the SQL that {@link SegmentSql} compiles: the reference for the correctness test, and the
 * evaluator for the real-time path that re-checks one profile at a time.
 */
public final class RuleEvaluator {

    /** What is known about one person. */
    public record Facts(Map<String, JsonNode> traits, Set<String> identityTypes, Map<String, Boolean> consents,
                        List<EventFact> events) {
        /** Consent key: {@code channel + "/" + purpose}. */
        public static String consentKey(String channel, String purpose) {
            return channel + "/" + purpose;
        }
    }

    public record EventFact(String type, String event, Instant timestamp, JsonNode properties) {
    }

    private final Instant now;
    private final Function<JsonNode, JsonNode> segmentRules;
    private final ZoneId zone;

    public RuleEvaluator(Instant now, Function<JsonNode, JsonNode> segmentRules) {
        this(now, segmentRules, ZoneOffset.UTC);
    }

    /**
     * @param zone the time zone of the database session the SQL runs in (pgjdbc uses the JVM's):
     *             a date without an offset, and the day of the year of {@code anniversary_within}, are read in it
     */
    public RuleEvaluator(Instant now, Function<JsonNode, JsonNode> segmentRules, ZoneId zone) {
        this.now = now;
        this.segmentRules = segmentRules;
        this.zone = zone;
    }

    public boolean test(JsonNode n, Facts f) {
        if (n.has("all")) {
            for (JsonNode item : n.get("all")) {
                if (!test(item, f)) {
                    return false;
                }
            }
            return true;
        }
        if (n.has("any")) {
            for (JsonNode item : n.get("any")) {
                if (test(item, f)) {
                    return true;
                }
            }
            return false;
        }
        if (n.has("not")) {
            return !test(n.get("not"), f);
        }
        if (n.has("trait")) {
            JsonNode v = f.traits().get(n.get("trait").asText());
            String op = n.get("op").asText();
            return switch (op) {
                case "exists" -> v != null;
                case "not_exists" -> v == null;
                case "not_in" -> v == null || !compare(v, "in", n.get("value"));
                case "within_last", "within_next", "anniversary_within" -> v != null && date(v, op, n.get("value"));
                default -> v != null && compare(v, op, n.get("value"));
            };
        }
        if (n.has("identity")) {
            boolean has = f.identityTypes().contains(n.get("identity").asText());
            return "not_exists".equals(n.path("op").asText("exists")) != has;
        }
        if (n.has("consent")) {
            JsonNode c = n.get("consent");
            Boolean granted = f.consents().get(Facts.consentKey(c.get("channel").asText(), c.get("purpose").asText()));
            return granted != null && granted == c.path("granted").asBoolean(true);
        }
        if (n.has("segment")) {
            JsonNode rule = segmentRules.apply(n.get("segment"));
            return rule != null && test(rule, f);
        }
        return event(n, f);
    }

    private boolean event(JsonNode n, Facts f) {
        JsonNode within = n.get("within");
        Instant from = within == null ? null : now.minus(RuleValidator.duration(within.asText()));
        long count = 0;
        for (EventFact e : f.events()) {
            if (!matches(e, n) || from != null && e.timestamp().isBefore(from)) {
                continue;
            }
            JsonNode followed = n.get("followedBy");
            if (followed != null && !followedWithin(e, followed, f)) {
                continue;
            }
            JsonNode notFollowed = n.get("notFollowedBy");
            if (notFollowed != null) {
                Duration w = RuleValidator.duration(notFollowed.get("within").asText());
                if (followedWithin(e, notFollowed, f) || e.timestamp().plus(w).isAfter(now)) {
                    continue;
                }
            }
            count++;
        }
        JsonNode c = n.get("count");
        String kind = c == null ? "atLeast" : c.fieldNames().next();
        long k = c == null ? 1 : c.get(kind).asLong();
        return switch (kind) {
            case "atLeast" -> count >= k;
            case "atMost" -> count <= k;
            default -> count == k;
        };
    }

    private boolean followedWithin(EventFact e, JsonNode rel, Facts f) {
        Instant until = e.timestamp().plus(RuleValidator.duration(rel.get("within").asText()));
        for (EventFact g : f.events()) {
            if (matches(g, rel) && g.timestamp().isAfter(e.timestamp()) && !g.timestamp().isAfter(until)) {
                return true;
            }
        }
        return false;
    }

    private boolean matches(EventFact e, JsonNode n) {
        String name = n.get("event").asText();
        if (!(name.equals(e.event()) || e.event() == null && name.equals(e.type()))) {
            return false;
        }
        JsonNode where = n.get("where");
        if (where != null) {
            for (JsonNode c : where) {
                JsonNode v = e.properties() == null ? null : e.properties().get(c.get("property").asText());
                String op = c.get("op").asText();
                boolean ok = switch (op) {
                    case "exists" -> v != null;
                    case "not_exists" -> v == null;
                    case "not_in" -> v == null || !compare(v, "in", c.get("value"));
                    default -> v != null && compare(v, op, c.get("value"));
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    private static final Pattern DATE_PREFIX = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}");

    /** The date operators of {@link SegmentSql#compare}: the value read as PostgreSQL's {@code ::timestamptz} reads ISO-8601. */
    private boolean date(JsonNode v, String op, JsonNode value) {
        if (!v.isTextual() || !DATE_PREFIX.matcher(v.asText()).find()) {
            return false;
        }
        Instant d = instant(v.asText());
        long secs = RuleValidator.duration(value.asText()).getSeconds();
        return switch (op) {
            case "within_last" -> !d.isBefore(now.minusSeconds(secs)) && !d.isAfter(now);
            case "within_next" -> !d.isBefore(now) && !d.isAfter(now.plusSeconds(secs));
            default -> Math.floorMod(d.atZone(zone).getDayOfYear() - now.atZone(zone).getDayOfYear() + 366, 366) * 86400L <= secs;
        };
    }

    private Instant instant(String text) {
        String t = text.strip().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // no offset
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            // no time
        }
        try {
            return LocalDate.parse(t).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 date this evaluator reads", e);
        }
    }

    /** The comparisons of {@link SegmentSql#compare}, on a present value. */
    static boolean compare(JsonNode v, String op, JsonNode value) {
        switch (op) {
            case "eq":
                return jsonEquals(v, value);
            case "ne":
                return !jsonEquals(v, value);
            case "in":
                for (JsonNode x : value) {
                    if (jsonEquals(v, x)) {
                        return true;
                    }
                }
                return false;
            case "contains":
                return v.isTextual() && v.asText().toLowerCase(Locale.ROOT).contains(value.asText().toLowerCase(Locale.ROOT));
            case "gt", "gte", "lt", "lte": {
                Integer c = order(v, value);
                if (c == null) {
                    return false;
                }
                return switch (op) {
                    case "gt" -> c > 0;
                    case "gte" -> c >= 0;
                    case "lt" -> c < 0;
                    default -> c <= 0;
                };
            }
            case "between": {
                Integer low = order(v, value.get(0));
                Integer high = order(v, value.get(1));
                return low != null && high != null && low >= 0 && high <= 0;
            }
            default:
                throw new IllegalArgumentException("operator " + op + " is not evaluated in memory");
        }
    }

    private static Integer order(JsonNode v, JsonNode value) {
        if (value.isNumber()) {
            return v.isNumber() ? v.decimalValue().compareTo(value.decimalValue()) : null;
        }
        return v.isTextual() ? Integer.signum(v.asText().compareTo(value.asText())) : null;
    }

    private static boolean jsonEquals(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            BigDecimal x = a.decimalValue();
            return x.compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}
