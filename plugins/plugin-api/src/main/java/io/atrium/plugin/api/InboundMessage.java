package io.atrium.plugin.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A message a person sent to the company on a channel (an SMS reply, a Viber message).
 * The hub records it as a {@code message_received} event on the sender's profile, and a reply that
 * is an opt-out keyword ("STOP", ...) withdraws the person's consent for the channel.
 *
 * @param from       the sender's address on the channel (E.164 phone number, Viber user id)
 * @param to         the company's address it was sent to (short code, sender id), may be null
 * @param text       the text
 * @param at         when the provider received it; null means now
 * @param providerMessageId the provider's id of it, used to record it once; may be null
 * @param attributes extras (the sender's name, media URL, ...)
 */
public record InboundMessage(String from, String to, String text, Instant at, String providerMessageId,
                             Map<String, Object> attributes) {

    public InboundMessage {
        Objects.requireNonNull(from, "from");
        text = text == null ? "" : text;
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    public static InboundMessage of(String from, String text) {
        return new InboundMessage(from, null, text, null, null, null);
    }
}
