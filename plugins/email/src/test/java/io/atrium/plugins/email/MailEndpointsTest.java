package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class MailEndpointsTest {

    private static EmailSettings settings(Map<String, Object> extra) {
        Map<String, Object> raw = new HashMap<>(Map.of("smtp-host", "smtp.example.com", "from", "news@example.com",
                "connection-timeout", "5s"));
        raw.putAll(extra);
        return EmailSettings.from(EmailSpec.SPEC.validate(raw).config());
    }

    @Test
    void starttlsIsRequiredNotOptional() {
        Properties p = MailEndpoints.smtpProperties(settings(Map.of("smtp-security", "starttls")));
        assertThat(p).containsEntry("mail.smtp.starttls.enable", "true")
                .containsEntry("mail.smtp.starttls.required", "true")
                .containsEntry("mail.smtp.ssl.checkserveridentity", "true")
                .containsEntry("mail.smtp.writetimeout", "5000")
                .containsEntry("mail.smtp.from", "news@example.com");
    }

    @Test
    void tlsUsesSmtps() {
        Properties p = MailEndpoints.smtpProperties(settings(Map.of("smtp-security", "tls", "bounce-address", "b@example.com")));
        assertThat(p).containsEntry("mail.smtps.ssl.enable", "true")
                .containsEntry("mail.smtps.ssl.checkserveridentity", "true")
                .containsEntry("mail.smtps.from", "b@example.com")
                .doesNotContainKey("mail.smtp.starttls.enable");
    }

    @Test
    void noneSwitchesStarttlsOff() {
        assertThat(MailEndpoints.smtpProperties(settings(Map.of("smtp-security", "none"))))
                .containsEntry("mail.smtp.starttls.enable", "false");
    }

    @Test
    void imapSecurityUsesTheImapProtocolNames() {
        Map<String, Object> imap = new HashMap<>(Map.of("bounce-mode", "imap", "imap-host", "imap.example.com",
                "imap-username", "b", "imap-password", "p"));
        imap.put("imap-security", "starttls");
        assertThat(MailEndpoints.imapProperties(settings(imap))).containsEntry("mail.imap.starttls.required", "true");
        imap.put("imap-security", "tls");
        assertThat(MailEndpoints.imapProperties(settings(imap))).containsEntry("mail.imaps.ssl.enable", "true");
    }
}
