package io.atrium.plugins.viber;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Viber's callback signature: header {@code X-Viber-Content-Signature} is the hex HMAC-SHA256 of
 * the raw request body, keyed by the bot's authentication token.
 */
final class ViberSignature {

    static final String HEADER = "X-Viber-Content-Signature";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    ViberSignature(String authToken) {
        if (authToken == null || authToken.isEmpty()) {
            throw new IllegalArgumentException("the auth token is empty");
        }
        this.key = new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The lower-case hex signature of {@code body}. */
    String sign(byte[] body) {
        return HexFormat.of().formatHex(mac(body));
    }

    /**
     * True if {@code signature} (hex, either case) is the signature of {@code body}. The comparison
     * takes the same time wherever the first differing byte is; a missing or malformed header is false.
     */
    boolean verify(byte[] body, String signature) {
        if (signature == null) {
            return false;
        }
        String s = signature.strip();
        if (s.length() != 64) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(mac(body), given);
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
