package io.atrium.server.profile;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.atrium.plugin.api.Event;
import io.atrium.server.support.FastInstant;

/**
 * Reads a message of the events queue (the JSON array {@link io.atrium.server.intake.EventIntake}
 * writes) for the profile stage. An event's {@code traits}, {@code properties}, {@code context} and
 * {@code identities} are kept as the JSON text they were written as, which is what the events table
 * stores, and become maps only where the stage looks inside them: the traits of an {@code identify},
 * the properties of a consent change, the identities. Most of an event's bytes (its context) are thus
 * scanned once and copied, never built into maps and written again.
 */
final class QueuedEvents {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() { };
    static final String EMPTY = "{}";

    /** An event with the JSON text of its four objects ({@value #EMPTY} when absent). */
    record Queued(Event event, String traits, String properties, String context, String identities) {
    }

    private final JsonFactory factory;
    private final ObjectReader maps;
    private final ObjectReader strings;

    QueuedEvents(ObjectMapper mapper) {
        this.factory = mapper.getFactory();
        this.maps = mapper.readerFor(MAP);
        this.strings = mapper.readerFor(STRINGS);
    }

    /**
     * The events of one message body (UTF-8 JSON).
     *
     * @throws IOException when the body is not a JSON array of event objects with a {@code type}
     */
    List<Queued> read(byte[] body) throws IOException {
        List<Queued> out = new ArrayList<>();
        try (JsonParser p = factory.createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new JsonParseException(p, "not a JSON array of events");
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) {
                    throw new JsonParseException(p, "an element of the array is not an event object but " + t);
                }
                out.add(event(p, body));
            }
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "trailing content after the array of events");
            }
        }
        return out;
    }

    private Queued event(JsonParser p, byte[] body) throws IOException {
        int from = (int) p.currentTokenLocation().getByteOffset();
        String type = null;
        String event = null;
        String name = null;
        String userId = null;
        String anonymousId = null;
        String groupId = null;
        String previousId = null;
        String messageId = null;
        Instant timestamp = null;
        Instant originalTimestamp = null;
        Instant sentAt = null;
        Instant receivedAt = null;
        String source = null;
        String traits = EMPTY;
        String properties = EMPTY;
        String context = EMPTY;
        String identities = EMPTY;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "type" -> type = text(p, v);
                case "event" -> event = text(p, v);
                case "name" -> name = text(p, v);
                case "userId" -> userId = text(p, v);
                case "anonymousId" -> anonymousId = text(p, v);
                case "groupId" -> groupId = text(p, v);
                case "previousId" -> previousId = text(p, v);
                case "messageId" -> messageId = text(p, v);
                case "timestamp" -> timestamp = instant(p, v);
                case "originalTimestamp" -> originalTimestamp = instant(p, v);
                case "sentAt" -> sentAt = instant(p, v);
                case "receivedAt" -> receivedAt = instant(p, v);
                case "source" -> source = text(p, v);
                case "traits" -> traits = raw(p, v, body, field);
                case "properties" -> properties = raw(p, v, body, field);
                case "context" -> context = raw(p, v, body, field);
                case "identities" -> identities = raw(p, v, body, field);
                default -> p.skipChildren();
            }
        }
        int to = (int) p.currentLocation().getByteOffset();
        if (type == null) {
            throw new JsonParseException(p, "an event has no type");
        }
        if (messageId == null || messageId.isBlank()) {
            // The same message replayed gives the same id: it is derived from the event's bytes as queued.
            messageId = "derived-" + UUID.nameUUIDFromBytes(java.util.Arrays.copyOfRange(body, from, to));
        }
        boolean identify = "identify".equals(type);
        boolean consent = "track".equals(type) && ProfileStore.CONSENT_EVENT.equals(event);
        Map<String, Object> traitMap = identify && !EMPTY.equals(traits) ? maps.readValue(traits) : Map.of();
        Map<String, Object> propertyMap = consent && !EMPTY.equals(properties) ? maps.readValue(properties) : Map.of();
        Map<String, String> identityMap = EMPTY.equals(identities) ? Map.of() : stringsOf(identities);
        Event e = new Event(type, event, name, userId, anonymousId, groupId, previousId, messageId, timestamp, originalTimestamp,
                sentAt, receivedAt, source, traitMap, propertyMap, Map.of(), identityMap);
        return new Queued(e, traits, properties, context, identities);
    }

    private Map<String, String> stringsOf(String json) throws IOException {
        Map<String, Object> any = maps.readValue(json);
        Map<String, String> out = new LinkedHashMap<>();
        any.forEach((k, v) -> {
            if (v instanceof String s) {
                out.put(k, s);
            }
        });
        return out;
    }

    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
            throw new JsonParseException(p, "field " + p.currentName() + " must be a string");
        }
        return p.getValueAsString();
    }

    private static Instant instant(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v == JsonToken.VALUE_STRING) {
            String s = p.getText();
            Instant fast = FastInstant.parseCanonical(s);
            return fast != null ? fast : Instant.parse(s);
        }
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            BigDecimal seconds = p.getDecimalValue();
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).intValue());
        }
        throw new JsonParseException(p, "field " + p.currentName() + " must be a date-time");
    }

    /** The JSON text of an object value as it lies in the body; {@value #EMPTY} for null. */
    private static String raw(JsonParser p, JsonToken v, byte[] body, String field) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return EMPTY;
        }
        if (v != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "field " + field + " must be a JSON object");
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        return new String(body, start, end - start, StandardCharsets.UTF_8);
    }
}
