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
        List<String> problems = new ArrayList<>();

        String smtpHost = config.getString(SMTP_HOST).trim();
        int smtpPort = config.getInt(SMTP_PORT);
        checkPort(problems, SMTP_PORT, smtpPort);
        String smtpUsername = optional(config, SMTP_USERNAME);
        String smtpPassword = optional(config, SMTP_PASSWORD);
        if (smtpPassword != null && smtpUsername == null) {
            problems.add("key '" + SMTP_PASSWORD + "' is set but '" + SMTP_USERNAME + "' is not: set both for SMTP AUTH, or neither");
        }
        if (smtpUsername != null && smtpPassword == null) {
            problems.add("key '" + SMTP_USERNAME + "' is set but '" + SMTP_PASSWORD + "' is not: set both for SMTP AUTH, or neither");
        }

        String from = address(problems, FROM, config.getString(FROM));
        String replyTo = optional(config, REPLY_TO) == null ? null : address(problems, REPLY_TO, optional(config, REPLY_TO));
        String bounceAddress = optional(config, BOUNCE_ADDRESS) == null
                ? null : address(problems, BOUNCE_ADDRESS, optional(config, BOUNCE_ADDRESS));
        String fromName = optional(config, FROM_NAME);
        if (fromName != null && (fromName.indexOf('\r') >= 0 || fromName.indexOf('\n') >= 0)) {
            problems.add("key '" + FROM_NAME + "' must be one line");
        }

        double rate = config.getDouble(RATE_PER_SECOND);
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            problems.add("key '" + RATE_PER_SECOND + "' must be a number >= 0 (0: no limit), got " + rate);
        }
        Duration timeout = config.getDuration(CONNECTION_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            problems.add("key '" + CONNECTION_TIMEOUT + "' must be a positive duration of at most 24 days, such as 30s, got " + timeout);
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
            requireFor(problems, mode, IMAP_HOST, imapHost, "the IMAP server of the bounce mailbox");
            requireFor(problems, mode, IMAP_USERNAME, imapUsername, "the login of the bounce mailbox");
            requireFor(problems, mode, IMAP_PASSWORD, imapPassword, "the password of the bounce mailbox");
            checkPort(problems, IMAP_PORT, imapPort);
            if (imapFolder.isEmpty()) {
                problems.add("key '" + IMAP_FOLDER + "' must name a folder, such as INBOX");
            }
            if (imapProcessedFolder != null && imapProcessedFolder.equalsIgnoreCase(imapFolder)) {
                problems.add("key '" + IMAP_PROCESSED_FOLDER + "' must differ from '" + IMAP_FOLDER + "' ('" + imapFolder + "')");
            }
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                problems.add("key '" + IMAP_POLL_INTERVAL + "' must be a positive duration, such as 60s, got " + pollInterval);
            }
        } else {
            onlyFor(problems, mode, BounceMode.IMAP, IMAP_HOST, imapHost);
            onlyFor(problems, mode, BounceMode.IMAP, IMAP_PORT, imapPortValue);
            onlyFor(problems, mode, BounceMode.IMAP, IMAP_USERNAME, imapUsername);
            onlyFor(problems, mode, BounceMode.IMAP, IMAP_PASSWORD, imapPassword);
            onlyFor(problems, mode, BounceMode.IMAP, IMAP_PROCESSED_FOLDER, imapProcessedFolder);
        }

        String token = optional(config, WEBHOOK_TOKEN);
        if (mode == BounceMode.WEBHOOK) {
            requireFor(problems, mode, WEBHOOK_TOKEN, token, "the shared secret the provider's webhook sends");
            if (token != null && token.length() < MIN_WEBHOOK_TOKEN_LENGTH) {
                problems.add("key '" + WEBHOOK_TOKEN + "' must be at least " + MIN_WEBHOOK_TOKEN_LENGTH
                        + " characters long (the value given is shorter)");
            }
        } else {
            onlyFor(problems, mode, BounceMode.WEBHOOK, WEBHOOK_TOKEN, token);
        }

        if (smtpHost.isEmpty()) {
            problems.add("key '" + SMTP_HOST + "' must name the SMTP server");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
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

    private static String address(List<String> problems, String key, String value) {
        String v = value.trim();
        try {
            InternetAddress a = new InternetAddress(v, true);
            if (a.getPersonal() != null || !v.equals(a.getAddress())) {
                problems.add("key '" + key + "' must be a bare e-mail address such as news@example.com, got '" + v + "'"
                        + (key.equals(FROM) ? " (put the display name in '" + FROM_NAME + "')" : ""));
                return v;
            }
            if (a.getAddress().indexOf('@') < 0) {
                problems.add("key '" + key + "' must be an e-mail address with a domain, such as news@example.com, got '" + v + "'");
            }
            return a.getAddress();
        } catch (AddressException e) {
            problems.add("key '" + key + "' must be an e-mail address such as news@example.com, got '" + v + "' ("
                    + e.getMessage() + ")");
            return v;
        }
    }

    private static void checkPort(List<String> problems, String key, int port) {
        if (port < 1 || port > 65535) {
            problems.add("key '" + key + "' must be a port between 1 and 65535, got " + port);
        }
    }

    private static void requireFor(List<String> problems, BounceMode mode, String key, Object value, String what) {
        if (value == null) {
            problems.add("key '" + BOUNCE_MODE + "' is '" + mode.wireName() + "' but '" + key + "' is not set: set it to " + what);
        }
    }

    private static void onlyFor(List<String> problems, BounceMode mode, BounceMode needed, String key, Object value) {
        if (value != null) {
            problems.add("key '" + key + "' is set but '" + BOUNCE_MODE + "' is '" + mode.wireName() + "': it is used with '"
                    + BOUNCE_MODE + ": " + needed.wireName() + "' only; set that or remove '" + key + "'");
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
