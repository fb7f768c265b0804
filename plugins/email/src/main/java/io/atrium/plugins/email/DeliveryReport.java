package io.atrium.plugins.email;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;

/**
 * A delivery status notification (RFC 3464): a {@code multipart/report;
 * report-type=delivery-status} whose {@code message/delivery-status} part says, per recipient,
 * what happened ({@code Action}, {@code Status}, {@code Diagnostic-Code}), and whose last part
 * returns the original's headers ({@code text/rfc822-headers} or {@code message/rfc822}), where the
 * plugin finds {@code X-Atrium-Message-Id} and {@code Message-ID}.
 *
 * @param atriumMessageId the hub's message id from the returned {@code X-Atrium-Message-Id}, or null
 * @param messageId       the returned {@code Message-ID} (with its angle brackets), or null
 * @param recipients      one entry per recipient the report speaks of
 */
record DeliveryReport(String atriumMessageId, String messageId, List<Recipient> recipients) {

    /**
     * What the report says about one recipient.
     *
     * @param finalRecipient the address ({@code Final-Recipient} without its {@code rfc822;} type), or null
     * @param action         failed, delayed, delivered, relayed or expanded (lower case)
     * @param status         the enhanced status code, such as 5.1.1, or null
     * @param diagnosticCode the remote server's words ({@code Diagnostic-Code}), or null
     * @param at             the {@code Last-Attempt-Date} or the report's {@code Arrival-Date}, or null
     */
    record Recipient(String finalRecipient, String action, String status, String diagnosticCode, Instant at) {
    }

    /** Whether the report names the message, by the hub's id or its Message-ID. */
    boolean identifiesMessage() {
        return atriumMessageId != null || messageId != null;
    }

    /**
     * The status updates the report amounts to: {@code failed} is BOUNCED ({@code invalid_address}
     * for 5.1.x, {@code expired} when a 4.x.x made the server give up, else {@code rejected}),
     * {@code delivered} is DELIVERED; {@code delayed}, {@code relayed} and {@code expanded} report
     * nothing. Empty when the report does not name the message.
     */
    List<StatusUpdate> statusUpdates() {
        List<StatusUpdate> out = new ArrayList<>();
        if (!identifiesMessage()) {
            return out;
        }
        for (Recipient r : recipients) {
            StatusUpdate update;
            switch (r.action()) {
                case "failed" -> update = base(MessageStatus.BOUNCED).reason(bounceReason(r.status()), detail(r));
                case "delivered" -> update = base(MessageStatus.DELIVERED).reason(null, detail(r));
                default -> update = null;
            }
            if (update == null) {
                continue;
            }
            if (r.status() != null) {
                update = update.attribute("status", r.status());
            }
            if (r.finalRecipient() != null) {
                update = update.attribute("recipient", r.finalRecipient());
            }
            out.add(update.at(r.at()));
        }
        return out;
    }

    private StatusUpdate base(MessageStatus status) {
        return atriumMessageId != null
                ? StatusUpdate.ofMessage(atriumMessageId, status)
                : StatusUpdate.ofProviderMessage(messageId, status);
    }

    static String bounceReason(String status) {
        Optional<SmtpFailures.Enhanced> code = SmtpFailures.enhancedCode(status);
        if (code.isEmpty()) {
            return FailureReason.REJECTED;
        }
        if (SmtpFailures.isBadRecipient(code.get())) {
            return FailureReason.INVALID_ADDRESS;
        }
        // A 4.x.x in a failed report: the server kept trying and gave up (4.4.7: delivery time expired).
        return code.get().klass() == 4 ? FailureReason.EXPIRED : FailureReason.REJECTED;
    }

    private static String detail(Recipient r) {
        StringBuilder b = new StringBuilder();
        if (r.status() != null) {
            b.append("Status: ").append(r.status());
        }
        if (r.diagnosticCode() != null) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append("Diagnostic-Code: ").append(r.diagnosticCode());
        }
        return b.length() == 0 ? null : b.toString();
    }

    /**
     * Reads {@code mail} as a DSN.
     *
     * @return empty if it is not one (any other mail, an auto-reply, a bounce in free text)
     * @throws MessagingException if the mail cannot be read at all
     */
    static Optional<DeliveryReport> parse(Part mail) throws MessagingException, IOException {
        ContentType type = contentType(mail);
        if (type == null || !type.match("multipart/report")) {
            return Optional.empty();
        }
        String reportType = type.getParameter("report-type");
        if (reportType == null || !reportType.equalsIgnoreCase("delivery-status")) {
            return Optional.empty();
        }
        Object content = mail.getContent();
        if (!(content instanceof Multipart multipart)) {
            return Optional.empty();
        }
        List<InternetHeaders> status = null;
        InternetHeaders returned = null;
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            ContentType partType = contentType(part);
            if (partType == null) {
                continue;
            }
            if (status == null && (partType.match("message/delivery-status") || partType.match("message/global-delivery-status"))) {
                status = fieldGroups(part);
            } else if (returned == null && (partType.match("text/rfc822-headers") || partType.match("message/rfc822")
                    || partType.match("message/global") || partType.match("message/global-headers"))) {
                try (InputStream in = part.getInputStream()) {
                    returned = new InternetHeaders(in);
                }
            }
        }
        if (status == null || status.isEmpty()) {
            return Optional.empty();
        }
        Instant arrival = date(status.get(0).getHeader("Arrival-Date", null));
        List<Recipient> recipients = new ArrayList<>();
        for (InternetHeaders fields : status.subList(1, status.size())) {
            String action = fields.getHeader("Action", null);
            if (action == null) {
                continue;
            }
            Instant last = date(fields.getHeader("Last-Attempt-Date", null));
            recipients.add(new Recipient(
                    address(fields.getHeader("Final-Recipient", null)),
                    firstWord(action),
                    SmtpFailures.enhancedCode(fields.getHeader("Status", null)).map(Object::toString).orElse(null),
                    unfold(fields.getHeader("Diagnostic-Code", null)),
                    last != null ? last : arrival));
        }
        String atriumId = returned == null ? null : unfold(returned.getHeader(EmailMessages.ATRIUM_MESSAGE_ID, null));
        String messageId = returned == null ? null : unfold(returned.getHeader("Message-ID", null));
        return Optional.of(new DeliveryReport(atriumId, messageId, List.copyOf(recipients)));
    }

    /**
     * The field groups of a delivery-status part: the per-message fields first, then one group per
     * recipient, separated by blank lines.
     */
    private static List<InternetHeaders> fieldGroups(Part part) throws MessagingException, IOException {
        String text;
        try (InputStream in = part.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<InternetHeaders> groups = new ArrayList<>();
        for (String block : text.replace("\r\n", "\n").replace('\r', '\n').split("\n[ \t]*\n")) {
            if (block.isBlank()) {
                continue;
            }
            InternetHeaders h = new InternetHeaders(new ByteArrayInputStream(
                    (block.strip() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8)));
            groups.add(h);
        }
        return groups;
    }

    private static ContentType contentType(Part part) throws MessagingException {
        String raw = part.getContentType();
        if (raw == null) {
            return null;
        }
        try {
            return new ContentType(raw);
        } catch (ParseException e) {
            return null;
        }
    }

    /** "rfc822; jane@example.com" → "jane@example.com". */
    private static String address(String field) {
        String v = unfold(field);
        if (v == null) {
            return null;
        }
        int semicolon = v.indexOf(';');
        String a = (semicolon >= 0 ? v.substring(semicolon + 1) : v).trim();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        return a.isEmpty() ? null : a;
    }

    private static String firstWord(String field) {
        String v = unfold(field);
        return v == null ? "" : v.split("[\\s(;]", 2)[0].toLowerCase(Locale.ROOT);
    }

    private static String unfold(String value) {
        if (value == null) {
            return null;
        }
        String v = MimeUtility.unfold(value).strip();
        return v.isEmpty() ? null : v;
    }

    private static Instant date(String value) {
        String v = unfold(value);
        if (v == null) {
            return null;
        }
        try {
            return new MailDateFormat().parse(v).toInstant();
        } catch (java.text.ParseException | RuntimeException e) {
            return null;
        }
    }
}
