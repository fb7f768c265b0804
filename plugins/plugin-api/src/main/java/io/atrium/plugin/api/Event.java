package io.atrium.plugin.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Something that happened to a person, in the shape of the Segment Tracking API spec.
 *
 * @param type        track, identify, page, screen, group or alias
 * @param event       the event name (track only), e.g. {@code order_completed}
 * @param name        the page or screen name (page, screen)
 * @param userId      the person's id in the source system, if known
 * @param anonymousId a device or browser id, if known
 * @param groupId     the account or company (group)
 * @param previousId  the earlier id of the person (alias)
 * @param messageId   unique per event; a second event with the same id is the same event
 * @param timestamp   when it happened, corrected for the sender's clock skew where the collector could
 * @param originalTimestamp the timestamp as the sender's clock gave it, when it was corrected
 * @param sentAt      when the sender sent it (its clock)
 * @param receivedAt  when the hub received it (the hub's clock)
 * @param source      the id of the source (write key owner, plugin or route) it came from
 * @param traits      person attributes (identify, group)
 * @param properties  event attributes (track, page, screen)
 * @param context     where it came from (ip, userAgent, library, page, ...)
 * @param identities  further typed identities of the person: {@code email}, {@code phone},
 *                    {@code crm_id}, {@code erp_id}, or a type the plugin declares
 */
public record Event(String type, String event, String name, String userId, String anonymousId, String groupId,
                    String previousId, String messageId, Instant timestamp, Instant originalTimestamp, Instant sentAt,
                    Instant receivedAt, String source, Map<String, Object> traits, Map<String, Object> properties,
                    Map<String, Object> context, Map<String, String> identities) {

    public Event {
        Objects.requireNonNull(type, "type");
        traits = copy(traits);
        properties = copy(properties);
        context = copy(context);
        identities = identities == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(identities));
    }

    private static Map<String, Object> copy(Map<String, Object> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    public static Builder track(String event) {
        return new Builder("track").event(event);
    }

    public static Builder identify() {
        return new Builder("identify");
    }

    public static Builder ofType(String type) {
        return new Builder(type);
    }

    /** Builds an {@link Event}; unset maps are empty. */
    public static final class Builder {
        private final String type;
        private String event;
        private String name;
        private String userId;
        private String anonymousId;
        private String groupId;
        private String previousId;
        private String messageId;
        private Instant timestamp;
        private Instant originalTimestamp;
        private Instant sentAt;
        private Instant receivedAt;
        private String source;
        private final Map<String, Object> traits = new LinkedHashMap<>();
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private final Map<String, Object> context = new LinkedHashMap<>();
        private final Map<String, String> identities = new LinkedHashMap<>();

        private Builder(String type) {
            this.type = type;
        }

        public Builder event(String event) { this.event = event; return this; }
        public Builder name(String name) { this.name = name; return this; }
        public Builder userId(String userId) { this.userId = userId; return this; }
        public Builder groupId(String groupId) { this.groupId = groupId; return this; }
        public Builder previousId(String previousId) { this.previousId = previousId; return this; }
        public Builder originalTimestamp(Instant originalTimestamp) { this.originalTimestamp = originalTimestamp; return this; }
        public Builder sentAt(Instant sentAt) { this.sentAt = sentAt; return this; }
        public Builder receivedAt(Instant receivedAt) { this.receivedAt = receivedAt; return this; }
        public Builder source(String source) { this.source = source; return this; }
        public Builder anonymousId(String anonymousId) { this.anonymousId = anonymousId; return this; }
        public Builder messageId(String messageId) { this.messageId = messageId; return this; }
        public Builder timestamp(Instant timestamp) { this.timestamp = timestamp; return this; }
        public Builder trait(String key, Object value) { traits.put(key, value); return this; }
        public Builder traits(Map<String, ?> values) { traits.putAll(values); return this; }
        public Builder property(String key, Object value) { properties.put(key, value); return this; }
        public Builder properties(Map<String, ?> values) { properties.putAll(values); return this; }
        public Builder context(String key, Object value) { context.put(key, value); return this; }
        public Builder identity(String type, String value) { identities.put(type, value); return this; }

        public Event build() {
            return new Event(type, event, name, userId, anonymousId, groupId, previousId, messageId, timestamp,
                    originalTimestamp, sentAt, receivedAt, source, traits, properties, context, identities);
        }
    }
}
