package io.atrium.plugins.email;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** Delivery status notifications as mail servers write them (RFC 3464), for the tests. */
final class Dsns {

    private Dsns() {
    }

    /** A Postfix-style DSN: human-readable part, delivery-status, and the original's headers as text/rfc822-headers. */
    static String postfix(String to, String action, String status, String diagnostic, String returnedHeaders) {
        return """
                Return-Path: <>
                Date: Tue, 1 Dec 2026 10:15:00 +0000 (UTC)
                From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
                Subject: Undelivered Mail Returned to Sender
                To: bounces@atrium.test
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status;
                \tboundary="B0UND4RY"
                Message-Id: <20261201101500.ABC123@mx.example.net>

                This is a MIME-encapsulated message.

                --B0UND4RY
                Content-Description: Notification
                Content-Type: text/plain; charset=us-ascii

                This is the mail system at host mx.example.net.

                I'm sorry to have to inform you that your message could not
                be delivered to one or more recipients.

                --B0UND4RY
                Content-Description: Delivery report
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net
                X-Postfix-Queue-ID: ABC123
                Arrival-Date: Tue,  1 Dec 2026 10:14:58 +0000 (UTC)

                Final-Recipient: rfc822; %1$s
                Original-Recipient: rfc822;%1$s
                Action: %2$s
                Status: %3$s
                Remote-MTA: dns; mail.example.org
                Diagnostic-Code: %4$s
                Last-Attempt-Date: Tue,  1 Dec 2026 10:15:00 +0000 (UTC)

                --B0UND4RY
                Content-Description: Undelivered Message Headers
                Content-Type: text/rfc822-headers

                %5$s
                --B0UND4RY--
                """.formatted(to, action, status, diagnostic, returnedHeaders).replace("\n", "\r\n");
    }

    /** The headers an Atrium message carries, as a DSN returns them. */
    static String atriumHeaders(String id, String to) {
        return """
                Return-Path: <bounces@atrium.test>
                From: Atrium Shop <news@atrium.test>
                To: %2$s
                Subject: Your cart
                Message-ID: <%1$s@atrium>
                X-Atrium-Message-Id: %1$s
                MIME-Version: 1.0
                """.formatted(id, to);
    }

    /** An Exchange/Gmail-style DSN that returns the whole original as message/rfc822 and has no X-Atrium header. */
    static String withReturnedMessage(String to, String messageId) {
        return """
                From: postmaster@mx.example.org
                To: bounces@atrium.test
                Subject: Delivery Status Notification (Failure)
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type="delivery-status"; boundary="xyz"

                --xyz
                Content-Type: text/plain

                Delivery has failed to these recipients.
                --xyz
                Content-Type: message/delivery-status

                Reporting-MTA: dns;mx.example.org

                Final-Recipient: rfc822;%1$s
                Action: failed
                Status: 5.7.1
                Diagnostic-Code: smtp;550 5.7.1 Message rejected as spam by Content Filtering
                --xyz
                Content-Type: message/rfc822

                From: news@atrium.test
                To: %1$s
                Subject: Hello
                Message-ID: %2$s

                Hello.
                --xyz--
                """.formatted(to, messageId).replace("\n", "\r\n");
    }

    static MimeMessage parse(String raw) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }
}
