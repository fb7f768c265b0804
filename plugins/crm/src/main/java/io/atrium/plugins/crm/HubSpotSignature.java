package io.atrium.plugins.crm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HubSpot's request signature v3: header {@code X-HubSpot-Signature-v3} is the base64 HMAC-SHA256,
 * keyed by the app's client secret, of the UTF-8 text {@code method + uri + body + timestamp}, where
 * {@code timestamp} is header {@code X-HubSpot-Request-Timestamp} (epoch milliseconds) and
 * {@code uri} is the full URL HubSpot called, with the URL-encoded characters {@code : / ? @ ! $ ' ( ) * , ;}
 * decoded. A timestamp more than 5 minutes away from the hub's clock is refused (a replay).
 */
final class HubSpotSignature {

    static final String HEADER = "X-HubSpot-Signature-v3";
    static final String TIMESTAMP = "X-HubSpot-Request-Timestamp";
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    private static final String ALGORITHM = "HmacSHA256";
    private static final Pattern ESCAPE = Pattern.compile("%(3[AaFf]|2[Ff]|40|21|24|27|28|29|2[Aa]|2[Cc]|3[Bb])");

    /** The outcome of a check. */
    enum Verdict {
        VALID, MISSING, BAD_TIMESTAMP, EXPIRED, WRONG;

        boolean ok() {
            return this == VALID;
        }
    }

    private final SecretKeySpec key;
    private final Clock clock;

    HubSpotSignature(String clientSecret, Clock clock) {
        if (clientSecret == null || clientSecret.isEmpty()) {
            throw new IllegalArgumentException("the client secret is empty");
        }
        this.key = new SecretKeySpec(clientSecret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.clock = clock;
    }

    /** The base64 signature of a request. */
    String sign(String method, String uri, byte[] body, String timestamp) {
        return Base64.getEncoder().encodeToString(mac(source(method, uri, body, timestamp)));
    }

    /**
     * Checks a request: the timestamp within {@link #MAX_AGE} of now, and the signature (compared in
     * constant time).
     */
    Verdict verify(String method, String uri, byte[] body, String signature, String timestamp) {
        if (signature == null || signature.isBlank() || timestamp == null || timestamp.isBlank()) {
            return Verdict.MISSING;
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return Verdict.BAD_TIMESTAMP;
        }
        long age = clock.millis() - ts;
        if (Math.abs(age) > MAX_AGE.toMillis()) {
            return Verdict.EXPIRED;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature.strip());
        } catch (IllegalArgumentException notBase64) {
            return Verdict.WRONG;
        }
        return MessageDigest.isEqual(mac(source(method, uri, body, timestamp.strip())), given) ? Verdict.VALID : Verdict.WRONG;
    }

    /** {@code uri} with the escapes HubSpot decodes before signing decoded. */
    static String canonicalUri(String uri) {
        Matcher m = ESCAPE.matcher(uri);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            char c = (char) Integer.parseInt(m.group(1), 16);
            m.appendReplacement(b, Matcher.quoteReplacement(String.valueOf(c)));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static byte[] source(String method, String uri, byte[] body, String timestamp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(method.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(canonicalUri(uri).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body == null ? new byte[0] : body);
        out.writeBytes(timestamp.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
