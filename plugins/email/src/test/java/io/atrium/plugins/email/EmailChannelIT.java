package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;

import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;
import io.atrium.plugin.testkit.TestConnectorContext;

import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The channel's sender against a real SMTP server (GreenMail) with SMTP AUTH. */
class EmailChannelIT {

    static final String LOGIN = "mailer";
    static final String PASSWORD = "mailer-Secret-42";

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(new ServerSetup[] {
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort(),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort()})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("mailer@atrium.test", LOGIN, PASSWORD))
            .withPerMethodLifecycle(true);

    static Map<String, Object> config(int port, String password) {
        Map<String, Object> c = new HashMap<>();
        c.put("smtp-host", "127.0.0.1");
        c.put("smtp-port", port);
        c.put("smtp-security", "none");
        c.put("smtp-username", LOGIN);
        c.put("smtp-password", password);
        c.put("from", "news@atrium.test");
        c.put("from-name", "Atrium Shop");
        c.put("reply-to", "help@atrium.test");
        c.put("rate-per-second", 25);
        c.put("connection-timeout", "2s");
        return c;
    }

    static OutboundMessage message(String id, String to) {
        return new OutboundMessage(id, "email", "profile-1", to, OutboundMessage.MARKETING, "Your cart is waiting",
                "Hello Jane, your cart is waiting.", "<p>Hello <b>Jane</b>, your cart is waiting.</p>",
                "https://atrium.example.com/u/" + id, Map.of("campaignId", "cart-1"));
    }

    @Test
    void aMessageArrivesWithBothPartsAndTheTrackingHeaders() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email",
                config(GREENMAIL.getSmtp().getPort(), PASSWORD))) {
            ctx.start(new EmailConnector());

            ChannelOptions options = ctx.channelOptions("email");
            assertThat(options.addressType()).isEqualTo("email");
            assertThat(options.ratePerSecond()).isEqualTo(25.0);
            assertThat(options.idempotent()).isFalse();

            SendResult result = ctx.sender("email").send(message("msg-1001", "jane@example.org"));
            assertThat(result.providerMessageId()).isEqualTo("<msg-1001@atrium>");

            await().atMost(Duration.ofSeconds(10)).until(() -> GREENMAIL.getReceivedMessages().length == 1);
            MimeMessage got = GREENMAIL.getReceivedMessages()[0];
            assertThat(got.getMessageID()).isEqualTo("<msg-1001@atrium>");
            assertThat(got.getHeader("X-Atrium-Message-Id", null)).isEqualTo("msg-1001");
            assertThat(got.getHeader("List-Unsubscribe", null)).isEqualTo("<https://atrium.example.com/u/msg-1001>");
            assertThat(got.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
            InternetAddress from = (InternetAddress) got.getFrom()[0];
            assertThat(from.getAddress()).isEqualTo("news@atrium.test");
            assertThat(from.getPersonal()).isEqualTo("Atrium Shop");
            assertThat(got.getReplyTo()[0].toString()).isEqualTo("help@atrium.test");
            assertThat(got.getAllRecipients()).extracting(Object::toString).containsExactly("jane@example.org");
            assertThat(got.getSubject()).isEqualTo("Your cart is waiting");
            assertThat(got.getContentType()).startsWith("multipart/alternative");
            Multipart parts = (Multipart) got.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
            assertThat(parts.getBodyPart(0).getContent().toString()).isEqualTo("Hello Jane, your cart is waiting.");
            assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
            assertThat(parts.getBodyPart(1).getContent().toString()).isEqualTo("<p>Hello <b>Jane</b>, your cart is waiting.</p>");
            // The envelope sender (Return-Path) is from, as no bounce-address is set.
            assertThat(got.getHeader("Return-Path", null)).contains("news@atrium.test");
        }
    }

    @Test
    void theBounceAddressIsTheEnvelopeSender() throws Exception {
        Map<String, Object> c = config(GREENMAIL.getSmtp().getPort(), PASSWORD);
        c.put("bounce-address", "bounces@atrium.test");
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", c)) {
            ctx.start(new EmailConnector());
            ctx.sender("email").send(message("msg-1002", "jane@example.org"));
            await().atMost(Duration.ofSeconds(10)).until(() -> GREENMAIL.getReceivedMessages().length == 1);
            assertThat(GREENMAIL.getReceivedMessages()[0].getHeader("Return-Path", null)).contains("bounces@atrium.test");
        }
    }

    @Test
    void aRefusedLoginIsATemporaryFailureThatNamesTheKeysButNotThePassword() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email",
                config(GREENMAIL.getSmtp().getPort(), "wrong-Password-99"))) {
            ctx.start(new EmailConnector());
            assertThatThrownBy(() -> ctx.sender("email").send(message("msg-1003", "jane@example.org")))
                    .isInstanceOfSatisfying(SendException.class, e -> {
                        assertThat(e.isPermanent()).isFalse();
                        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("smtp-username", "smtp-password")
                                .doesNotContain("wrong-Password-99").doesNotContain(PASSWORD);
                    });
            assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        }
    }

    @Test
    void aServerThatIsDownIsATemporaryFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", config(closedPort, PASSWORD))) {
            ctx.start(new EmailConnector());
            assertThatThrownBy(() -> ctx.sender("email").send(message("msg-1004", "jane@example.org")))
                    .isInstanceOfSatisfying(SendException.class, e -> {
                        assertThat(e.isPermanent()).isFalse();
                        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("could not connect", "smtp-host");
                    });
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutAsATemporaryFailure() throws Exception {
        // The kernel completes the TCP handshake for the backlog; nobody ever writes the greeting.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Map<String, Object> c = config(silent.getLocalPort(), PASSWORD);
            c.put("connection-timeout", "500ms");
            try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", c)) {
                ctx.start(new EmailConnector());
                assertThatThrownBy(() -> ctx.sender("email").send(message("msg-1005", "jane@example.org")))
                        .isInstanceOfSatisfying(SendException.class, e -> {
                            assertThat(e.isPermanent()).isFalse();
                            assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                            assertThat(e.getMessage()).contains("connection-timeout");
                        });
            }
        }
    }

    @Test
    void starttlsIsNeverSkippedSoAServerWithoutItGetsNothing() throws Exception {
        Map<String, Object> c = config(GREENMAIL.getSmtp().getPort(), PASSWORD);
        c.put("smtp-security", "starttls");
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", c)) {
            ctx.start(new EmailConnector());
            assertThatThrownBy(() -> ctx.sender("email").send(message("msg-1007", "jane@example.org")))
                    .isInstanceOfSatisfying(SendException.class, e -> {
                        assertThat(e.isPermanent()).isFalse();
                        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("does not offer STARTTLS", "smtp-security");
                    });
            assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        }
    }

    @Test
    void implicitTlsChecksTheServersCertificate() throws Exception {
        // GreenMail's SMTPS certificate is self-signed: a client that trusted it would be open to anyone in the middle.
        Map<String, Object> c = config(GREENMAIL.getSmtps().getPort(), PASSWORD);
        c.put("smtp-security", "tls");
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", c)) {
            ctx.start(new EmailConnector());
            assertThatThrownBy(() -> ctx.sender("email").send(message("msg-1008", "jane@example.org")))
                    .isInstanceOfSatisfying(SendException.class, e -> {
                        assertThat(e.isPermanent()).isFalse();
                        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("TLS with the SMTP server failed", "smtp-security");
                    });
            assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        }
    }

    @Test
    void aMalformedAddressFailsForGoodWithoutTalkingToTheServer() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email",
                config(GREENMAIL.getSmtp().getPort(), PASSWORD))) {
            ctx.start(new EmailConnector());
            assertThatThrownBy(() -> ctx.sender("email").send(message("msg-1006", "jane.example.org")))
                    .isInstanceOfSatisfying(SendException.class, e -> {
                        assertThat(e.isPermanent()).isTrue();
                        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
                    });
            assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        }
    }

    @Test
    void aBrokenCrossKeyRuleStopsTheStart() throws Exception {
        Map<String, Object> c = config(GREENMAIL.getSmtp().getPort(), PASSWORD);
        c.put("bounce-mode", "imap");
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", c)) {
            assertThatThrownBy(() -> ctx.start(new EmailConnector()))
                    .hasMessageContaining("key 'imap-host' is required when 'bounce-mode' is 'imap'")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        }
    }
}
