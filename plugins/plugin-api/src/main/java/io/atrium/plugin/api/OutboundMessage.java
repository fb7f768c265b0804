package io.atrium.plugin.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A rendered message to one person on one channel.
 *
 * @param id         unique per message; use it as the provider's idempotency key where the API has one
 * @param channel    email, sms, viber, ...
 * @param profileId  the recipient's profile
 * @param to         the address on that channel (e-mail address, E.164 phone number, Viber user id)
 * @param subject    subject line, where the channel has one
 * @param body       the rendered text body
 * @param attributes channel-specific extras (html body, sender, template id, campaign, step, purpose ...)
 */
public record OutboundMessage(String id, String channel, String profileId, String to, String subject,
                              String body, Map<String, Object> attributes) {

    public OutboundMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(channel, "channel");
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
}
