package io.atrium.plugins.email;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.eclipse.angus.mail.smtp.SMTPOutputStream;

/**
 * Builds the MIME messages the plugin sends: From with its display name, To, Subject, the text
 * and (when there is one) the HTML part as {@code multipart/alternative}, a deterministic
 * {@code Message-ID: <id@atrium>}, {@code X-Atrium-Message-Id}, and RFC 8058 one-click
 * {@code List-Unsubscribe} headers.
 */
final class EmailMessages {

    static final String ATRIUM_MESSAGE_ID = "X-Atrium-Message-Id";
    static final String LIST_UNSUBSCRIBE = "List-Unsubscribe";
    static final String LIST_UNSUBSCRIBE_POST = "List-Unsubscribe-Post";
    /** SendGrid's SMTP API header: its {@code unique_args} come back in every event of the message. */
    static final String SENDGRID_SMTPAPI = "X-SMTPAPI";
    /** The custom argument (and event field) that carries the hub's message id through a provider. */
    static final String CUSTOM_ARG = "atrium_message_id";
    /** An {@link OutboundMessage#attributes()} key a template or route may set to override {@code from-name}. */
    static final String FROM_NAME_ATTRIBUTE = "fromName";

    private static final String UTF_8 = StandardCharsets.UTF_8.name();
    /** The characters RFC 5322 allows in the left part of a msg-id (dot-atom-text). */
    private static final Pattern NOT_ATEXT = Pattern.compile("[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]");

    private final Session session = Session.getInstance(new Properties());
    private final String from;
    private final String fromName;
    private final String replyTo;
    private final boolean providerCustomArgs;

    EmailMessages(EmailSettings settings) {
        this(settings.from(), settings.fromName(), settings.replyTo(),
                settings.bounceMode() == EmailSettings.BounceMode.WEBHOOK);
    }

    EmailMessages(String from, String fromName, String replyTo, boolean providerCustomArgs) {
        this.from = from;
        this.fromName = fromName;
        this.replyTo = replyTo;
        this.providerCustomArgs = providerCustomArgs;
    }

    /** The Message-ID the plugin gives the hub's message {@code id}: {@code <id@atrium>}. */
    static String messageId(String id) {
        String left = NOT_ATEXT.matcher(id).replaceAll("_").replaceAll("^\\.+|\\.+$", "").replaceAll("\\.{2,}", ".");
        return "<" + (left.isEmpty() ? "_" : left) + "@atrium>";
    }

    /**
     * The message the channel sends for {@code m}.
     *
     * @throws SendException permanent {@code invalid_address} if {@link OutboundMessage#to()} is not one e-mail address
     */
    MimeMessage forOutbound(OutboundMessage m) throws SendException {
        InternetAddress[] to = recipients(m.to(), false);
        String name = m.attribute(FROM_NAME_ATTRIBUTE) != null ? m.attribute(FROM_NAME_ATTRIBUTE) : fromName;
        try {
            MimeMessage mime = base(messageId(m.id()), to, name, m.subject(), m.text(), m.html());
            mime.setHeader(ATRIUM_MESSAGE_ID, oneLine(m.id()));
            if (m.unsubscribeUrl() != null && !m.unsubscribeUrl().isBlank()) {
                mime.setHeader(LIST_UNSUBSCRIBE, "<" + oneLine(m.unsubscribeUrl()).trim() + ">");
                mime.setHeader(LIST_UNSUBSCRIBE_POST, "List-Unsubscribe=One-Click");
            }
            if (providerCustomArgs) {
                mime.setHeader(SENDGRID_SMTPAPI, "{\"unique_args\":{\"" + CUSTOM_ARG + "\":\"" + json(m.id()) + "\"}}");
            }
            return mime;
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new SendException(FailureReason.UNKNOWN, "could not build the e-mail: " + e.getMessage(), true, e);
        }
    }

    /**
     * A message for the {@code email:} Camel component: not a hub message, so it gets a random
     * Message-ID and no {@code X-Atrium-Message-Id}.
     *
     * @param to one address or a comma-separated list
     */
    MimeMessage forRoute(String to, String subject, String text, String html) throws SendException {
        InternetAddress[] recipients = recipients(to, true);
        try {
            return base(messageId("route-" + UUID.randomUUID()), recipients, fromName, subject, text, html);
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new SendException(FailureReason.UNKNOWN, "could not build the e-mail: " + e.getMessage(), true, e);
        }
    }

    private MimeMessage base(String messageId, InternetAddress[] to, String name, String subject, String text, String html)
            throws MessagingException, UnsupportedEncodingException {
        MimeMessage mime = new FixedIdMimeMessage(session, messageId);
        mime.setFrom(name == null || name.isBlank() ? new InternetAddress(from) : new InternetAddress(from, oneLine(name), UTF_8));
        mime.setRecipients(Message.RecipientType.TO, to);
        if (replyTo != null) {
            mime.setReplyTo(new InternetAddress[] {new InternetAddress(replyTo)});
        }
        mime.setSubject(subject == null ? "" : oneLine(subject), UTF_8);
        mime.setSentDate(new Date());
        String body = text == null ? "" : text;
        if (html == null) {
            mime.setText(body, UTF_8);
        } else {
            MimeBodyPart textPart = new MimeBodyPart();
            textPart.setText(body, UTF_8);
            MimeBodyPart htmlPart = new MimeBodyPart();
            htmlPart.setText(html, UTF_8, "html");
            // RFC 2046: the parts go from the plainest to the richest; clients show the last one they can.
            MimeMultipart alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(textPart);
            alternative.addBodyPart(htmlPart);
            mime.setContent(alternative);
        }
        mime.saveChanges();
        return mime;
    }

    private static InternetAddress[] recipients(String to, boolean list) throws SendException {
        if (to == null || to.isBlank()) {
            throw new SendException(FailureReason.INVALID_ADDRESS, "no recipient address", true);
        }
        try {
            InternetAddress[] parsed = InternetAddress.parse(to.trim(), true);
            if (parsed.length == 0 || (!list && parsed.length != 1)) {
                throw new SendException(FailureReason.INVALID_ADDRESS,
                        "'" + oneLine(to) + "' is not one e-mail address", true);
            }
            for (InternetAddress a : parsed) {
                a.validate();
                if (a.getAddress().indexOf('@') < 0) {
                    throw new SendException(FailureReason.INVALID_ADDRESS,
                            "'" + oneLine(a.getAddress()) + "' is not an e-mail address: it has no domain", true);
                }
            }
            return parsed;
        } catch (AddressException e) {
            throw new SendException(FailureReason.INVALID_ADDRESS,
                    "'" + oneLine(to) + "' is not an e-mail address: " + e.getMessage(), true, e);
        }
    }

    /** Header values are one line: a CR or LF in a subject or name must not start a new header. */
    static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+", " ");
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Whether the whole of {@code message} went into an SMTP DATA stream: from then on, a failure
     * without a reply from the server leaves open whether the server took the message.
     */
    static boolean handedOver(MimeMessage message) {
        return message instanceof FixedIdMimeMessage m && m.handedOver;
    }

    /**
     * Keeps the Message-ID it was given (JavaMail would replace it with a random one on
     * saveChanges()), and notes when it has been written to the SMTP server in full.
     */
    private static final class FixedIdMimeMessage extends MimeMessage {
        private final String messageId;
        private volatile boolean handedOver;

        FixedIdMimeMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }

        @Override
        public void writeTo(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
            super.writeTo(os, ignoreList);
            if (os instanceof SMTPOutputStream) {
                handedOver = true;
            }
        }
    }
}
