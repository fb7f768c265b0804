package io.atrium.plugins.viber;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Viber's callbacks into the hub's channel feedback. Independent of Camel: the webhook
 * route hands it the raw body and the signature header and answers with what it returns.
 *
 * <ul>
 *   <li>no or a wrong {@code X-Viber-Content-Signature}: 403, nothing recorded;</li>
 *   <li>signed but not a JSON object: 400;</li>
 *   <li>{@code delivered}, {@code seen}, {@code failed}: a status of the message whose
 *       {@code message_token} the send returned;</li>
 *   <li>{@code message}: an inbound message; {@code unsubscribed}: an opt-out;</li>
 *   <li>{@code subscribed}, {@code conversation_started}, {@code webhook} and events this plugin
 *       does not know: acknowledged only;</li>
 *   <li>every signed callback the hub took is answered 200 with an empty body (Viber retries
 *       otherwise, and reads a body answering {@code conversation_started} as a welcome message);
 *       if the hub could not take it, 500, so that Viber sends it again.</li>
 * </ul>
 */
final class ViberWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(ViberWebhook.class);

    static final String UNSUBSCRIBED_DETAIL = "unsubscribed in Viber";

    /** What to answer Viber. */
    record Response(int httpStatus, String body) {
        static Response ok() {
            return new Response(200, "");
        }
    }

    private final ViberSignature signature;
    private final ChannelFeedback feedback;

    ViberWebhook(ViberSignature signature, ChannelFeedback feedback) {
        this.signature = signature;
        this.feedback = feedback;
    }

    Response handle(byte[] body, String signatureHeader) {
        byte[] raw = body == null ? new byte[0] : body;
        if (!signature.verify(raw, signatureHeader)) {
            LOG.warn("viber: refused a callback with {} {} header ({} bytes)",
                    signatureHeader == null ? "no" : "a wrong", ViberSignature.HEADER, raw.length);
            return new Response(403, "bad or missing " + ViberSignature.HEADER);
        }
        JsonNode event;
        try {
            event = ViberJson.MAPPER.readTree(raw);
        } catch (IOException e) {
            LOG.warn("viber: a signed callback is not JSON ({} bytes)", raw.length);
            return new Response(400, "the body is not JSON");
        }
        if (event == null || !event.isObject()) {
            LOG.warn("viber: a signed callback is not a JSON object");
            return new Response(400, "the body is not a JSON object");
        }
        String type = ViberJson.text(event, "event");
        try {
            dispatch(type == null ? "" : type.toLowerCase(Locale.ROOT), event);
        } catch (RuntimeException e) {
            LOG.error("viber: could not record a '{}' callback; answering 500 so that Viber sends it again", type, e);
            return new Response(500, "could not record the callback");
        }
        return Response.ok();
    }

    private void dispatch(String type, JsonNode event) {
        Instant at = timestamp(event);
        switch (type) {
            case "delivered" -> status(event, MessageStatus.DELIVERED, at, null, null);
            case "seen" -> status(event, MessageStatus.OPENED, at, null, null);
            case "failed" -> {
                String desc = ViberJson.text(event, "desc");
                status(event, MessageStatus.FAILED, at, failureReason(desc), desc);
            }
            case "message" -> inbound(event, at);
            case "unsubscribed" -> {
                String user = ViberJson.text(event, "user_id");
                if (user == null) {
                    LOG.warn("viber: an 'unsubscribed' callback has no user_id; ignored");
                } else {
                    feedback.optedOut(user, at, UNSUBSCRIBED_DETAIL);
                }
            }
            case "subscribed", "conversation_started", "webhook" -> LOG.debug("viber: '{}' callback acknowledged", type);
            default -> LOG.info("viber: callback of unknown event '{}' acknowledged and ignored", type);
        }
    }

    private void status(JsonNode event, MessageStatus status, Instant at, String reason, String detail) {
        String token = ViberJson.tokenText(event.get("message_token"));
        if (token == null) {
            LOG.warn("viber: a '{}' callback has no message_token; ignored", status.wireName());
            return;
        }
        StatusUpdate update = StatusUpdate.ofProviderMessage(token, status).at(at);
        if (reason != null || detail != null) {
            update = update.reason(reason, detail);
        }
        String user = ViberJson.text(event, "user_id");
        if (user != null) {
            update = update.attribute("viberUserId", user);
        }
        feedback.status(update);
    }

    private void inbound(JsonNode event, Instant at) {
        JsonNode sender = event.path("sender");
        String from = ViberJson.text(sender, "id");
        if (from == null) {
            LOG.warn("viber: a 'message' callback has no sender.id; ignored");
            return;
        }
        JsonNode message = event.path("message");
        Map<String, Object> attributes = new LinkedHashMap<>();
        putIfPresent(attributes, "senderName", ViberJson.text(sender, "name"));
        putIfPresent(attributes, "language", ViberJson.text(sender, "language"));
        putIfPresent(attributes, "country", ViberJson.text(sender, "country"));
        putIfPresent(attributes, "messageType", ViberJson.text(message, "type"));
        putIfPresent(attributes, "media", ViberJson.text(message, "media"));
        putIfPresent(attributes, "trackingData", ViberJson.text(message, "tracking_data"));
        JsonNode text = message.get("text");
        feedback.inbound(new InboundMessage(from, null, text == null || text.isNull() ? "" : text.asText(), at,
                ViberJson.tokenText(event.get("message_token")), attributes));
    }

    /** Viber's {@code desc} of a failed message, as a {@link FailureReason}. */
    static String failureReason(String desc) {
        String d = desc == null ? "" : desc.toLowerCase(Locale.ROOT);
        if (d.contains("not subscribed") || d.contains("unsubscribed") || d.contains("not registered")
                || d.contains("not a viber user")) {
            return FailureReason.NOT_A_USER;
        }
        return FailureReason.REJECTED;
    }

    /** Viber's {@code timestamp} (epoch milliseconds), or null (now) when absent. */
    private static Instant timestamp(JsonNode event) {
        JsonNode t = event.get("timestamp");
        if (t != null && t.isIntegralNumber() && t.canConvertToLong()) {
            return Instant.ofEpochMilli(t.longValue());
        }
        return null;
    }

    private static void putIfPresent(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
