package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetup;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.StatusUpdate;
import io.atrium.plugin.testkit.TestConnectorContext;

import jakarta.mail.Flags;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bounce-mode imap against a real IMAP server (GreenMail): DSNs in the bounce mailbox become statuses. */
class BounceMailboxIT {

    static final String BOUNCES = "bounces@atrium.test";
    static final String IMAP_PASSWORD = "bounce-Secret-7";

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(new ServerSetup[] {
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort(),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort()})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser(BOUNCES, "bounces", IMAP_PASSWORD))
            .withPerMethodLifecycle(true);

    private GreenMailUser mailbox;

    @BeforeEach
    void mailbox() {
        mailbox = GREENMAIL.getUserManager().getUserByEmail(BOUNCES);
    }

    static Map<String, Object> config(String processedFolder) {
        Map<String, Object> c = new HashMap<>();
        c.put("smtp-host", "127.0.0.1");
        c.put("smtp-port", GREENMAIL.getSmtp().getPort());
        c.put("smtp-security", "none");
        c.put("from", "news@atrium.test");
        c.put("bounce-address", BOUNCES);
        c.put("bounce-mode", "imap");
        c.put("imap-host", "127.0.0.1");
        c.put("imap-port", GREENMAIL.getImap().getPort());
        c.put("imap-security", "none");
        c.put("imap-username", "bounces");
        c.put("imap-password", IMAP_PASSWORD);
        c.put("imap-poll-interval", "200ms");
        c.put("connection-timeout", "5s");
        if (processedFolder != null) {
            c.put("imap-processed-folder", processedFolder);
        }
        return c;
    }

    private MailFolder folder(String name) {
        return GREENMAIL.getManagers().getImapHostManager().getFolder(mailbox, name);
    }

    private static boolean seen(MailFolder folder) {
        return folder.getMessages().stream().allMatch(m -> m.isSet(Flags.Flag.SEEN));
    }

    @Test
    void aHardBounceForASentMessageIsReportedBouncedAndTheDsnIsMoved() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", config("Processed"))) {
            ctx.start(new EmailConnector());
            String providerId = ctx.sender("email").send(new OutboundMessage("msg-2001", "email", "p-1",
                    "jane@example.org", null, "Hello", "Hi", null, null, null)).providerMessageId();
            await().atMost(Duration.ofSeconds(10)).until(() -> GREENMAIL.getReceivedMessages().length == 1);

            // What jane's server returns to the envelope sender, with the headers the plugin wrote.
            String returned = headersOf(GREENMAIL.getReceivedMessages()[0]);
            mailbox.deliver(Dsns.parse(Dsns.postfix("jane@example.org", "failed", "5.1.1",
                    "smtp; 550 5.1.1 <jane@example.org>: Recipient address rejected: User unknown", returned)));

            await().atMost(Duration.ofSeconds(20)).until(() -> !ctx.statuses("email").isEmpty());
            StatusUpdate u = ctx.statuses("email").get(0);
            assertThat(u.messageId()).isEqualTo("msg-2001");
            assertThat(u.status()).isEqualTo(MessageStatus.BOUNCED);
            assertThat(u.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
            assertThat(u.detail()).contains("Status: 5.1.1", "550 5.1.1", "User unknown");
            assertThat(providerId).isEqualTo("<msg-2001@atrium>");

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(folder("Processed")).isNotNull();
                assertThat(folder("Processed").getMessageCount()).isEqualTo(1);
                assertThat(folder("INBOX").getNonDeletedMessages()).isEmpty();
            });
            assertThat(ctx.statuses("email")).hasSize(1);
        }
    }

    @Test
    void aDsnWithoutTheAtriumHeaderIsMatchedByMessageIdAndOtherMailIsLeftAlone() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", config(null))) {
            ctx.start(new EmailConnector());
            mailbox.deliver(Dsns.parse("From: jane@example.org\r\nTo: " + BOUNCES + "\r\nSubject: Out of office\r\n"
                    + "Message-ID: <ooo-1@example.org>\r\nContent-Type: text/plain\r\n\r\nI am away until Monday.\r\n"));
            mailbox.deliver(Dsns.parse("From: x@example.org\r\nTo: " + BOUNCES + "\r\nSubject: Broken report\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"q\"\r\n\r\n"
                    + "--q\r\nContent-Type: message/delivery-status\r\n\r\nnot: fields\r\n"));
            mailbox.deliver(Dsns.parse(Dsns.withReturnedMessage("joe@example.org", "<msg-2002@atrium>")));

            await().atMost(Duration.ofSeconds(20)).until(() -> !ctx.statuses("email").isEmpty()
                    && seen(folder("INBOX")));
            assertThat(ctx.statuses("email")).singleElement().satisfies(u -> {
                assertThat(u.messageId()).isNull();
                assertThat(u.providerMessageId()).isEqualTo("<msg-2002@atrium>");
                assertThat(u.status()).isEqualTo(MessageStatus.BOUNCED);
                assertThat(u.reason()).isEqualTo(FailureReason.REJECTED);
            });
            // Without imap-processed-folder everything stays; nothing is deleted; the route keeps running.
            List<StoredMessage> inbox = folder("INBOX").getNonDeletedMessages();
            assertThat(inbox).hasSize(3);
            assertThat(ctx.camelContext().getRouteController().getRouteStatus(BounceMailboxRoute.ROUTE_ID).isStarted()).isTrue();

            // A later DSN is still picked up by the same route.
            mailbox.deliver(Dsns.parse(Dsns.postfix("ann@example.org", "delivered", "2.0.0", "smtp; 250 2.0.0 Ok",
                    Dsns.atriumHeaders("msg-2003", "ann@example.org"))));
            await().atMost(Duration.ofSeconds(20)).until(() -> ctx.statuses("email").size() == 2);
            assertThat(ctx.statuses("email").get(1)).satisfies(u -> {
                assertThat(u.messageId()).isEqualTo("msg-2003");
                assertThat(u.status()).isEqualTo(MessageStatus.DELIVERED);
            });
        }
    }

    @Test
    void aDelayReportsNothingButIsConsumed() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("email", config("Processed"))) {
            ctx.start(new EmailConnector());
            mailbox.deliver(Dsns.parse(Dsns.postfix("jane@example.org", "delayed", "4.4.1",
                    "X-Postfix; connect to mx.example.org[192.0.2.1]:25: Connection timed out",
                    Dsns.atriumHeaders("msg-2004", "jane@example.org"))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(folder("Processed")).isNotNull();
                assertThat(folder("Processed").getMessageCount()).isEqualTo(1);
            });
            assertThat(ctx.statuses("email")).isEmpty();
        }
    }

    private static String headersOf(jakarta.mail.internet.MimeMessage m) throws Exception {
        StringBuilder b = new StringBuilder();
        var lines = m.getAllHeaderLines();
        while (lines.hasMoreElements()) {
            b.append(lines.nextElement()).append("\n");
        }
        return b.toString();
    }
}
