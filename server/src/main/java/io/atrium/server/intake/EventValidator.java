package io.atrium.server.intake;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.support.JsonTrees;

import org.springframework.stereotype.Component;

/**
 * Reads one event in the Segment Tracking API's JSON shape into an {@link Event}, collecting every
 * problem with the path of the offending field (e.g. {@code batch[3].traits}) instead of stopping
 * at the first. Used by the collector; any other intake that receives Segment-shaped JSON can use
 * it the same way.
 *
 * <p>What it fills in: {@code messageId} (the sender's, or a random UUID when absent, so every
 * event can be deduplicated downstream), {@code receivedAt} and {@code source} from the
 * {@link Envelope}, and {@code timestamp} corrected for the sender's clock skew:
 * when {@code sentAt} is known, {@code timestamp = receivedAt - (sentAt - timestamp)} and the
 * sender's value is kept as {@code originalTimestamp}; without a timestamp it is {@code receivedAt}.
 */
@Component
public class EventValidator {

    /** The six event types of the Segment spec. */
    public static final Set<String> TYPES = Set.of("track", "identify", "page", "screen", "group", "alias");

    /** Longest string accepted for an id field (userId, anonymousId, messageId, ...). */
    public static final int MAX_ID_LENGTH = 512;

    private static final DateTimeFormatter ISO = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private final ObjectMapper mapper;

    public EventValidator(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A problem with one field: {@code field} is its path in the request, e.g. {@code batch[3].traits}. */
    public record Problem(String field, String message) {
    }

    /**
     * What applies to every event of one request.
     *
     * @param receivedAt when the hub received the request
     * @param source     the id of the source the events come from
     * @param sentAt     the request's own {@code sentAt} (a batch envelope's), or null
     * @param context    the request's own {@code context} (a batch envelope's), merged under each event's, or null
     */
    public record Envelope(Instant receivedAt, String source, Instant sentAt, JsonNode context) {
    }

    /**
     * Reads the event {@code node} found at {@code path} ("" for a whole body, or e.g. {@code batch[3]}).
     *
     * @param impliedType the type given by the endpoint (track for /v1/track), or null to read {@code type}
     * @return the event, or null when problems were added
     */
    public Event read(JsonNode node, String path, String impliedType, Envelope envelope, List<Problem> problems) {
        return read(node, path, impliedType, envelope, problems, false);
    }

    /**
     * As {@link #read(JsonNode, String, String, Envelope, List)}; with {@code identitiesIdentify} an
     * event that has neither userId nor anonymousId is accepted when its {@code identities} name the
     * person (an ERP or CRM event keyed by email or crm_id: what routes and plugins send). The
     * collector keeps Segment's rule and passes false.
     */
    public Event read(JsonNode node, String path, String impliedType, Envelope envelope, List<Problem> problems,
                      boolean identitiesIdentify) {
        int before = problems.size();
        if (node == null || !node.isObject()) {
            problems.add(new Problem(path.isEmpty() ? "(body)" : path, "must be a JSON object, not " + kind(node)));
            return null;
        }
        nulCharacters(node, path, problems);
        String type = impliedType;
        if (type == null) {
            JsonNode t = node.get("type");
            if (t == null || t.isNull()) {
                problems.add(new Problem(field(path, "type"), "is required: one of " + typeList()));
            } else if (!t.isTextual() || !TYPES.contains(t.asText().toLowerCase(Locale.ROOT))) {
                problems.add(new Problem(field(path, "type"), "must be one of " + typeList() + ", not " + t));
            } else {
                type = t.asText().toLowerCase(Locale.ROOT);
            }
        }
        String userId = id(node, path, "userId", problems);
        String anonymousId = id(node, path, "anonymousId", problems);
        String messageId = id(node, path, "messageId", problems);
        String groupId = id(node, path, "groupId", problems);
        String previousId = id(node, path, "previousId", problems);
        String event = text(node, path, "event", problems);
        String name = text(node, path, "name", problems);
        String category = text(node, path, "category", problems);
        String channel = text(node, path, "channel", problems);
        Map<String, Object> traits = object(node, path, "traits", problems);
        Map<String, Object> properties = object(node, path, "properties", problems);
        Map<String, Object> identities = object(node, path, "identities", problems);
        JsonNode contextNode = node.get("context");
        if (contextNode != null && !contextNode.isNull() && !contextNode.isObject()) {
            problems.add(new Problem(field(path, "context"), "must be a JSON object, not " + kind(contextNode)));
        }
        Instant timestamp = instant(node, path, "timestamp", problems);
        Instant originalTimestamp = instant(node, path, "originalTimestamp", problems);
        Instant sentAt = instant(node, path, "sentAt", problems);

        Map<String, String> identityValues = new LinkedHashMap<>();
        if (identities != null) {
            for (Map.Entry<String, Object> e : identities.entrySet()) {
                if (e.getValue() instanceof String s) {
                    identityValues.put(e.getKey(), s);
                } else {
                    problems.add(new Problem(field(path, "identities." + e.getKey()), "must be a string"));
                }
            }
        }
        boolean identified = userId != null || anonymousId != null || (identitiesIdentify && !identityValues.isEmpty());
        if (!identified && !hasProblemAt(problems, before, path, "userId", "anonymousId", "identities")) {
            problems.add(new Problem(field(path, "userId"), identitiesIdentify
                    ? "userId, anonymousId or an entry of identities is required (all are missing or empty)"
                    : "userId or anonymousId is required (both are missing or empty)"));
        }
        if ("track".equals(type) && event == null && !hasProblemAt(problems, before, path, "event")) {
            problems.add(new Problem(field(path, "event"), "is required for a track event: its name, e.g. \"Order Completed\""));
        }
        if ("group".equals(type) && groupId == null && !hasProblemAt(problems, before, path, "groupId")) {
            problems.add(new Problem(field(path, "groupId"), "is required for a group event"));
        }
        if ("alias".equals(type) && previousId == null && !hasProblemAt(problems, before, path, "previousId")) {
            problems.add(new Problem(field(path, "previousId"), "is required for an alias event"));
        }
        if (problems.size() > before) {
            return null;
        }

        // Clock skew: the sender's clock is off by (sentAt - receivedAt); move its timestamp by as much.
        Instant receivedAt = envelope.receivedAt();
        Instant sent = sentAt != null ? sentAt : envelope.sentAt();
        Instant senderTime = timestamp != null ? timestamp : originalTimestamp;
        Instant corrected;
        Instant original = originalTimestamp;
        if (senderTime == null) {
            corrected = receivedAt;
        } else if (sent != null) {
            corrected = receivedAt.minus(java.time.Duration.between(senderTime, sent));
            original = senderTime;
        } else {
            corrected = senderTime;
        }

        Map<String, Object> context = mergedContext(envelope.context(), contextNode);
        if (channel != null) {
            context.putIfAbsent("channel", channel);
        }
        if (category != null && ("page".equals(type) || "screen".equals(type))) {
            properties = properties == null ? new LinkedHashMap<>() : new LinkedHashMap<>(properties);
            properties.putIfAbsent("category", category);
        }
        return new Event(type, "track".equals(type) ? event : null, name, userId, anonymousId, groupId, previousId,
                messageId != null ? messageId : UUID.randomUUID().toString(), corrected, original, sent, receivedAt,
                envelope.source(), traits, properties, context, identityValues);
    }

    private Map<String, Object> mergedContext(JsonNode envelope, JsonNode own) {
        if ((envelope == null || !envelope.isObject()) && own != null && own.isObject()) {
            return JsonTrees.toMap(own); // nothing to merge under it: the same map, without the deep copies
        }
        ObjectNode merged = mapper.createObjectNode();
        if (envelope != null && envelope.isObject()) {
            merged.setAll((ObjectNode) envelope.deepCopy());
        }
        if (own != null && own.isObject()) {
            mergeInto(merged, (ObjectNode) own);
        }
        return JsonTrees.toMap(merged);
    }

    /** The event's own values win; nested objects merge key by key. */
    private static void mergeInto(ObjectNode target, ObjectNode source) {
        Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = target.get(f.getKey());
            if (existing instanceof ObjectNode e && f.getValue() instanceof ObjectNode v) {
                ObjectNode copy = e.deepCopy();
                mergeInto(copy, v);
                target.set(f.getKey(), copy);
            } else {
                target.set(f.getKey(), f.getValue().deepCopy());
            }
        }
    }

    private static boolean hasProblemAt(List<Problem> problems, int from, String path, String... names) {
        for (int i = from; i < problems.size(); i++) {
            for (String n : names) {
                if (problems.get(i).field().equals(field(path, n))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A string or number id; empty counts as absent. */
    private static String id(JsonNode node, String path, String name, List<Problem> problems) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual() || (v.isNumber() && v.isIntegralNumber())) {
            String s = v.asText();
            if (s.length() > MAX_ID_LENGTH) {
                problems.add(new Problem(field(path, name), "must be at most " + MAX_ID_LENGTH + " characters"));
                return null;
            }
            return s.isEmpty() ? null : s;
        }
        problems.add(new Problem(field(path, name), "must be a string, not " + kind(v)));
        return null;
    }

    private static String text(JsonNode node, String path, String name, List<Problem> problems) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(new Problem(field(path, name), "must be a string, not " + kind(v)));
            return null;
        }
        return v.asText().isEmpty() ? null : v.asText();
    }

    private Map<String, Object> object(JsonNode node, String path, String name, List<Problem> problems) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            problems.add(new Problem(field(path, name), "must be a JSON object, not " + kind(v)));
            return null;
        }
        return JsonTrees.toMap(v);
    }

    private static Instant instant(JsonNode node, String path, String name, List<Problem> problems) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            Instant parsed = parseInstant(v.asText());
            if (parsed != null) {
                return parsed;
            }
        }
        problems.add(new Problem(field(path, name), "must be an ISO-8601 date-time such as 2025-01-31T13:45:00.000Z, not " + v));
        return null;
    }

    /** ISO-8601 date-time with an offset ({@code Z}, {@code +02:00}, {@code +0200}); without one it is UTC. Null if it is not one. */
    /**
     * Reads what routes and plugins hand to the intake: each event gets a messageId when it has
     * none, receivedAt, and a timestamp; {@code source} is the event's own, else {@code defaultSource};
     * an event may name its person by {@code identities} alone. All or nothing: when any event has a
     * problem, every problem is reported in one {@link IllegalArgumentException} and none is returned.
     */
    public List<Event> readForIntake(List<JsonNode> nodes, String defaultSource) {
        Envelope envelope = new Envelope(Instant.now(), defaultSource, null, null);
        List<Problem> problems = new java.util.ArrayList<>();
        List<Event> out = new java.util.ArrayList<>(nodes.size());
        boolean many = nodes.size() > 1;
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode node = nodes.get(i);
            Event e = read(node, many ? "[" + i + "]" : "", null, envelope, problems, true);
            if (e != null) {
                JsonNode own = node.get("source");
                if (own != null && own.isTextual() && !own.asText().isEmpty()) {
                    e = new Event(e.type(), e.event(), e.name(), e.userId(), e.anonymousId(), e.groupId(), e.previousId(),
                            e.messageId(), e.timestamp(), e.originalTimestamp(), e.sentAt(), e.receivedAt(), own.asText(),
                            e.traits(), e.properties(), e.context(), e.identities());
                }
                out.add(e);
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder text = new StringBuilder("took none of the events: ");
            for (int i = 0; i < problems.size(); i++) {
                Problem p = problems.get(i);
                text.append(i == 0 ? "" : "; ").append(p.field()).append(": ").append(p.message());
            }
            throw new IllegalArgumentException(text.toString());
        }
        return out;
    }

    public static Instant parseInstant(String text) {
        Instant fast = io.atrium.server.support.FastInstant.parseCanonical(text);
        if (fast != null) {
            return fast;
        }
        try {
            TemporalAccessor t = ISO.parse(text.strip());
            LocalDateTime local = LocalDateTime.from(t);
            ZoneOffset offset = t.isSupported(java.time.temporal.ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(t) : ZoneOffset.UTC;
            return OffsetDateTime.of(local, offset).toInstant();
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /**
     * Adds a problem for every string and field name under {@code node} that holds the NUL character
     * (U+0000, {@code "\\u0000"} in JSON): valid JSON, but PostgreSQL's text and jsonb cannot store it,
     * so the event would be accepted and then fail in the profile stage. {@code path} is the node's own.
     */
    public static void nulCharacters(JsonNode node, String path, List<Problem> problems) {
        if (hasNul(node)) { // the paths are built only for the rare node that has one
            nulPaths(node, path, problems);
        }
    }

    private static boolean hasNul(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\0') >= 0;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> f : node.properties()) {
                if (f.getKey().indexOf('\0') >= 0 || hasNul(f.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (hasNul(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void nulPaths(JsonNode node, String path, List<Problem> problems) {
        if (node.isTextual()) {
            if (node.textValue().indexOf('\0') >= 0) {
                problems.add(new Problem(path.isEmpty() ? "(body)" : path, "must not contain the NUL character (U+0000): it cannot be stored"));
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> f : node.properties()) {
                String key = f.getKey();
                if (key.indexOf('\0') >= 0) {
                    problems.add(new Problem(field(path, key.replace("\0", "\\u0000")),
                            "a field name must not contain the NUL character (U+0000): it cannot be stored"));
                } else {
                    nulPaths(f.getValue(), field(path, key), problems);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nulPaths(node.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    /** {@code batch[3]} + {@code traits} = {@code batch[3].traits}; at the top level just {@code traits}. */
    public static String field(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String typeList() {
        return new ArrayList<>(List.of("track", "identify", "page", "screen", "group", "alias")).toString();
    }

    private static String kind(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        if (v.isNull()) {
            return "null";
        }
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number (" + v + ")";
            case BOOLEAN -> "a boolean (" + v + ")";
            default -> v.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
