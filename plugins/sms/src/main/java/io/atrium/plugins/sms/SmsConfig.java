package io.atrium.plugins.sms;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.ConfigType;
import io.atrium.plugin.api.PluginConfig;

import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.TypeOfNumber;

/**
 * The plugin's configuration, declared once ({@link #SPEC}), and the rules between keys that a
 * per-key spec cannot say (which keys a mode needs, what a template may use). {@link #parse}
 * collects every problem and reports them together, each naming its key; secret values never
 * appear in a message.
 */
final class SmsConfig {

    static final String MODE = "mode";
    static final String RATE = "rate-per-second";
    static final String SOURCE_ADDRESS = "source-address";

    static final String SMPP_HOST = "smpp-host";
    static final String SMPP_PORT = "smpp-port";
    static final String SYSTEM_ID = "system-id";
    static final String PASSWORD = "password";
    static final String SYSTEM_TYPE = "system-type";
    static final String SOURCE_TON = "source-ton";
    static final String SOURCE_NPI = "source-npi";
    static final String DEST_TON = "dest-ton";
    static final String DEST_NPI = "dest-npi";
    static final String REGISTERED_DELIVERY = "registered-delivery";
    static final String ENQUIRE_LINK = "enquire-link-interval";
    static final String RECONNECT_DELAY = "reconnect-delay";

    static final String HTTP_URL = "http-url";
    static final String HTTP_METHOD = "http-method";
    static final String HTTP_BODY = "http-body";
    static final String HTTP_CONTENT_TYPE = "http-content-type";
    static final String HTTP_AUTH = "http-auth";
    static final String HTTP_USERNAME = "http-username";
    static final String HTTP_PASSWORD = "http-password";
    static final String HTTP_TOKEN = "http-token";
    static final String HTTP_ACCEPTED = "http-accepted-status";
    static final String HTTP_ID_PATTERN = "http-id-pattern";
    static final String HTTP_TIMEOUT = "http-timeout";
    static final String CALLBACK_PATH = "callback-path";
    static final String INBOUND_PATH = "inbound-path";
    static final String CALLBACK_TOKEN = "callback-token";

    static final ConfigSpec SPEC = ConfigSpec.of(
            ConfigKey.of(MODE, ConfigType.STRING).defaultValue("smpp").allowedValues("smpp", "http")
                    .description("smpp: talk SMPP 3.4 to an SMSC; http: call an HTTP gateway (Kannel sendsms, a REST API)"),
            ConfigKey.of(RATE, ConfigType.DOUBLE).defaultValue("20")
                    .description("At most this many messages per second per hub node (0: no limit); the hub paces the channel to it"),
            ConfigKey.of(SOURCE_ADDRESS, ConfigType.STRING)
                    .description("Sender: alphanumeric sender id, short code or +E.164 number; required in smpp mode, {from} in http mode"),

            ConfigKey.of(SMPP_HOST, ConfigType.STRING)
                    .description("SMSC host name or address (required in smpp mode)"),
            ConfigKey.of(SMPP_PORT, ConfigType.INT).defaultValue("2775")
                    .description("SMSC port"),
            ConfigKey.of(SYSTEM_ID, ConfigType.STRING)
                    .description("SMPP system_id to bind with (required in smpp mode)"),
            ConfigKey.of(PASSWORD, ConfigType.STRING).secret()
                    .description("SMPP bind password"),
            ConfigKey.of(SYSTEM_TYPE, ConfigType.STRING)
                    .description("SMPP system_type, if the SMSC wants one"),
            ConfigKey.of(SOURCE_TON, ConfigType.INT)
                    .description("TON of source-address (0-6); unset: 5 for a sender id with letters, 1 for +digits, 0 for other digits"),
            ConfigKey.of(SOURCE_NPI, ConfigType.INT)
                    .description("NPI of source-address; unset: 0 for a sender id with letters, else 1"),
            ConfigKey.of(DEST_TON, ConfigType.INT).defaultValue("1")
                    .description("TON of destination numbers (1: international, the hub's numbers are E.164)"),
            ConfigKey.of(DEST_NPI, ConfigType.INT).defaultValue("1")
                    .description("NPI of destination numbers (1: ISDN/E.164)"),
            ConfigKey.of(REGISTERED_DELIVERY, ConfigType.BOOLEAN).defaultValue("true")
                    .description("Ask the SMSC for a delivery receipt of every message"),
            ConfigKey.of(ENQUIRE_LINK, ConfigType.DURATION).defaultValue("30s")
                    .description("How often an idle SMPP session is checked with enquire_link"),
            ConfigKey.of(RECONNECT_DELAY, ConfigType.DURATION).defaultValue("5s")
                    .description("Wait between attempts to bind again after the SMSC was lost"),

            ConfigKey.of(HTTP_URL, ConfigType.STRING)
                    .description("Gateway send URL, a template with {to} {msisdn} {from} {text} {coding} {id} {dlrUrl} "
                            + "{callbackUrl} {username} {password} {token}, URL-encoded (required in http mode)"),
            ConfigKey.of(HTTP_METHOD, ConfigType.STRING).defaultValue("GET").allowedValues("GET", "POST")
                    .description("GET (parameters in http-url) or POST (http-body)"),
            ConfigKey.of(HTTP_BODY, ConfigType.STRING)
                    .description("POST body template, same placeholders, escaped for http-content-type (JSON, form or XML)"),
            ConfigKey.of(HTTP_CONTENT_TYPE, ConfigType.STRING)
                    .description("Content-Type of POST bodies; unset: application/json if http-body starts with { or [, "
                            + "else application/x-www-form-urlencoded"),
            ConfigKey.of(HTTP_AUTH, ConfigType.STRING).defaultValue("none").allowedValues("none", "basic", "bearer")
                    .description("Authorization header: none, basic (http-username/http-password) or bearer (http-token)"),
            ConfigKey.of(HTTP_USERNAME, ConfigType.STRING)
                    .description("User for http-auth basic, and {username}"),
            ConfigKey.of(HTTP_PASSWORD, ConfigType.STRING).secret()
                    .description("Password for http-auth basic, and {password}"),
            ConfigKey.of(HTTP_TOKEN, ConfigType.STRING).secret()
                    .description("Token for http-auth bearer, and {token}"),
            ConfigKey.of(HTTP_ACCEPTED, ConfigType.STRING).defaultValue("2xx")
                    .description("HTTP statuses that mean accepted: codes, classes or ranges, e.g. 2xx or 200,202 or 200-299"),
            ConfigKey.of(HTTP_ID_PATTERN, ConfigType.STRING)
                    .description("Where the provider's message id is in the answer: a JSON pointer (/messages/0/id) "
                            + "or a regular expression (its first group, else the whole match)"),
            ConfigKey.of(HTTP_TIMEOUT, ConfigType.DURATION).defaultValue("10s")
                    .description("Connect and answer timeout of a send request"),
            ConfigKey.of(CALLBACK_PATH, ConfigType.STRING).defaultValue("/hooks/sms/dlr")
                    .description("Path of the delivery-report callback on the hub (http mode)"),
            ConfigKey.of(INBOUND_PATH, ConfigType.STRING).defaultValue("/hooks/sms/inbound")
                    .description("Path where the gateway delivers replies (MO messages) on the hub (http mode)"),
            ConfigKey.of(CALLBACK_TOKEN, ConfigType.STRING).secret()
                    .description("Shared secret the callbacks must carry as ?token=, 16 or more of A-Z a-z 0-9 . _ ~ - "
                            + "(required in http mode)"));

    /** Keys without a default that one mode needs: key to mode. */
    static final Map<String, String> REQUIRED_IN_MODE = Map.of(SMPP_HOST, "smpp", SYSTEM_ID, "smpp", SOURCE_ADDRESS, "smpp",
            HTTP_URL, "http", CALLBACK_TOKEN, "http");

    /** Keys that only mean something in one mode and have no default (so "set" means the admin set them). */
    private static final List<String> SMPP_ONLY = List.of(SMPP_HOST, SYSTEM_ID, PASSWORD, SYSTEM_TYPE, SOURCE_TON, SOURCE_NPI);
    private static final List<String> HTTP_ONLY = List.of(HTTP_URL, HTTP_BODY, HTTP_CONTENT_TYPE, HTTP_USERNAME,
            HTTP_PASSWORD, HTTP_TOKEN, HTTP_ID_PATTERN, CALLBACK_TOKEN);

    private SmsConfig() {
    }

    /** The validated settings of one mode: {@link SmppSettings} or {@link HttpSettings}. */
    sealed interface Settings permits SmppSettings, HttpSettings {
        double ratePerSecond();
    }

    /**
     * Checks the rules between keys and builds the settings of the configured mode.
     *
     * @throws IllegalArgumentException naming every offending key
     */
    static Settings parse(PluginConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        String mode = config.getString(MODE);
        double rate = config.getDouble(RATE);
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            problems.add(new ConfigProblem(RATE, "key '" + RATE + "' must be 0 (no limit) or a positive number, got " + rate));
        }
        for (String key : mode.equals("smpp") ? HTTP_ONLY : SMPP_ONLY) {
            if (string(config, key).isPresent()) {
                problems.add(new ConfigProblem(key, "key '" + key + "' only applies to mode "
                        + (mode.equals("smpp") ? "http" : "smpp") + ", but mode is " + mode));
            }
        }
        Settings settings = mode.equals("smpp") ? smpp(config, rate, problems) : http(config, rate, problems);
        if (!problems.isEmpty()) {
            List<String> messages = problems.stream().map(ConfigProblem::message).toList();
            throw new IllegalArgumentException("sms plugin configuration: " + String.join("; ", messages));
        }
        return settings;
    }

    /** The configuration for the log: secrets masked, and the keys of the other mode left out. */
    static Map<String, Object> shown(PluginConfig config) {
        boolean smpp = config.getString(MODE).equals("smpp");
        Map<String, Object> shown = new java.util.LinkedHashMap<>(config.masked());
        shown.keySet().removeIf(key -> smpp ? key.startsWith("http-") || HTTP_ONLY.contains(key)
                || key.equals(CALLBACK_PATH) || key.equals(INBOUND_PATH)
                : key.startsWith("smpp-") || SMPP_ONLY.contains(key) || key.equals(DEST_TON) || key.equals(DEST_NPI)
                || key.equals(REGISTERED_DELIVERY) || key.equals(ENQUIRE_LINK) || key.equals(RECONNECT_DELAY));
        return shown;
    }

    private static SmppSettings smpp(PluginConfig config, double rate, List<ConfigProblem> problems) {
        String host = requiredIn(config, SMPP_HOST, "smpp", problems);
        String systemId = requiredIn(config, SYSTEM_ID, "smpp", problems);
        String source = requiredIn(config, SOURCE_ADDRESS, "smpp", problems);
        int port = config.getInt(SMPP_PORT);
        if (port < 1 || port > 65535) {
            problems.add(new ConfigProblem(SMPP_PORT, "key '" + SMPP_PORT + "' must be a TCP port 1-65535, got " + port));
        }
        if (systemId != null && systemId.length() > 15) {
            problems.add(new ConfigProblem(SYSTEM_ID, "key '" + SYSTEM_ID + "' is at most 15 characters in SMPP 3.4, got "
                    + systemId.length()));
        }
        String password = string(config, PASSWORD).orElse("");
        if (password.length() > 8) {
            // Say the length, never the value.
            problems.add(new ConfigProblem(PASSWORD, "key '" + PASSWORD + "' is at most 8 characters in SMPP 3.4, got "
                    + password.length()));
        }
        if (source != null && source.length() > 20) {
            problems.add(new ConfigProblem(SOURCE_ADDRESS, "key '" + SOURCE_ADDRESS
                    + "' is at most 20 characters in SMPP 3.4, got " + source.length()));
        }
        byte sourceTon = ton(config, SOURCE_TON, source == null ? (byte) 0 : PhoneNumbers.sourceTon(source), problems);
        byte sourceNpi = npi(config, SOURCE_NPI, source == null ? (byte) 0 : PhoneNumbers.sourceNpi(source), problems);
        byte destTon = ton(config, DEST_TON, (byte) 1, problems);
        byte destNpi = npi(config, DEST_NPI, (byte) 1, problems);
        Duration enquire = positive(config, ENQUIRE_LINK, problems);
        Duration reconnect = positive(config, RECONNECT_DELAY, problems);
        return new SmppSettings(rate, host, port, systemId, password, string(config, SYSTEM_TYPE).orElse(""),
                source == null ? null : PhoneNumbers.smppSource(source, sourceTon), sourceTon, sourceNpi, destTon, destNpi,
                config.getBoolean(REGISTERED_DELIVERY), enquire, reconnect);
    }

    private static HttpSettings http(PluginConfig config, double rate, List<ConfigProblem> problems) {
        String method = config.getString(HTTP_METHOD);
        String auth = config.getString(HTTP_AUTH);
        Optional<String> username = string(config, HTTP_USERNAME);
        Optional<String> password = string(config, HTTP_PASSWORD);
        Optional<String> token = string(config, HTTP_TOKEN);
        String callbackToken = requiredIn(config, CALLBACK_TOKEN, "http", problems);
        if (callbackToken != null && !callbackToken.matches("[A-Za-z0-9._~-]{16,}")) {
            // Kannel reads '%' in a dlr-url as its own escapes, so the token must need no percent-encoding.
            problems.add(new ConfigProblem(CALLBACK_TOKEN, "key '" + CALLBACK_TOKEN + "' must be at least 16 characters "
                    + "of letters, digits, '.', '_', '~' and '-' (it goes into callback URLs as is), e.g. the output of "
                    + "'openssl rand -hex 16'"));
        }

        Template url = null;
        String rawUrl = requiredIn(config, HTTP_URL, "http", problems);
        if (rawUrl != null) {
            url = template(rawUrl, HTTP_URL, problems);
            if (url != null) {
                checkUrl(url, problems);
            }
        }
        Template body = null;
        Optional<String> rawBody = string(config, HTTP_BODY);
        if (method.equals("POST")) {
            if (rawBody.isEmpty()) {
                problems.add(new ConfigProblem(HTTP_BODY, "key '" + HTTP_BODY + "' is required with http-method POST: "
                        + "the body template, e.g. {\"to\":\"{to}\",\"text\":\"{text}\"}"));
            } else {
                body = template(rawBody.get(), HTTP_BODY, problems);
            }
        } else {
            if (rawBody.isPresent()) {
                problems.add(new ConfigProblem(HTTP_BODY, "key '" + HTTP_BODY
                        + "' is only sent with http-method POST; with GET put the placeholders in http-url"));
            }
            if (string(config, HTTP_CONTENT_TYPE).isPresent()) {
                problems.add(new ConfigProblem(HTTP_CONTENT_TYPE, "key '" + HTTP_CONTENT_TYPE
                        + "' is only used with http-method POST"));
            }
        }
        String contentType = string(config, HTTP_CONTENT_TYPE).orElseGet(() -> rawBody
                .map(b -> b.strip().startsWith("{") || b.strip().startsWith("[") ? "application/json"
                        : "application/x-www-form-urlencoded")
                .orElse(null));

        switch (auth) {
            case "basic" -> {
                if (username.isEmpty()) {
                    problems.add(new ConfigProblem(HTTP_USERNAME, "key '" + HTTP_USERNAME + "' is required with http-auth basic"));
                }
                if (password.isEmpty()) {
                    problems.add(new ConfigProblem(HTTP_PASSWORD, "key '" + HTTP_PASSWORD + "' is required with http-auth basic"));
                }
            }
            case "bearer" -> {
                if (token.isEmpty()) {
                    problems.add(new ConfigProblem(HTTP_TOKEN, "key '" + HTTP_TOKEN + "' is required with http-auth bearer"));
                }
            }
            default -> {
            }
        }
        for (Template t : new Template[] {url, body}) {
            if (t == null) {
                continue;
            }
            needs(t, "username", HTTP_USERNAME, username, problems);
            needs(t, "password", HTTP_PASSWORD, password, problems);
            needs(t, "token", HTTP_TOKEN, token, problems);
            if (t.placeholders().contains("from") && string(config, SOURCE_ADDRESS).isEmpty()) {
                problems.add(new ConfigProblem(SOURCE_ADDRESS, "key '" + t.key() + "' uses {from} but key '"
                        + SOURCE_ADDRESS + "' is not set"));
            }
        }

        AcceptedStatus accepted = null;
        try {
            accepted = AcceptedStatus.parse(config.getString(HTTP_ACCEPTED));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(HTTP_ACCEPTED, "key '" + HTTP_ACCEPTED + "' " + e.getMessage()));
        }
        ProviderId providerId = null;
        Optional<String> idPattern = string(config, HTTP_ID_PATTERN);
        if (idPattern.isPresent()) {
            try {
                providerId = ProviderId.parse(idPattern.get());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(HTTP_ID_PATTERN, "key '" + HTTP_ID_PATTERN + "' " + e.getMessage()));
            }
        }
        Duration timeout = positive(config, HTTP_TIMEOUT, problems);
        String callbackPath = path(config, CALLBACK_PATH, problems);
        String inboundPath = path(config, INBOUND_PATH, problems);
        if (callbackPath != null && callbackPath.equals(inboundPath)) {
            problems.add(new ConfigProblem(INBOUND_PATH, "keys '" + CALLBACK_PATH + "' and '" + INBOUND_PATH
                    + "' must be different paths, both are " + callbackPath));
        }
        return new HttpSettings(rate, url, method, body, contentType, auth, username.orElse(null), password.orElse(null),
                token.orElse(null), accepted, providerId, timeout, callbackPath, inboundPath, callbackToken,
                string(config, SOURCE_ADDRESS).orElse(""));
    }

    private static void checkUrl(Template url, List<ConfigProblem> problems) {
        Map<String, String> sample = new java.util.HashMap<>();
        for (String p : Template.PLACEHOLDERS) {
            sample.put(p, "x");
        }
        String rendered = url.render(sample, Template.Escaping.URL);
        try {
            URI uri = URI.create(rendered);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                problems.add(new ConfigProblem(HTTP_URL, "key '" + HTTP_URL
                        + "' must be an absolute http:// or https:// URL with a host"));
            }
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(HTTP_URL, "key '" + HTTP_URL + "' is not a valid URL once its placeholders are "
                    + "filled in (characters such as spaces must be percent-encoded)"));
        }
    }

    private static Template template(String raw, String key, List<ConfigProblem> problems) {
        try {
            return Template.parse(raw, key);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(key, e.getMessage()));
            return null;
        }
    }

    private static void needs(Template t, String placeholder, String key, Optional<String> value, List<ConfigProblem> problems) {
        if (t.placeholders().contains(placeholder) && value.isEmpty()) {
            problems.add(new ConfigProblem(key, "key '" + t.key() + "' uses {" + placeholder + "} but key '" + key
                    + "' is not set"));
        }
    }

    private static String requiredIn(PluginConfig config, String key, String mode, List<ConfigProblem> problems) {
        assert mode.equals(REQUIRED_IN_MODE.get(key)) : key;
        Optional<String> v = string(config, key);
        if (v.isEmpty()) {
            problems.add(new ConfigProblem(key, "missing key '" + key + "', required in mode " + mode + " ("
                    + SPEC.key(key).description() + ")"));
            return null;
        }
        return v.get();
    }

    private static Optional<String> string(PluginConfig config, String key) {
        return config.get(key).map(Object::toString).filter(s -> !s.isBlank());
    }

    private static byte ton(PluginConfig config, String key, byte derived, List<ConfigProblem> problems) {
        Optional<Object> v = config.get(key);
        if (v.isEmpty()) {
            return derived;
        }
        int n = (Integer) v.get();
        try {
            TypeOfNumber.valueOf((byte) n);
            if (n < 0 || n > 6) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be an SMPP type of number 0-6 "
                    + "(0 unknown, 1 international, 2 national, 3 network specific, 4 subscriber, 5 alphanumeric, "
                    + "6 abbreviated), got " + n));
        }
        return (byte) n;
    }

    private static final Set<Integer> NPIS = Set.of(0, 1, 3, 4, 6, 8, 9, 10, 14, 18);

    private static byte npi(PluginConfig config, String key, byte derived, List<ConfigProblem> problems) {
        Optional<Object> v = config.get(key);
        if (v.isEmpty()) {
            return derived;
        }
        int n = (Integer) v.get();
        boolean known = NPIS.contains(n);
        if (known) {
            try {
                NumberingPlanIndicator.valueOf((byte) n);
            } catch (IllegalArgumentException e) {
                known = false;
            }
        }
        if (!known) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be an SMPP numbering plan indicator "
                    + "(0 unknown, 1 ISDN/E.164, 3 data, 4 telex, 6 land mobile, 8 national, 9 private, 10 ERMES, "
                    + "14 internet, 18 WAP), got " + n));
        }
        return (byte) n;
    }

    private static Duration positive(PluginConfig config, String key, List<ConfigProblem> problems) {
        Duration d = config.getDuration(key);
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be a positive duration below 24 days, got " + d));
            return Duration.ofSeconds(1);
        }
        return d;
    }

    private static String path(PluginConfig config, String key, List<ConfigProblem> problems) {
        String p = config.getString(key).strip();
        if (!p.matches("/[A-Za-z0-9._~/-]*")) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be a path starting with '/' (letters, digits, "
                    + "'.', '_', '~', '-', '/'), got '" + p + "'"));
            return null;
        }
        return p;
    }
}
