package io.atrium.plugins.email;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.ConfigType;

/**
 * The configuration keys of the email plugin, declared once. The hub validates
 * {@code config/plugins/email.yml} against {@link #SPEC} (types, required keys, allowed values);
 * {@link EmailSettings} adds the rules that span several keys.
 */
final class EmailSpec {

    static final String SMTP_HOST = "smtp-host";
    static final String SMTP_PORT = "smtp-port";
    static final String SMTP_SECURITY = "smtp-security";
    static final String SMTP_USERNAME = "smtp-username";
    static final String SMTP_PASSWORD = "smtp-password";
    static final String FROM = "from";
    static final String FROM_NAME = "from-name";
    static final String REPLY_TO = "reply-to";
    static final String BOUNCE_ADDRESS = "bounce-address";
    static final String RATE_PER_SECOND = "rate-per-second";
    static final String CONNECTION_TIMEOUT = "connection-timeout";
    static final String BOUNCE_MODE = "bounce-mode";
    static final String IMAP_HOST = "imap-host";
    static final String IMAP_PORT = "imap-port";
    static final String IMAP_SECURITY = "imap-security";
    static final String IMAP_USERNAME = "imap-username";
    static final String IMAP_PASSWORD = "imap-password";
    static final String IMAP_FOLDER = "imap-folder";
    static final String IMAP_PROCESSED_FOLDER = "imap-processed-folder";
    static final String IMAP_POLL_INTERVAL = "imap-poll-interval";
    static final String WEBHOOK_TOKEN = "webhook-token";

    static final ConfigSpec SPEC = ConfigSpec.of(
            ConfigKey.of(SMTP_HOST, ConfigType.STRING).required()
                    .description("SMTP server (relay or provider) the mail is handed to"),
            ConfigKey.of(SMTP_PORT, ConfigType.INT).defaultValue("587")
                    .description("SMTP port: 587 for submission with STARTTLS, 465 for implicit TLS, 25 for a plain relay"),
            ConfigKey.of(SMTP_SECURITY, ConfigType.STRING).defaultValue("starttls").allowedValues("none", "starttls", "tls")
                    .description("none: plain SMTP; starttls: upgrade with STARTTLS and refuse to go on without it; tls: implicit TLS (smtps)"),
            ConfigKey.of(SMTP_USERNAME, ConfigType.STRING)
                    .description("SMTP AUTH user; unset: no authentication"),
            ConfigKey.of(SMTP_PASSWORD, ConfigType.STRING).secret()
                    .description("SMTP AUTH password (or the provider's API key)"),
            ConfigKey.of(FROM, ConfigType.STRING).required()
                    .description("Sender address of the From header, e.g. news@example.com"),
            ConfigKey.of(FROM_NAME, ConfigType.STRING)
                    .description("Display name of the From header, e.g. Example Shop"),
            ConfigKey.of(REPLY_TO, ConfigType.STRING)
                    .description("Reply-To address; unset: replies go to from"),
            ConfigKey.of(BOUNCE_ADDRESS, ConfigType.STRING)
                    .description("Envelope sender (MAIL FROM, Return-Path) where servers send bounces; unset: from. "
                            + "With bounce-mode imap, the address of the bounce mailbox"),
            ConfigKey.of(RATE_PER_SECOND, ConfigType.DOUBLE).defaultValue("10")
                    .description("At most this many messages per second per hub node (0: no limit)"),
            ConfigKey.of(CONNECTION_TIMEOUT, ConfigType.DURATION).defaultValue("30s")
                    .description("Connect and read timeout for the SMTP and IMAP servers"),
            ConfigKey.of(BOUNCE_MODE, ConfigType.STRING).defaultValue("none").allowedValues("none", "imap", "webhook")
                    .description("Where bounces come from: none; imap: DSN mails polled from a mailbox; "
                            + "webhook: a SendGrid-style event webhook at /hooks/email/events"),
            ConfigKey.of(IMAP_HOST, ConfigType.STRING)
                    .description("IMAP server of the bounce mailbox (bounce-mode imap)"),
            ConfigKey.of(IMAP_PORT, ConfigType.INT)
                    .description("IMAP port; unset: 993 with imap-security tls, else 143"),
            ConfigKey.of(IMAP_SECURITY, ConfigType.STRING).defaultValue("tls").allowedValues("none", "starttls", "tls")
                    .description("none: plain IMAP; starttls: upgrade with STARTTLS (required); tls: implicit TLS (imaps)"),
            ConfigKey.of(IMAP_USERNAME, ConfigType.STRING)
                    .description("IMAP login of the bounce mailbox"),
            ConfigKey.of(IMAP_PASSWORD, ConfigType.STRING).secret()
                    .description("IMAP password of the bounce mailbox"),
            ConfigKey.of(IMAP_FOLDER, ConfigType.STRING).defaultValue("INBOX")
                    .description("Folder polled for DSNs; unseen mails only"),
            ConfigKey.of(IMAP_PROCESSED_FOLDER, ConfigType.STRING)
                    .description("Folder the recorded DSNs are moved to (created if missing); unset: they are marked seen and stay"),
            ConfigKey.of(IMAP_POLL_INTERVAL, ConfigType.DURATION).defaultValue("60s")
                    .description("How often the bounce mailbox is polled"),
            ConfigKey.of(WEBHOOK_TOKEN, ConfigType.STRING).secret()
                    .description("Shared secret of the event webhook (bounce-mode webhook), at least 16 characters: "
                            + "the provider calls /hooks/email/events?token=... or sends it as the Basic auth password"));

    private EmailSpec() {
    }
}
