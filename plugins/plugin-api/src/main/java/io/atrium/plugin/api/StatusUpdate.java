package io.atrium.plugin.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A status change of one outbound message, as a channel plugin reports it.
 *
 * <p>The message is named either by the hub's id ({@link OutboundMessage#id()}, which the plugin
 * sent along where the provider echoes custom data) or by the provider's id that
 * {@link SendResult#providerMessageId()} returned; one of the two is required.
 *
 * @param messageId         the hub's message id, or null
 * @param providerMessageId the provider's message id, or null
 * @param status            the new status
 * @param reason            for FAILED and BOUNCED, a {@link FailureReason} word; else null
 * @param detail            the provider's own words (error code and text), for people; may be null
 * @param at                when it happened by the provider's clock; null means now
 * @param attributes        extras recorded with the status (the clicked URL, the provider's status code, ...)
 */
public record StatusUpdate(String messageId, String providerMessageId, MessageStatus status, String reason,
                           String detail, Instant at, Map<String, Object> attributes) {

    public StatusUpdate {
        Objects.requireNonNull(status, "status");
        if (messageId == null && providerMessageId == null) {
            throw new IllegalArgumentException("a status update names the message by messageId or providerMessageId");
        }
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A status of the message the hub knows as {@code messageId}. */
    public static StatusUpdate ofMessage(String messageId, MessageStatus status) {
        return new StatusUpdate(messageId, null, status, null, null, null, null);
    }

    /** A status of the message the provider knows as {@code providerMessageId}. */
    public static StatusUpdate ofProviderMessage(String providerMessageId, MessageStatus status) {
        return new StatusUpdate(null, providerMessageId, status, null, null, null, null);
    }

    public StatusUpdate reason(String reason, String detail) {
        return new StatusUpdate(messageId, providerMessageId, status, reason, detail, at, attributes);
    }

    public StatusUpdate at(Instant when) {
        return new StatusUpdate(messageId, providerMessageId, status, reason, detail, when, attributes);
    }

    public StatusUpdate attribute(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(attributes);
        copy.put(key, value);
        return new StatusUpdate(messageId, providerMessageId, status, reason, detail, at, copy);
    }
}
