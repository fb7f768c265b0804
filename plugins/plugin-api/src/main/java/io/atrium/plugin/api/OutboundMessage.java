package io.atrium.plugin.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A rendered message to one person on one channel, as the hub hands it to the channel's
 * {@link MessageSender}. The hub has already checked consent and rendered the template.
 *
 * @param id             unique per message; use it as the provider's idempotency key where the API has one,
 *                       and send it along where the provider echoes custom data back in its callbacks
 * @param channel        email, sms, viber, ...
 * @param profileId      the recipient's profile
 * @param to             the address on that channel (e-mail address, E.164 phone number, Viber user id)
 * @param purpose        {@code marketing} or {@code transactional}
 * @param subject        subject line, where the channel has one (else null)
 * @param text           the rendered plain-text body
 * @param html           the rendered HTML body (e-mail), with the hub's open pixel and tracked links; may be null
 * @param unsubscribeUrl the hub's one-click unsubscribe URL for this message (List-Unsubscribe), may be null
 * @param attributes     extras: {@code campaignId}, {@code stepId}, {@code templateId}, and channel-specific
 *                       options a template or route set (sender name, Viber keyboard, ...)
 */
public record OutboundMessage(String id, String channel, String profileId, String to, String purpose,
                              String subject, String text, String html, String unsubscribeUrl,
                              Map<String, Object> attributes) {

    public static final String MARKETING = "marketing";
    public static final String TRANSACTIONAL = "transactional";

    public OutboundMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(to, "to");
        purpose = purpose == null ? MARKETING : purpose;
        text = text == null ? "" : text;
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A string attribute, or null. */
    public String attribute(String key) {
        Object v = attributes.get(key);
        return v == null ? null : v.toString();
    }
}
