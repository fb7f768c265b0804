package io.atrium.plugins.crm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.EventRejectedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generic mode's webhooks: {@code POST <webhook-path>/contacts} and {@code <webhook-path>/deals}
 * with the changed records themselves (one record, an array, or an object with the array at
 * {@code generic-results-pointer}), read with the same field mapping as polling. Signed with the
 * hex or base64 HMAC-SHA256 of the raw body keyed by {@code client-secret} in
 * {@code generic-signature-header} (an optional {@code sha256=} prefix is allowed).
 *
 * <p>Answers 401 for a missing or wrong signature, 400 for a body that is not JSON, 200 once the hub
 * has the events, 503 when the hub's intake cannot take them now.
 */
final class GenericWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(GenericWebhook.class);

    private final SecretKeySpec key;
    private final GenericRecords records;
    private final JsonPointer resultsPointer;
    private final SyncProcessor processor;

    GenericWebhook(String clientSecret, GenericRecords records, JsonPointer resultsPointer, SyncProcessor processor) {
        this.key = new SecretKeySpec(clientSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.records = records;
        this.resultsPointer = resultsPointer;
        this.processor = processor;
    }

    HubSpotWebhook.Response handle(ObjectType type, byte[] body, String signature) {
        if (!verify(body, signature)) {
            return new HubSpotWebhook.Response(401, "{\"error\":\"unauthorized\",\"detail\":\"missing or wrong signature\"}");
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !(json.isArray() || json.isObject())) {
            return new HubSpotWebhook.Response(400, "{\"error\":\"malformed_body\",\"detail\":\"expected JSON records\"}");
        }
        List<SyncRecord> list = new ArrayList<>();
        for (JsonNode r : GenericRecords.records(json, resultsPointer)) {
            list.add(records.record(type, r));
        }
        try {
            int taken = processor.process(list, Map.of());
            return new HubSpotWebhook.Response(200, "{\"received\":" + list.size() + ",\"events\":" + taken + "}");
        } catch (EventRejectedException e) {
            LOG.warn("crm: the hub did not take a webhook's events ({})", e.getMessage());
            return new HubSpotWebhook.Response(e.isTransient() ? 503 : 500, "{\"error\":\"intake_unavailable\"}");
        }
    }

    /** The hex (either case) or base64 HMAC-SHA256 of the body, with or without {@code sha256=}; constant-time compare. */
    boolean verify(byte[] body, String signature) {
        if (signature == null) {
            return false;
        }
        String s = signature.strip();
        if (s.toLowerCase(Locale.ROOT).startsWith("sha256=")) {
            s = s.substring("sha256=".length());
        }
        byte[] given;
        try {
            given = s.length() == 64 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                    ? HexFormat.of().parseHex(s) : Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(body), given);
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
