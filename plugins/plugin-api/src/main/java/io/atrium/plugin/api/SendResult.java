package io.atrium.plugin.api;

/**
 * What the provider answered when it accepted a message.
 *
 * @param providerMessageId the provider's id of the message (SMTP Message-ID, SMPP message_id,
 *                          Viber message_token), or null if it gives none; status reports may
 *                          refer to a message by it
 */
public record SendResult(String providerMessageId) {

    public static SendResult accepted(String providerMessageId) {
        return new SendResult(providerMessageId);
    }
}
