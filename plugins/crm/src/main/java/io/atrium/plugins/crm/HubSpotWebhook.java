package io.atrium.plugins.crm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.EventRejectedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HubSpot's webhook: a POST of a JSON array of events ({@code {eventId, subscriptionType:
 * "contact.propertyChange", objectId, propertyName, propertyValue, occurredAt, ...}}, or
 * {@code "object.creation"} with {@code objectTypeId}) signed with {@code X-HubSpot-Signature-v3}.
 * The plugin checks the signature, reads the objects the events name as they are now (a webhook
 * names what changed; the object says what it is) and hands them to the hub like a poll does.
 *
 * <p>Answers: 401 when the signature is missing, wrong or too old (nothing is read); 400 when a
 * signed body is not a JSON array or object; 200 once the hub has the events; 503 when HubSpot's API
 * or the hub's intake cannot be reached now, and 500 for another failure (HubSpot retries a webhook
 * that did not get a 2xx, for up to a day). Deletions, merges, restores and association changes are
 * acknowledged and otherwise left to the next change of the object.
 */
final class HubSpotWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(HubSpotWebhook.class);

    /** What the route answers. */
    record Response(int status, String body) {
    }

    private final HubSpotSignature signature;
    private final HubSpotSource source;
    private final SyncProcessor processor;
    private volatile boolean warnedSignature;

    HubSpotWebhook(HubSpotSignature signature, HubSpotSource source, SyncProcessor processor) {
        this.signature = signature;
        this.source = source;
        this.processor = processor;
    }

    /**
     * @param uri the URL HubSpot called (the hub's public URL, the path and the query as sent)
     */
    Response handle(String method, String uri, byte[] body, String sig, String timestamp) {
        HubSpotSignature.Verdict v = signature.verify(method, uri, body, sig, timestamp);
        if (!v.ok()) {
            String why = switch (v) {
                case MISSING -> "missing " + HubSpotSignature.HEADER + " or " + HubSpotSignature.TIMESTAMP;
                case BAD_TIMESTAMP -> HubSpotSignature.TIMESTAMP + " is not epoch milliseconds";
                case EXPIRED -> "the request timestamp is more than 5 minutes old (or ahead)";
                default -> "wrong signature";
            };
            if (v == HubSpotSignature.Verdict.WRONG && !warnedSignature) {
                warnedSignature = true;
                LOG.warn("crm: a webhook to {} had a wrong {}; HubSpot signs the URL it calls, so the hub's public URL "
                        + "(atrium.public-url) + webhook-path must be the target URL set in the HubSpot app, and "
                        + "client-secret its client secret", uri, HubSpotSignature.HEADER);
            } else {
                LOG.debug("crm: webhook refused: {}", why);
            }
            return new Response(401, "{\"error\":\"unauthorized\",\"detail\":\"" + why + "\"}");
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return new Response(400, "{\"error\":\"malformed_body\",\"detail\":\"not JSON\"}");
        }
        if (json == null || !(json.isArray() || json.isObject())) {
            return new Response(400, "{\"error\":\"malformed_body\",\"detail\":\"expected a JSON array of events\"}");
        }
        List<JsonNode> events = new ArrayList<>();
        if (json.isArray()) {
            json.forEach(events::add);
        } else {
            events.add(json);
        }

        Map<ObjectType, Set<String>> ids = new EnumMap<>(ObjectType.class);
        Map<String, SyncProcessor.Hint> hints = new LinkedHashMap<>();
        int ignored = 0;
        for (JsonNode e : events) {
            String subscription = Json.text(e, "subscriptionType");
            String objectId = Json.text(e, "objectId");
            if (subscription == null || objectId == null || !subscription.contains(".")) {
                ignored++;
                continue;
            }
            String prefix = subscription.substring(0, subscription.indexOf('.'));
            String action = subscription.substring(subscription.indexOf('.') + 1);
            String objectTypeId = Json.text(e, "objectTypeId");
            Optional<ObjectType> type = !prefix.equals("object") ? ObjectType.bySingular(prefix)
                    : objectTypeId == null ? Optional.empty() : ObjectType.byObjectTypeId(objectTypeId);
            if (type.isEmpty() || !(action.equals("creation") || action.equals("propertyChange"))) {
                ignored++;
                continue;
            }
            ids.computeIfAbsent(type.get(), t -> new LinkedHashSet<>()).add(objectId);
            if (type.get() == ObjectType.DEALS) {
                SyncProcessor.Hint hint = action.equals("creation") ? SyncProcessor.Hint.CREATED
                        : "dealstage".equals(Json.text(e, "propertyName")) ? SyncProcessor.Hint.STAGE_CHANGED
                        : SyncProcessor.Hint.NONE;
                SyncProcessor.Hint before = hints.get(objectId);
                if (before == null || before == SyncProcessor.Hint.NONE
                        || (before == SyncProcessor.Hint.STAGE_CHANGED && hint == SyncProcessor.Hint.CREATED)) {
                    hints.put(objectId, hint);
                }
            }
        }

        int taken = 0;
        try {
            for (Map.Entry<ObjectType, Set<String>> entry : ids.entrySet()) {
                List<SyncRecord> records = source.read(entry.getKey(), entry.getValue());
                taken += processor.process(records, hints);
            }
        } catch (ApiException e) {
            LOG.warn("crm: a webhook's objects could not be read: {}{}; HubSpot sends the webhook again", e.getMessage(),
                    e.status() == 401 ? " (check key '" + CrmConfig.ACCESS_TOKEN + "')" : "");
            return new Response(e.isTransient() || e.kind() == ApiException.Kind.NO_ANSWER ? 503 : 500,
                    "{\"error\":\"crm_unavailable\"}");
        } catch (EventRejectedException e) {
            LOG.warn("crm: the hub did not take a webhook's events ({}); HubSpot sends the webhook again", e.getMessage());
            return new Response(e.isTransient() ? 503 : 500, "{\"error\":\"intake_unavailable\"}");
        }
        LOG.debug("crm: webhook with {} event(s): {} hub event(s), {} ignored", events.size(), taken, ignored);
        return new Response(200, "{\"received\":" + events.size() + ",\"events\":" + taken + "}");
    }
}
