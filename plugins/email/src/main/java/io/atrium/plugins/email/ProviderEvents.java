package io.atrium.plugins.email;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

/**
 * Reads a SendGrid-style event webhook body: a JSON array of events, each with {@code event},
 * {@code email}, {@code timestamp} (Unix seconds), {@code smtp-id}, {@code sg_event_id}, and the
 * message's custom arguments at the top level, among them {@code atrium_message_id}.
 *
 * <table>
 *   <caption>event → what the hub gets</caption>
 *   <tr><td>delivered</td><td>DELIVERED</td></tr>
 *   <tr><td>open</td><td>OPENED</td></tr>
 *   <tr><td>click</td><td>CLICKED with attribute {@code url}</td></tr>
 *   <tr><td>bounce</td><td>BOUNCED: {@code invalid_address} for status 5.1.x, else {@code rejected}</td></tr>
 *   <tr><td>dropped</td><td>FAILED: {@code invalid_address} for an invalid or bounced address, else {@code rejected}</td></tr>
 *   <tr><td>spamreport</td><td>opt-out of the address</td></tr>
 *   <tr><td>unsubscribe, group_unsubscribe</td><td>opt-out of the address, and UNSUBSCRIBED for the message</td></tr>
 *   <tr><td>processed, deferred, group_resubscribe, anything else</td><td>nothing (counted as ignored)</td></tr>
 * </table>
 */
final class ProviderEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProviderEvents() {
    }

    /** An opt-out the provider reported for an address. */
    record OptOut(String address, Instant at, String detail) {
    }

    /** What one webhook call amounts to. */
    record Batch(List<StatusUpdate> statuses, List<OptOut> optOuts, int ignored) {
    }

    /** The body is not what a provider sends; the message says what was expected. */
    static final class BadPayload extends Exception {
        BadPayload(String message) {
            super(message);
        }
    }

    static Batch parse(String body) throws BadPayload {
        if (body == null || body.isBlank()) {
            throw new BadPayload("the body is empty: expected a JSON array of events");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadPayload("the body is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new BadPayload("expected a JSON array of events, got " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        List<StatusUpdate> statuses = new ArrayList<>();
        List<OptOut> optOuts = new ArrayList<>();
        int ignored = 0;
        for (JsonNode event : root) {
            if (!event.isObject()) {
                ignored++;
                continue;
            }
            int before = statuses.size() + optOuts.size();
            read(event, statuses, optOuts);
            if (statuses.size() + optOuts.size() == before) {
                ignored++;
            }
        }
        return new Batch(List.copyOf(statuses), List.copyOf(optOuts), ignored);
    }

    private static void read(JsonNode e, List<StatusUpdate> statuses, List<OptOut> optOuts) {
        String type = text(e, "event");
        if (type == null) {
            return;
        }
        Instant at = e.hasNonNull("timestamp") && e.get("timestamp").canConvertToLong()
                ? Instant.ofEpochSecond(e.get("timestamp").asLong()) : null;
        String email = text(e, "email");
        switch (type.toLowerCase(Locale.ROOT)) {
            case "delivered" -> add(statuses, e, MessageStatus.DELIVERED, at, null, text(e, "response"));
            case "open" -> add(statuses, e, MessageStatus.OPENED, at, null, null);
            case "click" -> {
                StatusUpdate u = update(e, MessageStatus.CLICKED, at, null, null);
                if (u != null) {
                    String url = text(e, "url");
                    statuses.add(url == null ? u : u.attribute("url", url));
                }
            }
            case "bounce" -> {
                String status = text(e, "status");
                String reason = "blocked".equalsIgnoreCase(text(e, "type"))
                        ? FailureReason.REJECTED
                        : SmtpFailures.enhancedCode(status).filter(SmtpFailures::isBadRecipient).isPresent()
                                ? FailureReason.INVALID_ADDRESS : FailureReason.REJECTED;
                add(statuses, e, MessageStatus.BOUNCED, at, reason, join(status, text(e, "reason")));
            }
            case "dropped" -> {
                String why = text(e, "reason");
                String w = why == null ? "" : why.toLowerCase(Locale.ROOT);
                String reason = w.contains("invalid") && !w.contains("smtpapi") || w.contains("bounced address")
                        ? FailureReason.INVALID_ADDRESS : FailureReason.REJECTED;
                add(statuses, e, MessageStatus.FAILED, at, reason, why);
            }
            case "spamreport" -> {
                if (email != null) {
                    optOuts.add(new OptOut(email, at, "marked as spam (provider spam report)"));
                }
            }
            case "unsubscribe", "group_unsubscribe" -> {
                if (email != null) {
                    optOuts.add(new OptOut(email, at, "unsubscribed at the provider (" + type + ")"));
                }
                add(statuses, e, MessageStatus.UNSUBSCRIBED, at, null, null);
            }
            default -> {
                // processed, deferred, group_resubscribe and events of later API versions: nothing to record.
            }
        }
    }

    private static void add(List<StatusUpdate> out, JsonNode e, MessageStatus status, Instant at, String reason, String detail) {
        StatusUpdate u = update(e, status, at, reason, detail);
        if (u != null) {
            out.add(u);
        }
    }

    /** The update for the message the event names, by our custom argument or else by its smtp-id; null if neither. */
    private static StatusUpdate update(JsonNode e, MessageStatus status, Instant at, String reason, String detail) {
        String atriumId = text(e, EmailMessages.CUSTOM_ARG);
        String smtpId = text(e, "smtp-id");
        StatusUpdate u;
        if (atriumId != null) {
            u = StatusUpdate.ofMessage(atriumId, status);
        } else if (smtpId != null) {
            u = StatusUpdate.ofProviderMessage(smtpId.startsWith("<") ? smtpId : "<" + smtpId + ">", status);
        } else {
            return null;
        }
        u = u.reason(reason, detail).at(at);
        String eventId = text(e, "sg_event_id");
        return eventId == null ? u : u.attribute("providerEventId", eventId);
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText().strip();
        return s.isEmpty() ? null : s;
    }

    private static String join(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + " " + b;
    }
}
