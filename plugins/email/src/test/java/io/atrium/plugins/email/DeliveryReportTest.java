package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

class DeliveryReportTest {

    private static List<StatusUpdate> updates(String raw) throws Exception {
        return DeliveryReport.parse(Dsns.parse(raw)).orElseThrow().statusUpdates();
    }

    @Test
    void aHardBounceForAnUnknownUserIsBouncedInvalidAddressWithTheHubsId() throws Exception {
        String raw = Dsns.postfix("jane@example.org", "failed", "5.1.1",
                "smtp; 550 5.1.1 <jane@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
                Dsns.atriumHeaders("msg-42", "jane@example.org"));
        DeliveryReport report = DeliveryReport.parse(Dsns.parse(raw)).orElseThrow();
        assertThat(report.atriumMessageId()).isEqualTo("msg-42");
        assertThat(report.messageId()).isEqualTo("<msg-42@atrium>");
        assertThat(report.recipients()).singleElement().satisfies(r -> {
            assertThat(r.finalRecipient()).isEqualTo("jane@example.org");
            assertThat(r.action()).isEqualTo("failed");
            assertThat(r.status()).isEqualTo("5.1.1");
        });
        assertThat(report.statusUpdates()).singleElement().satisfies(u -> {
            assertThat(u.messageId()).isEqualTo("msg-42");
            assertThat(u.providerMessageId()).isNull();
            assertThat(u.status()).isEqualTo(MessageStatus.BOUNCED);
            assertThat(u.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
            assertThat(u.detail()).isEqualTo("Status: 5.1.1; Diagnostic-Code: smtp; 550 5.1.1 <jane@example.org>: "
                    + "Recipient address rejected: User unknown in virtual mailbox table");
            assertThat(u.at()).isEqualTo(Instant.parse("2026-12-01T10:15:00Z"));
            assertThat(u.attributes()).containsEntry("status", "5.1.1").containsEntry("recipient", "jane@example.org");
        });
    }

    @Test
    void anotherPermanentFailureIsBouncedRejected() throws Exception {
        assertThat(updates(Dsns.postfix("jane@example.org", "failed", "5.7.1", "smtp; 554 5.7.1 Service unavailable; blocked",
                Dsns.atriumHeaders("m1", "jane@example.org"))))
                .singleElement().satisfies(u -> {
                    assertThat(u.status()).isEqualTo(MessageStatus.BOUNCED);
                    assertThat(u.reason()).isEqualTo(FailureReason.REJECTED);
                });
    }

    @Test
    void aServerThatGaveUpAfterRetryingIsBouncedExpired() throws Exception {
        assertThat(updates(Dsns.postfix("jane@example.org", "failed", "4.4.7", "X-Postfix; delivery temporarily suspended",
                Dsns.atriumHeaders("m1", "jane@example.org"))))
                .singleElement().satisfies(u -> assertThat(u.reason()).isEqualTo(FailureReason.EXPIRED));
    }

    @Test
    void aDelayIsNoStatusAndADeliveryIsDelivered() throws Exception {
        assertThat(updates(Dsns.postfix("jane@example.org", "delayed", "4.4.1", "X-Postfix; connect to mail.example.org: timed out",
                Dsns.atriumHeaders("m1", "jane@example.org")))).isEmpty();
        assertThat(updates(Dsns.postfix("jane@example.org", "delivered", "2.0.0", "smtp; 250 2.0.0 OK",
                Dsns.atriumHeaders("m1", "jane@example.org"))))
                .singleElement().satisfies(u -> {
                    assertThat(u.status()).isEqualTo(MessageStatus.DELIVERED);
                    assertThat(u.reason()).isNull();
                });
    }

    @Test
    void withoutTheAtriumHeaderTheMessageIsNamedByItsMessageId() throws Exception {
        assertThat(updates(Dsns.withReturnedMessage("joe@example.org", "<m7@atrium>")))
                .singleElement().satisfies(u -> {
                    assertThat(u.messageId()).isNull();
                    assertThat(u.providerMessageId()).isEqualTo("<m7@atrium>");
                    assertThat(u.status()).isEqualTo(MessageStatus.BOUNCED);
                    assertThat(u.reason()).isEqualTo(FailureReason.REJECTED);
                    assertThat(u.detail()).contains("Status: 5.7.1", "550 5.7.1 Message rejected as spam");
                });
    }

    @Test
    void aDsnThatReturnsNoHeadersNamesNoMessage() throws Exception {
        DeliveryReport report = DeliveryReport.parse(Dsns.parse(Dsns.postfix("jane@example.org", "failed", "5.1.1",
                "smtp; 550 no", "X-Nothing: here\r\n"))).orElseThrow();
        assertThat(report.identifiesMessage()).isFalse();
        assertThat(report.statusUpdates()).isEmpty();
    }

    @Test
    void otherMailIsNotADsn() throws Exception {
        MimeMessage plain = Dsns.parse("From: a@example.org\r\nTo: bounces@atrium.test\r\nSubject: Out of office\r\n"
                + "Content-Type: text/plain\r\n\r\nI am away.\r\n");
        assertThat(DeliveryReport.parse(plain)).isEmpty();
        MimeMessage otherReport = Dsns.parse("From: a@example.org\r\nSubject: Read\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nread\r\n--b--\r\n");
        assertThat(DeliveryReport.parse(otherReport)).isEmpty();
        MimeMessage noStatusPart = Dsns.parse("From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n");
        assertThat(DeliveryReport.parse(noStatusPart)).isEmpty();
    }

    @Test
    void bounceReasonsFollowTheStatusCode() {
        assertThat(DeliveryReport.bounceReason("5.1.1")).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(DeliveryReport.bounceReason("5.1.10")).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(DeliveryReport.bounceReason("5.2.2")).isEqualTo(FailureReason.REJECTED);
        assertThat(DeliveryReport.bounceReason("4.4.7")).isEqualTo(FailureReason.EXPIRED);
        assertThat(DeliveryReport.bounceReason(null)).isEqualTo(FailureReason.REJECTED);
    }
}
