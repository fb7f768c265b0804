package io.atrium.plugins.email;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.StatusUpdate;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mail.MailConstants;
import org.apache.camel.component.mail.MailMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the bounce mailbox (bounce-mode imap) for unseen mails and reports the DSNs among them
 * as status updates. A DSN that was recorded is moved to {@code imap-processed-folder} when one
 * is set, else it is marked seen. Any other mail (an auto-reply, a free-text bounce, a DSN that
 * does not name an Atrium message) is logged once and marked seen, nothing else. If the hub
 * cannot record a status, the mail stays unseen and is read again at the next poll.
 */
final class BounceMailboxRoute extends RouteBuilder {

    static final String ROUTE_ID = "email-bounces";
    private static final Logger LOG = LoggerFactory.getLogger(BounceMailboxRoute.class);
    /** A DSN returns at most the original message; anything larger is not read. */
    static final int MAX_SIZE = 25 * 1024 * 1024;

    private final Endpoint mailbox;
    private final ChannelFeedback feedback;
    private final String processedFolder;

    BounceMailboxRoute(Endpoint mailbox, ChannelFeedback feedback, String processedFolder) {
        this.mailbox = mailbox;
        this.feedback = feedback;
        this.processedFolder = processedFolder;
    }

    @Override
    public void configure() {
        from(mailbox).routeId(ROUTE_ID).process(this::process);
    }

    void process(Exchange exchange) {
        Message mail = exchange.getIn(MailMessage.class).getOriginalMessage();
        Optional<DeliveryReport> report;
        try {
            int size = mail.getSize();
            if (size > MAX_SIZE) {
                LOG.info("email: mail {} in the bounce mailbox has {} bytes, more than a DSN would; it is marked seen and left there",
                        describe(mail), size);
                return;
            }
            // Read the whole mail once and parse the copy: how servers answer a fetch of a single
            // part (message/rfc822 above all) differs, the raw text does not.
            report = DeliveryReport.parse(mail instanceof MimeMessage mime ? new MimeMessage(mime) : mail);
        } catch (MessagingException | IOException | RuntimeException e) {
            LOG.warn("email: could not read mail {} in the bounce mailbox ({}); it is marked seen and left there",
                    describe(mail), e.toString());
            return;
        }
        if (report.isEmpty()) {
            LOG.info("email: mail {} in the bounce mailbox is not a delivery status notification; it is marked seen and left there",
                    describe(mail));
            return;
        }
        if (!report.get().identifiesMessage()) {
            LOG.info("email: delivery status notification {} returns no X-Atrium-Message-Id or Message-ID; "
                    + "it is marked seen and left there", describe(mail));
            return;
        }
        List<StatusUpdate> updates = report.get().statusUpdates();
        for (StatusUpdate update : updates) {
            feedback.status(update);
        }
        if (updates.isEmpty()) {
            LOG.debug("email: delivery status notification {} for {} reports {}: nothing to record",
                    describe(mail), report.get().atriumMessageId() != null ? report.get().atriumMessageId() : report.get().messageId(),
                    report.get().recipients());
        }
        if (processedFolder != null) {
            exchange.getIn().setHeader(MailConstants.MAIL_MOVE_TO, processedFolder);
        }
    }

    private static String describe(Message mail) {
        try {
            String[] id = mail.getHeader("Message-ID");
            return (id == null || id.length == 0 ? "#" + mail.getMessageNumber() : id[0])
                    + " (subject '" + mail.getSubject() + "')";
        } catch (MessagingException | RuntimeException e) {
            return "#" + mail.getMessageNumber();
        }
    }
}
