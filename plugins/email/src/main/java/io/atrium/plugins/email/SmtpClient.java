package io.atrium.plugins.email;

import io.atrium.plugin.api.SendException;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Hands finished MIME messages to the SMTP server through a camel-mail endpoint (one connection
 * per message, as camel-mail does), and maps failures with {@link SmtpFailures}.
 */
final class SmtpClient implements AutoCloseable {

    private final MailEndpoints.Opened smtp;
    private final ProducerTemplate template;

    SmtpClient(CamelContext camel, EmailSettings settings) throws Exception {
        this.smtp = MailEndpoints.smtp(camel, settings);
        try {
            this.template = camel.createProducerTemplate();
        } catch (RuntimeException e) {
            smtp.close();
            throw e;
        }
    }

    /**
     * Sends {@code message} to its recipients.
     *
     * @return the Message-ID the server accepted it with
     */
    String send(MimeMessage message) throws SendException {
        Exchange done;
        try {
            done = template.send(smtp.endpoint(), e -> e.getIn().setBody(message));
        } catch (RuntimeException e) {
            throw SmtpFailures.classify(e, EmailMessages.handedOver(message));
        }
        if (done.getException() != null) {
            throw SmtpFailures.classify(done.getException(), EmailMessages.handedOver(message));
        }
        try {
            return message.getMessageID();
        } catch (MessagingException e) {
            throw SmtpFailures.classify(e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            template.close();
        } finally {
            smtp.close();
        }
    }
}
