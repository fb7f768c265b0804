package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.util.MailConnectException;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SmtpFailuresTest {

    @ParameterizedTest(name = "{0} {1} -> permanent={2} {3}")
    @CsvSource(delimiter = '|', value = {
            "550 | 550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown | true  | invalid_address",
            "550 | 550 Requested action not taken: mailbox unavailable                   | true  | invalid_address",
            "551 | 551 User not local                                                     | true  | invalid_address",
            "553 | 553 mailbox name not allowed                                           | true  | invalid_address",
            "550 | 550 5.1.2 bad destination system address                               | true  | invalid_address",
            "554 | 554 5.1.10 Recipient address has null MX                               | true  | invalid_address",
            "550 | 550 5.7.1 Message rejected as spam                                     | true  | rejected",
            "554 | 554 Transaction failed                                                 | true  | rejected",
            "552 | 552 5.2.2 Mailbox full                                                 | true  | rejected",
            "550 | 550 5.1.7 bad sender mailbox syntax                                    | true  | rejected",
            "421 | 421 4.7.0 Try again later, closing connection                           | false | unavailable",
            "450 | 450 4.2.1 Mailbox busy                                                 | false | unavailable",
            "452 | 452 4.5.3 Too many recipients                                          | false | unavailable",
            "451 | 451 Temporary local problem                                            | false | unavailable"})
    void repliesMapToTheHubsReasons(int code, String reply, boolean permanent, String reason) {
        SendException e = SmtpFailures.forReply(code, reply);
        assertThat(e.isPermanent()).isEqualTo(permanent);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(reply.strip());
    }

    @Test
    void aRefusedRecipientInsideJavaMailsInvalidAddressesIsFound() throws Exception {
        SMTPAddressFailedException rcpt = new SMTPAddressFailedException(new InternetAddress("jane@example.com"),
                "RCPT TO:<jane@example.com>", 550, "550 5.1.1 <jane@example.com>: user unknown");
        SendFailedException top = new SendFailedException("Invalid Addresses", rcpt);
        SendException e = SmtpFailures.classify(new MessagingException("wrapped", top));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(e.getCause()).isNotNull();
    }

    @Test
    void aRefusedMessageIsRejected() {
        SendException e = SmtpFailures.classify(new SMTPSendFailedException("DATA", 554,
                "554 5.7.1 Message refused by policy", null, null, null, null));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
    }

    @Test
    void aRefusedSenderIsRejectedNotABadRecipient() throws Exception {
        SendException e = SmtpFailures.classify(new SMTPSenderFailedException(new InternetAddress("news@example.com"),
                "MAIL FROM:<news@example.com>", 553, "553 5.1.8 sender domain does not exist"));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(e.getMessage()).contains("'from'", "'bounce-address'");

        SendException later = SmtpFailures.classify(new SMTPSenderFailedException(new InternetAddress("news@example.com"),
                "MAIL FROM:<news@example.com>", 451, "451 4.3.0 try later"));
        assertThat(later.isPermanent()).isFalse();
    }

    @Test
    void aRefusedLoginIsRetriedAndNamesTheKeys() {
        SendException e = SmtpFailures.classify(new AuthenticationFailedException("535 5.7.8 Authentication credentials invalid"));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("smtp-username", "smtp-password", "535");
    }

    @Test
    void connectionProblemsAreRetried() {
        SendException refused = SmtpFailures.classify(new MailConnectException(
                new SocketConnectException("Connection refused", new ConnectException("Connection refused"), "127.0.0.1", 25, 1000)));
        assertThat(refused.isPermanent()).isFalse();
        assertThat(refused.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(refused.getMessage()).contains("smtp-host", "smtp-port");

        SendException timeout = SmtpFailures.classify(new MessagingException("Exception reading response",
                new SocketTimeoutException("Read timed out")));
        assertThat(timeout.isPermanent()).isFalse();
        assertThat(timeout.getMessage()).contains("connection-timeout");

        SendException unknown = SmtpFailures.classify(new MessagingException("[EOF]"));
        assertThat(unknown.isPermanent()).isFalse();
        assertThat(unknown.reason()).isEqualTo(FailureReason.UNAVAILABLE);
    }

    @Test
    void afterTheWholeMessageWasSentOnlyAReplyMayLeadToARetry() {
        MessagingException timeout = new MessagingException("Exception reading response", new SocketTimeoutException("Read timed out"));
        assertThat(SmtpFailures.classify(timeout, false).isPermanent()).isFalse();
        SendException unknown = SmtpFailures.classify(timeout, true);
        assertThat(unknown.isPermanent()).isTrue();
        assertThat(unknown.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);

        SendException eof = SmtpFailures.classify(new SMTPSendFailedException(".", -1, "[EOF]", null, null, null, null), true);
        assertThat(eof.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);

        SendException later = SmtpFailures.classify(new SMTPSendFailedException(".", 451,
                "451 4.3.0 queue file write error", null, null, null, null), true);
        assertThat(later.isPermanent()).isFalse();
        assertThat(later.reason()).isEqualTo(FailureReason.UNAVAILABLE);
    }

    @Test
    void enhancedCodesAreFoundInTextButNotInsideOtherNumbers() {
        assertThat(SmtpFailures.enhancedCode("550 5.1.1 user unknown")).hasValueSatisfying(c -> assertThat(c.toString()).isEqualTo("5.1.1"));
        assertThat(SmtpFailures.enhancedCode("smtp; 550 4.4.7 expired")).hasValueSatisfying(c -> assertThat(c.klass()).isEqualTo(4));
        assertThat(SmtpFailures.enhancedCode("host 10.5.1.1 said no")).isEmpty();
        assertThat(SmtpFailures.enhancedCode(null)).isEmpty();
    }
}
