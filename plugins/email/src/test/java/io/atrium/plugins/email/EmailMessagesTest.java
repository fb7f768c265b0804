package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;

import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

class EmailMessagesTest {

    private final EmailMessages messages = new EmailMessages("news@atrium.test", "Atrium Shop", "help@atrium.test", false);

    static OutboundMessage message(String id, String to, String html, String unsubscribeUrl) {
        return new OutboundMessage(id, "email", "p-1", to, OutboundMessage.MARKETING, "Your cart ✓", "Hello Jane",
                html, unsubscribeUrl, Map.of("campaignId", "c-1"));
    }

    @Test
    void aMessageWithHtmlIsMultipartAlternativeWithTheTrackingHeaders() throws Exception {
        MimeMessage mime = messages.forOutbound(message("m-1", "jane@example.org", "<p>Hello <b>Jane</b></p>",
                "https://atrium.example.com/u/m-1?sig=abc"));
        assertThat(mime.getMessageID()).isEqualTo("<m-1@atrium>");
        assertThat(mime.getHeader("X-Atrium-Message-Id", null)).isEqualTo("m-1");
        assertThat(mime.getHeader("List-Unsubscribe", null)).isEqualTo("<https://atrium.example.com/u/m-1?sig=abc>");
        assertThat(mime.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(mime.getHeader("X-SMTPAPI", null)).isNull();
        InternetAddress from = (InternetAddress) mime.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("news@atrium.test");
        assertThat(from.getPersonal()).isEqualTo("Atrium Shop");
        assertThat(mime.getReplyTo()[0].toString()).isEqualTo("help@atrium.test");
        assertThat(mime.getSubject()).isEqualTo("Your cart ✓");
        assertThat(mime.getContentType()).startsWith("multipart/alternative");
        Multipart parts = (Multipart) mime.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain").containsIgnoringCase("utf-8");
        assertThat(parts.getBodyPart(0).getContent()).isEqualTo("Hello Jane");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat(parts.getBodyPart(1).getContent()).isEqualTo("<p>Hello <b>Jane</b></p>");
    }

    @Test
    void aTextOnlyMessageHasOnePartAndNoUnsubscribeHeaderWithoutAUrl() throws Exception {
        MimeMessage mime = messages.forOutbound(message("m-2", "jane@example.org", null, null));
        assertThat(mime.getContentType()).startsWith("text/plain");
        assertThat(mime.getContent()).isEqualTo("Hello Jane");
        assertThat(mime.getHeader("List-Unsubscribe")).isNull();
        assertThat(mime.getHeader("List-Unsubscribe-Post")).isNull();
    }

    @Test
    void theMessageIdStaysWhenTheMessageIsSavedAgain() throws Exception {
        MimeMessage mime = messages.forOutbound(message("m-3", "jane@example.org", null, null));
        mime.saveChanges();
        assertThat(mime.getMessageID()).isEqualTo("<m-3@atrium>");
    }

    @Test
    void messageIdsAreDeterministicAndValid() {
        assertThat(EmailMessages.messageId("0b7c9e2a-1f7e-4d39-9c1e-5a1b2c3d4e5f")).isEqualTo("<0b7c9e2a-1f7e-4d39-9c1e-5a1b2c3d4e5f@atrium>");
        assertThat(EmailMessages.messageId("a b<c>@d")).isEqualTo("<a_b_c__d@atrium>");
        assertThat(EmailMessages.messageId("..x..y.")).isEqualTo("<x.y@atrium>");
    }

    @Test
    void aTemplateMayOverrideTheSenderName() throws Exception {
        OutboundMessage m = new OutboundMessage("m-4", "email", "p-1", "jane@example.org", null, "s", "t", null, null,
                Map.of(EmailMessages.FROM_NAME_ATTRIBUTE, "Jane's Shop"));
        assertThat(((InternetAddress) messages.forOutbound(m).getFrom()[0]).getPersonal()).isEqualTo("Jane's Shop");
    }

    @Test
    void aLineBreakInTheSubjectCannotAddAHeader() throws Exception {
        OutboundMessage m = new OutboundMessage("m-5", "email", "p-1", "jane@example.org", null,
                "Hi\r\nBcc: victim@example.org", "t", null, null, null);
        MimeMessage mime = messages.forOutbound(m);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mime.writeTo(out);
        String raw = out.toString(StandardCharsets.UTF_8);
        assertThat(raw).doesNotContain("\r\nBcc:");
        assertThat(mime.getSubject()).isEqualTo("Hi Bcc: victim@example.org");
    }

    @Test
    void aBadRecipientIsAPermanentInvalidAddress() {
        for (String bad : new String[] {"jane", "jane@example.org, joe@example.org", "not an address", " "}) {
            assertThatThrownBy(() -> messages.forOutbound(message("m-6", bad, null, null)))
                    .as(bad)
                    .isInstanceOfSatisfying(SendException.class, e -> {
                        assertThat(e.isPermanent()).isTrue();
                        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
                    });
        }
    }

    @Test
    void withTheWebhookTheHubsIdTravelsAsASendGridCustomArgument() throws Exception {
        EmailMessages sendgrid = new EmailMessages("news@atrium.test", null, null, true);
        MimeMessage mime = sendgrid.forOutbound(message("m-\"7", "jane@example.org", null, null));
        assertThat(mime.getHeader("X-SMTPAPI", null)).isEqualTo("{\"unique_args\":{\"atrium_message_id\":\"m-\\\"7\"}}");
        assertThat(((InternetAddress) mime.getFrom()[0]).getPersonal()).isNull();
    }

    @Test
    void routeMailsGetARandomIdAndMayHaveSeveralRecipients() throws Exception {
        MimeMessage a = messages.forRoute("ops@example.org, dev@example.org", "Import failed", "see log", null);
        MimeMessage b = messages.forRoute("ops@example.org", "Import failed", "see log", null);
        assertThat(a.getAllRecipients()).hasSize(2);
        assertThat(a.getMessageID()).startsWith("<route-").endsWith("@atrium>").isNotEqualTo(b.getMessageID());
        assertThat(a.getHeader("X-Atrium-Message-Id")).isNull();
    }
}
