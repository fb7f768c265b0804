package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;

import org.junit.jupiter.api.Test;

class EmailSettingsTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("smtp-host", "smtp.example.com");
        raw.put("from", "news@example.com");
        return raw;
    }

    private static PluginConfig validated(Map<String, Object> raw) {
        ConfigSpec.Validation v = EmailSpec.SPEC.validate(raw);
        assertThat(v.problems()).as("spec problems").isEmpty();
        return v.config();
    }

    private static EmailSettings settings(Map<String, Object> raw) {
        return EmailSettings.from(validated(raw));
    }

    @Test
    void theSpecDeclaresEveryKeyWithADescriptionAndTheSecretsAsSecret() {
        assertThat(EmailSpec.SPEC.keys()).extracting(ConfigKey::name).containsExactly(
                "smtp-host", "smtp-port", "smtp-security", "smtp-username", "smtp-password", "from", "from-name",
                "reply-to", "bounce-address", "rate-per-second", "connection-timeout", "bounce-mode",
                "imap-host", "imap-port", "imap-security", "imap-username", "imap-password", "imap-folder",
                "imap-processed-folder", "imap-poll-interval", "webhook-token");
        assertThat(EmailSpec.SPEC.keys()).allSatisfy(k -> assertThat(k.description()).as(k.name()).isNotBlank());
        assertThat(EmailSpec.SPEC.keys()).filteredOn(ConfigKey::isSecret).extracting(ConfigKey::name)
                .containsExactlyInAnyOrder("smtp-password", "imap-password", "webhook-token");
        assertThat(new EmailConnector().configSpec()).isSameAs(EmailSpec.SPEC);
    }

    @Test
    void theHubRefusesAConfigurationWithoutTheRequiredKeys() {
        ConfigSpec.Validation v = EmailSpec.SPEC.validate(Map.of());
        assertThat(v.problems()).extracting(p -> p.key()).containsExactlyInAnyOrder("smtp-host", "from");
    }

    @Test
    void theHubRefusesAnUnknownSecurityOrBounceMode() {
        Map<String, Object> raw = minimal();
        raw.put("smtp-security", "ssl");
        raw.put("bounce-mode", "pop3");
        assertThat(EmailSpec.SPEC.validate(raw).problems()).extracting(p -> p.key())
                .containsExactlyInAnyOrder("smtp-security", "bounce-mode");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        EmailSettings s = settings(minimal());
        assertThat(s.smtpPort()).isEqualTo(587);
        assertThat(s.smtpSecurity()).isEqualTo(EmailSettings.Security.STARTTLS);
        assertThat(s.ratePerSecond()).isEqualTo(10.0);
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.bounceMode()).isEqualTo(EmailSettings.BounceMode.NONE);
        assertThat(s.imapFolder()).isEqualTo("INBOX");
        assertThat(s.imapSecurity()).isEqualTo(EmailSettings.Security.TLS);
        assertThat(s.imapPort()).isEqualTo(993);
        assertThat(s.envelopeFrom()).isEqualTo("news@example.com");
    }

    @Test
    void theImapPortFollowsTheImapSecurityUnlessSet() {
        Map<String, Object> raw = imap();
        raw.put("imap-security", "starttls");
        assertThat(settings(raw).imapPort()).isEqualTo(143);
        raw.put("imap-port", 1143);
        assertThat(settings(raw).imapPort()).isEqualTo(1143);
    }

    @Test
    void fromMustBeABareAddress() {
        Map<String, Object> raw = minimal();
        raw.put("from", "Example Shop <news@example.com>");
        assertThatThrownBy(() -> settings(raw)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key 'from' must be a bare e-mail address")
                .hasMessageContaining("'from-name'");
        raw.put("from", "not an address");
        assertThatThrownBy(() -> settings(raw)).hasMessageContaining("key 'from' must be an e-mail address");
        raw.put("from", "news");
        assertThatThrownBy(() -> settings(raw)).hasMessageContaining("key 'from' must be an e-mail address").hasMessageContaining("@domain");
    }

    @Test
    void replyToAndBounceAddressMustBeAddresses() {
        Map<String, Object> raw = minimal();
        raw.put("reply-to", "help desk");
        raw.put("bounce-address", "bounces@");
        assertThatThrownBy(() -> settings(raw))
                .hasMessageContaining("key 'reply-to' must be")
                .hasMessageContaining("key 'bounce-address' must be");
        raw.put("reply-to", "help@example.com");
        raw.put("bounce-address", "bounces@example.com");
        assertThat(settings(raw).envelopeFrom()).isEqualTo("bounces@example.com");
    }

    @Test
    void smtpUsernameAndPasswordGoTogether() {
        Map<String, Object> raw = minimal();
        raw.put("smtp-password", "hunter2-secret");
        assertThatThrownBy(() -> settings(raw))
                .hasMessageContaining("key 'smtp-password' is set but 'smtp-username' is not")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2-secret"));
        raw.remove("smtp-password");
        raw.put("smtp-username", "mailer");
        assertThatThrownBy(() -> settings(raw)).hasMessageContaining("key 'smtp-username' is set but 'smtp-password' is not");
    }

    @Test
    void portsAndRatesAndTimeoutsMustBeInRange() {
        Map<String, Object> raw = minimal();
        raw.put("smtp-port", 70000);
        raw.put("rate-per-second", -1);
        raw.put("connection-timeout", "0s");
        assertThatThrownBy(() -> settings(raw))
                .hasMessageContaining("key 'smtp-port' must be a port between 1 and 65535, got 70000")
                .hasMessageContaining("key 'rate-per-second' must be a number >= 0")
                .hasMessageContaining("key 'connection-timeout' must be a positive duration");
    }

    private static Map<String, Object> imap() {
        Map<String, Object> raw = minimal();
        raw.put("bounce-mode", "imap");
        raw.put("imap-host", "imap.example.com");
        raw.put("imap-username", "bounces");
        raw.put("imap-password", "imap-secret-value");
        return raw;
    }

    @Test
    void bounceModeImapNeedsTheMailbox() {
        Map<String, Object> raw = minimal();
        raw.put("bounce-mode", "imap");
        assertThatThrownBy(() -> settings(raw))
                .hasMessageContaining("key 'imap-host' is required when 'bounce-mode' is 'imap': set it to the IMAP server")
                .hasMessageContaining("key 'imap-username' is required when 'bounce-mode' is 'imap'")
                .hasMessageContaining("key 'imap-password' is required when 'bounce-mode' is 'imap'");
        assertThat(settings(imap()).imapHost()).isEqualTo("imap.example.com");
    }

    @Test
    void theProcessedFolderMustDifferFromThePolledOne() {
        Map<String, Object> raw = imap();
        raw.put("imap-processed-folder", "inbox");
        assertThatThrownBy(() -> settings(raw)).hasMessageContaining("key 'imap-processed-folder' must differ from 'imap-folder'");
    }

    @Test
    void imapKeysWithoutBounceModeImapAreAMistake() {
        Map<String, Object> raw = minimal();
        raw.put("imap-host", "imap.example.com");
        raw.put("imap-password", "imap-secret-value");
        assertThatThrownBy(() -> settings(raw))
                .hasMessageContaining("key 'imap-host' only applies when 'bounce-mode' is 'imap', but 'bounce-mode' is 'none'")
                .hasMessageContaining("key 'imap-password' only applies when")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("imap-secret-value"));
    }

    @Test
    void bounceModeWebhookNeedsALongEnoughToken() {
        Map<String, Object> raw = minimal();
        raw.put("bounce-mode", "webhook");
        assertThatThrownBy(() -> settings(raw)).hasMessageContaining("key 'webhook-token' is required when 'bounce-mode' is 'webhook'");
        raw.put("webhook-token", "short-tok");
        assertThatThrownBy(() -> settings(raw))
                .hasMessageContaining("key 'webhook-token' must be at least 16 characters")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-tok"));
        raw.put("webhook-token", "0123456789abcdef");
        assertThat(settings(raw).webhookToken()).isEqualTo("0123456789abcdef");
    }

    @Test
    void aWebhookTokenWithoutBounceModeWebhookIsAMistake() {
        Map<String, Object> raw = minimal();
        raw.put("webhook-token", "0123456789abcdef");
        assertThatThrownBy(() -> settings(raw)).hasMessageContaining("key 'webhook-token' only applies when 'bounce-mode' is 'webhook', but 'bounce-mode' is 'none'");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> raw = minimal();
        raw.put("from", "nobody");
        raw.put("smtp-port", 0);
        raw.put("bounce-mode", "webhook");
        assertThatThrownBy(() -> settings(raw)).hasMessageStartingWith("invalid configuration: ")
                .hasMessageContaining("'from'").hasMessageContaining("'smtp-port'").hasMessageContaining("'webhook-token'");
    }

    @Test
    void toStringShowsNoSecret() {
        Map<String, Object> raw = imap();
        raw.put("smtp-username", "mailer");
        raw.put("smtp-password", "smtp-secret-value");
        String shown = settings(raw).toString();
        assertThat(shown).contains("smtp.example.com", "mailer", "imap.example.com")
                .doesNotContain("smtp-secret-value").doesNotContain("imap-secret-value");
    }
    @Test
    void theConnectorsValidateGivesEachProblemWithItsKeyForTheConsoleForm() {
        Map<String, Object> raw = minimal();
        raw.put("from", "Example Shop <news@example.com>");
        raw.put("smtp-password", "smtp-secret-value");
        raw.put("bounce-mode", "imap");
        raw.put("imap-host", "imap.example.com");
        raw.put("webhook-token", "0123456789abcdef-secret");
        List<ConfigProblem> problems = new EmailConnector().validate(validated(raw));
        Map<String, String> byKey = new java.util.TreeMap<>();
        problems.forEach(p -> byKey.merge(p.key(), p.message(), (a, b) -> a + " | " + b));
        assertThat(byKey.keySet()).containsExactly("from", "imap-password", "imap-username", "smtp-password", "webhook-token");
        assertThat(byKey.get("from")).startsWith("key 'from' must be a bare e-mail address");
        assertThat(byKey.get("imap-username")).isEqualTo("key 'imap-username' is required when 'bounce-mode' is 'imap': "
                + "set it to the login of the bounce mailbox");
        assertThat(byKey.get("smtp-password")).contains("is set but 'smtp-username' is not");
        assertThat(byKey.get("webhook-token")).contains("only applies when 'bounce-mode' is 'webhook', but 'bounce-mode' is 'imap'");
        assertThat(problems.toString()).doesNotContain("smtp-secret-value").doesNotContain("0123456789abcdef-secret");

        assertThat(new EmailConnector().validate(validated(imap()))).isEmpty();
        assertThat(new EmailConnector().validate(validated(minimal()))).isEmpty();
    }
}
