package io.atrium.plugins.viber;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;

/**
 * The plugin's configuration, typed, with the checks the spec's types cannot express. Its
 * {@link #toString()} masks the auth token.
 */
record ViberSettings(String authToken, URI apiUrl, String senderName, URI senderAvatar, int minApiVersion,
                     String webhookPath, boolean registerWebhook, Duration requestTimeout, double ratePerSecond) {

    /** Viber shows at most this many characters of a sender name. */
    static final int MAX_SENDER_NAME = 28;

    /**
     * Reads and checks {@code config}.
     *
     * @throws IllegalArgumentException naming every offending key and what it expects
     */
    static ViberSettings from(PluginConfig config) {
        ViberSettings s = new ViberSettings(
                config.getString(ViberConnector.AUTH_TOKEN),
                config.getUrl(ViberConnector.API_URL),
                config.getString(ViberConnector.SENDER_NAME),
                (URI) config.get(ViberConnector.SENDER_AVATAR).orElse(null),
                config.getInt(ViberConnector.MIN_API_VERSION),
                config.getString(ViberConnector.WEBHOOK_PATH),
                config.getBoolean(ViberConnector.REGISTER_WEBHOOK),
                config.getDuration(ViberConnector.REQUEST_TIMEOUT),
                config.getDouble(ViberConnector.RATE_PER_SECOND));
        List<String> problems = s.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("configuration of plugin 'viber': " + String.join("; ", problems));
        }
        return s;
    }

    /** What is wrong beyond the types: each entry names its key. */
    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (authToken.isBlank()) {
            p.add("key '" + ViberConnector.AUTH_TOKEN + "' must not be blank");
        }
        if (!isHttp(apiUrl)) {
            p.add("key '" + ViberConnector.API_URL + "' expects an http or https URL but got '" + apiUrl + "'");
        }
        if (senderName.isBlank()) {
            p.add("key '" + ViberConnector.SENDER_NAME + "' must not be blank");
        } else if (senderName.length() > MAX_SENDER_NAME) {
            p.add("key '" + ViberConnector.SENDER_NAME + "' expects at most " + MAX_SENDER_NAME
                    + " characters (Viber's limit) but got " + senderName.length() + ": '" + senderName + "'");
        }
        if (senderAvatar != null && !isHttp(senderAvatar)) {
            p.add("key '" + ViberConnector.SENDER_AVATAR + "' expects an http or https URL but got '" + senderAvatar + "'");
        }
        if (minApiVersion < 1) {
            p.add("key '" + ViberConnector.MIN_API_VERSION + "' expects an integer of at least 1 but got " + minApiVersion);
        }
        if (!webhookPath.startsWith("/") || webhookPath.contains("?") || webhookPath.contains("#")
                || webhookPath.chars().anyMatch(Character::isWhitespace)) {
            p.add("key '" + ViberConnector.WEBHOOK_PATH + "' expects a path starting with '/' (no query, no spaces) but got '"
                    + webhookPath + "'");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            p.add("key '" + ViberConnector.REQUEST_TIMEOUT + "' expects a positive duration but got " + requestTimeout);
        }
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            p.add("key '" + ViberConnector.RATE_PER_SECOND + "' expects a number >= 0 (0: no limit) but got " + ratePerSecond);
        }
        return p;
    }

    /** {@code api-url} + "/" + method, whether or not the URL ends with a slash. */
    URI method(String method) {
        String base = apiUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/" + method);
    }

    private static boolean isHttp(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("http") || scheme.equals("https");
    }

    @Override
    public String toString() {
        return "ViberSettings[authToken=" + ConfigSpec.MASK + ", apiUrl=" + apiUrl + ", senderName=" + senderName
                + ", senderAvatar=" + senderAvatar + ", minApiVersion=" + minApiVersion + ", webhookPath=" + webhookPath
                + ", registerWebhook=" + registerWebhook + ", requestTimeout=" + requestTimeout
                + ", ratePerSecond=" + ratePerSecond + "]";
    }
}
