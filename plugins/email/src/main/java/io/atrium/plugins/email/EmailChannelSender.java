package io.atrium.plugins.email;

import io.atrium.plugin.api.MessageSender;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;

/**
 * The sender of the {@code email} channel: one hub message, one SMTP transaction. The result is
 * the message's {@code Message-ID} ({@code <id@atrium>}), which bounces refer to.
 */
final class EmailChannelSender implements MessageSender {

    private final EmailMessages messages;
    private final SmtpClient smtp;

    EmailChannelSender(EmailMessages messages, SmtpClient smtp) {
        this.messages = messages;
        this.smtp = smtp;
    }

    @Override
    public SendResult send(OutboundMessage message) throws SendException {
        return SendResult.accepted(smtp.send(messages.forOutbound(message)));
    }
}
