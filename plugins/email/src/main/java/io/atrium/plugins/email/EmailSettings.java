package io.atrium.plugins.email;

import static io.atrium.plugins.email.EmailSpec.BOUNCE_ADDRESS;
import static io.atrium.plugins.email.EmailSpec.BOUNCE_MODE;
import static io.atrium.plugins.email.EmailSpec.CONNECTION_TIMEOUT;
import static io.atrium.plugins.email.EmailSpec.FROM;
import static io.atrium.plugins.email.EmailSpec.FROM_NAME;
import static io.atrium.plugins.email.EmailSpec.IMAP_FOLDER;
import static io.atrium.plugins.email.EmailSpec.IMAP_HOST;
import static io.atrium.plugins.email.EmailSpec.IMAP_PASSWORD;
import static io.atrium.plugins.email.EmailSpec.IMAP_POLL_INTERVAL;
import static io.atrium.plugins.email.EmailSpec.IMAP_PORT;
import static io.atrium.plugins.email.EmailSpec.IMAP_PROCESSED_FOLDER;
import static io.atrium.plugins.email.EmailSpec.IMAP_SECURITY;
import static io.atrium.plugins.email.EmailSpec.IMAP_USERNAME;
import static io.atrium.plugins.email.EmailSpec.RATE_PER_SECOND;
import static io.atrium.plugins.email.EmailSpec.REPLY_TO;
import static io.atrium.plugins.email.EmailSpec.SMTP_HOST;
import static io.atrium.plugins.email.EmailSpec.SMTP_PASSWORD;
import static io.atrium.plugins.email.EmailSpec.SMTP_PORT;
import static io.atrium.plugins.email.EmailSpec.SMTP_SECURITY;
import static io.atrium.plugins.email.EmailSpec.SMTP_USERNAME;
import static io.atrium.plugins.email.EmailSpec.WEBHOOK_TOKEN;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * The plugin's configuration in typed form, with the rules that span several keys checked:
 * {@link #from(PluginConfig)} collects every problem and reports them together, each naming its
 * key. {@link #toString()} never shows a password or token.
 */
record EmailSettings(
        String smtpHost, int smtpPort, Security smtpSecurity, String smtpUsername, String smtpPassword,
        String from, String fromName, String replyTo, String bounceAddress,
        double ratePerSecond, Duration connectionTimeout, BounceMode bounceMode,
        String imapHost, int imapPort, Security imapSecurity, String imapUsername, String imapPassword,
        String imapFolder, String imapProcessedFolder, Duration imapPollInterval,
        String webhookToken) {

    /** How a connection to a mail server is protected. */
    enum Security {
        /** Plain text. */
        NONE,
        /** Plain connect, then STARTTLS; the client refuses to go on if the server does not offer it. */
        STARTTLS,
        /** TLS from the first byte (smtps, imaps). */
        TLS;

        static Security of(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** Where bounces and other delivery reports come from. */
    enum BounceMode {
        NONE, IMAP, WEBHOOK;

        static BounceMode of(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final int MIN_WEBHOOK_TOKEN_LENGTH = 16;

    /**
     * Reads the configuration the hub validated against {@link EmailSpec#SPEC} and checks the rules
     * that span keys.
     *
     * @throws IllegalArgumentException naming every offending key; never quoting a secret
     */
    static EmailSettings from(PluginConfig config) {
        return ConfigSpec.settings(config, "invalid configuration", EmailSettings::build);
    }

    /**
     * Every problem of the rules that span keys, each with its key (for the hub to show at the
     * console form's field); nothing is opened or started.
     */
    static List<ConfigProblem> check(PluginConfig config) {
        return ConfigSpec.problems(config, EmailSettings::build);
    }

    /** The settings, or null when {@code problems} got any. */
    private static EmailSettings build(PluginConfig config, List<ConfigProblem> problems) {
        String smtpHost = config.getString(SMTP_HOST).trim();
        int smtpPort = config.getInt(SMTP_PORT);
        checkPort(problems, SMTP_PORT, smtpPort);
        String smtpUsername = optional(config, SMTP_USERNAME);
        String smtpPassword = optional(config, SMTP_PASSWORD);
        if (smtpPassword != null && smtpUsername == null) {
            problems.add(new ConfigProblem(SMTP_PASSWORD, "key '" + SMTP_PASSWORD + "' is set but '" + SMTP_USERNAME + "' is not: set both for SMTP AUTH, or neither"));
        }
        if (smtpUsername != null && smtpPassword == null) {
            problems.add(new ConfigProblem(SMTP_USERNAME, "key '" + SMTP_USERNAME + "' is set but '" + SMTP_PASSWORD + "' is not: set both for SMTP AUTH, or neither"));
        }

        String from = address(problems, FROM, config.getString(FROM));
        String replyTo = optional(config, REPLY_TO) == null ? null : address(problems, REPLY_TO, optional(config, REPLY_TO));
        String bounceAddress = optional(config, BOUNCE_ADDRESS) == null
                ? null : address(problems, BOUNCE_ADDRESS, optional(config, BOUNCE_ADDRESS));
        String fromName = optional(config, FROM_NAME);
        if (fromName != null && (fromName.indexOf('\r') >= 0 || fromName.indexOf('\n') >= 0)) {
            problems.add(new ConfigProblem(FROM_NAME, "key '" + FROM_NAME + "' must be one line"));
        }

        double rate = config.getDouble(RATE_PER_SECOND);
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            problems.add(new ConfigProblem(RATE_PER_SECOND, "key '" + RATE_PER_SECOND + "' must be a number >= 0 (0: no limit), got " + rate));
        }
        Duration timeout = config.getDuration(CONNECTION_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            problems.add(new ConfigProblem(CONNECTION_TIMEOUT, "key '" + CONNECTION_TIMEOUT + "' must be a positive duration of at most 24 days, such as 30s, got " + timeout));
        }

        BounceMode mode = BounceMode.of(config.getString(BOUNCE_MODE));

        String imapHost = optional(config, IMAP_HOST);
        Security imapSecurity = Security.of(config.getString(IMAP_SECURITY));
        Integer imapPortValue = (Integer) config.get(IMAP_PORT).orElse(null);
        int imapPort = imapPortValue != null ? imapPortValue : imapSecurity == Security.TLS ? 993 : 143;
        String imapUsername = optional(config, IMAP_USERNAME);
        String imapPassword = optional(config, IMAP_PASSWORD);
        String imapFolder = config.getString(IMAP_FOLDER).trim();
        String imapProcessedFolder = optional(config, IMAP_PROCESSED_FOLDER);
        Duration pollInterval = config.getDuration(IMAP_POLL_INTERVAL);
        if (mode == BounceMode.IMAP) {
            ConfigSpec.requiredWhen(config, IMAP_HOST, BOUNCE_MODE, "imap", "the IMAP server of the bounce mailbox").ifPresent(problems::add);
            ConfigSpec.requiredWhen(config, IMAP_USERNAME, BOUNCE_MODE, "imap", "the login of the bounce mailbox").ifPresent(problems::add);
            ConfigSpec.requiredWhen(config, IMAP_PASSWORD, BOUNCE_MODE, "imap", "the password of the bounce mailbox").ifPresent(problems::add);
            checkPort(problems, IMAP_PORT, imapPort);
            if (imapFolder.isEmpty()) {
                problems.add(new ConfigProblem(IMAP_FOLDER, "key '" + IMAP_FOLDER + "' must name a folder, such as INBOX"));
            }
            if (imapProcessedFolder != null && imapProcessedFolder.equalsIgnoreCase(imapFolder)) {
                problems.add(new ConfigProblem(IMAP_PROCESSED_FOLDER, "key '" + IMAP_PROCESSED_FOLDER + "' must differ from '" + IMAP_FOLDER + "' ('" + imapFolder + "')"));
            }
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                problems.add(new ConfigProblem(IMAP_POLL_INTERVAL, "key '" + IMAP_POLL_INTERVAL + "' must be a positive duration, such as 60s, got " + pollInterval));
            }
        } else {
            ConfigSpec.onlyWhen(config, IMAP_HOST, BOUNCE_MODE, "imap").ifPresent(problems::add);
            ConfigSpec.onlyWhen(config, IMAP_PORT, BOUNCE_MODE, "imap").ifPresent(problems::add);
            ConfigSpec.onlyWhen(config, IMAP_USERNAME, BOUNCE_MODE, "imap").ifPresent(problems::add);
            ConfigSpec.onlyWhen(config, IMAP_PASSWORD, BOUNCE_MODE, "imap").ifPresent(problems::add);
            ConfigSpec.onlyWhen(config, IMAP_PROCESSED_FOLDER, BOUNCE_MODE, "imap").ifPresent(problems::add);
        }

        String token = optional(config, WEBHOOK_TOKEN);
        if (mode == BounceMode.WEBHOOK) {
            ConfigSpec.requiredWhen(config, WEBHOOK_TOKEN, BOUNCE_MODE, "webhook", "the shared secret the provider's webhook sends").ifPresent(problems::add);
            if (token != null && token.length() < MIN_WEBHOOK_TOKEN_LENGTH) {
                problems.add(new ConfigProblem(WEBHOOK_TOKEN, "key '" + WEBHOOK_TOKEN + "' must be at least " + MIN_WEBHOOK_TOKEN_LENGTH
                        + " characters long (the value given is shorter)"));
            }
        } else {
            ConfigSpec.onlyWhen(config, WEBHOOK_TOKEN, BOUNCE_MODE, "webhook").ifPresent(problems::add);
        }

        if (smtpHost.isEmpty()) {
            problems.add(new ConfigProblem(SMTP_HOST, "key '" + SMTP_HOST + "' must name the SMTP server"));
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new EmailSettings(smtpHost, smtpPort, Security.of(config.getString(SMTP_SECURITY)), smtpUsername,
                smtpPassword, from, fromName, replyTo, bounceAddress, rate, timeout, mode,
                imapHost, imapPort, imapSecurity, imapUsername, imapPassword, imapFolder, imapProcessedFolder,
                pollInterval, token);
    }

    /** The envelope sender: {@link #bounceAddress()} or else {@link #from()}. */
    String envelopeFrom() {
        return bounceAddress != null ? bounceAddress : from;
    }

    private static String optional(PluginConfig config, String key) {
        Object v = config.get(key).orElse(null);
        if (v == null) {
            return null;
        }
        String s = v.toString().trim();
        return s.isEmpty() ? null : s;
    }

    private static String address(List<ConfigProblem> problems, String key, String value) {
        String v = value.trim();
        try {
            InternetAddress a = new InternetAddress(v, true);
            if (a.getPersonal() != null || !v.equals(a.getAddress())) {
                problems.add(new ConfigProblem(key, "key '" + key + "' must be a bare e-mail address such as news@example.com, got '" + v + "'"
                        + (key.equals(FROM) ? " (put the display name in '" + FROM_NAME + "')" : "")));
                return v;
            }
            if (a.getAddress().indexOf('@') < 0) {
                problems.add(new ConfigProblem(key, "key '" + key + "' must be an e-mail address with a domain, such as news@example.com, got '" + v + "'"));
            }
            return a.getAddress();
        } catch (AddressException e) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be an e-mail address such as news@example.com, got '" + v + "' ("
                    + e.getMessage() + ")"));
            return v;
        }
    }

    private static void checkPort(List<ConfigProblem> problems, String key, int port) {
        if (port < 1 || port > 65535) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be a port between 1 and 65535, got " + port));
        }
    }

    @Override
    public String toString() {
        return "EmailSettings[smtp=" + smtpSecurity.name().toLowerCase(Locale.ROOT) + "://" + smtpHost + ":" + smtpPort
                + (smtpUsername == null ? "" : " as " + smtpUsername + " (password " + (smtpPassword == null ? "unset" : "set") + ")")
                + ", from=" + from + ", bounceMode=" + bounceMode.wireName()
                + (bounceMode == BounceMode.IMAP ? ", imap=" + imapSecurity.name().toLowerCase(Locale.ROOT) + "://"
                        + imapHost + ":" + imapPort + "/" + imapFolder : "")
                + "]";
    }
}
