package io.atrium.plugins.email;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;

import jakarta.mail.internet.MimeMessage;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/** Sends the exchange body as the text of a mail; see {@link EmailComponent}. */
final class EmailProducer extends DefaultProducer {

    EmailProducer(EmailEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public EmailEndpoint getEndpoint() {
        return (EmailEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getIn();
        EmailEndpoint endpoint = getEndpoint();
        String to = in.getHeader(EmailConstants.TO, endpoint.getTo(), String.class);
        if (to == null || to.isBlank()) {
            throw new SendException(FailureReason.NO_ADDRESS, "email:send needs a recipient: the 'to' option or header", true);
        }
        String subject = in.getHeader(EmailConstants.SUBJECT, endpoint.getSubject(), String.class);
        String html = in.getHeader(EmailConstants.HTML, String.class);
        String text = in.getBody(String.class);
        MimeMessage mail = endpoint.getComponent().messages().forRoute(to, subject, text, html);
        String messageId = endpoint.getComponent().smtp().send(mail);
        exchange.getMessage().setHeader(EmailConstants.MESSAGE_ID, messageId);
    }
}
