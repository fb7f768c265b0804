package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the sender reports the refusals real SMTP servers give, as JavaMail sees them on the wire. */
class SmtpRepliesIT {

    private ScriptedSmtpServer server;
    private TestConnectorContext ctx;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedSmtpServer();
        ctx = TestConnectorContext.forPlugin("email", Map.of(
                "smtp-host", "127.0.0.1", "smtp-port", server.port(), "smtp-security", "none",
                "from", "news@atrium.test", "connection-timeout", "1s"));
        ctx.start(new EmailConnector());
    }

    @AfterEach
    void stop() throws Exception {
        ctx.close();
        server.close();
    }

    private SendException sendFails() {
        OutboundMessage m = new OutboundMessage("m-1", "email", "p-1", "jane@example.org", null, "Hi", "Hello", null, null, null);
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> ctx.sender("email").send(m));
        assertThat(t).isInstanceOf(SendException.class);
        return (SendException) t;
    }

    @Test
    void anUnknownRecipientIsAPermanentInvalidAddress() {
        server.rcptReply = "550 5.1.1 <jane@example.org>: Recipient address rejected: User unknown in local recipient table";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(e.getMessage()).contains("550 5.1.1");
    }

    @Test
    void aRecipientRefusedWithoutAnEnhancedCodeIsAnInvalidAddressFor553() {
        server.rcptReply = "553 sorry, that domain isn't in my list of allowed rcpthosts";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
    }

    @Test
    void aRecipientRefusedForPolicyIsRejected() {
        server.rcptReply = "550 5.7.1 Client host rejected: cannot find your reverse hostname";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
    }

    @Test
    void aGreylistedRecipientIsRetried() {
        server.rcptReply = "450 4.2.0 <jane@example.org>: Recipient address rejected: Greylisted, try again later";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
    }

    @Test
    void aMessageRefusedAfterDataIsRejected() {
        server.dataReply = "554 5.7.1 Message rejected: spam score too high";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(server.commands()).anyMatch(c -> c.startsWith("DATA"));
    }

    @Test
    void aTemporaryProblemAfterDataIsRetried() {
        server.dataReply = "451 4.3.0 Error: queue file write error";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
    }

    @Test
    void aRefusedSenderIsRejectedAndNamesTheSenderKeys() {
        server.mailReply = "553 5.1.8 <news@atrium.test>: Sender address rejected: Domain not found";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(e.getMessage()).contains("'from'");
    }

    @Test
    void aBusyServerIsRetried() {
        server.greeting = "421 4.3.2 Service not available, closing transmission channel";
        SendException e = sendFails();
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
    }

    @Test
    void noAnswerToARecipientIsRetried() {
        server.rcptReply = ScriptedSmtpServer.SILENT;
        SendException e = sendFails();
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("connection-timeout");
    }

    @Test
    void noAnswerOnceTheWholeMessageWasSentIsFinalSoNobodyGetsItTwice() {
        server.dataReply = ScriptedSmtpServer.SILENT;
        SendException e = sendFails();
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);
        assertThat(e.getMessage()).contains("may have been delivered");
    }

    @Test
    void aConnectionDroppedOnceTheWholeMessageWasSentIsFinal() {
        server.dataReply = ScriptedSmtpServer.HANG_UP;
        SendException e = sendFails();
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);
    }

    @Test
    void aConnectionDroppedBeforeTheDataIsRetried() {
        server.mailReply = ScriptedSmtpServer.HANG_UP;
        SendException e = sendFails();
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
    }

    @Test
    void anAcceptedMessageUsesTheEnvelopeSenderAndTheRecipient() throws Exception {
        OutboundMessage m = new OutboundMessage("m-2", "email", "p-1", "jane@example.org", null, "Hi", "Hello", null, null, null);
        assertThat(ctx.sender("email").send(m).providerMessageId()).isEqualTo("<m-2@atrium>");
        assertThat(server.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<news@atrium.test>"))
                .anyMatch(c -> c.startsWith("RCPT TO:<jane@example.org>"));
    }
}
