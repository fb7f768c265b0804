package io.atrium.plugins.crm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment membership in a generic CRM: each entry and exit of a segment named in
 * {@code segment-push} is POSTed to {@code generic-segment-url} as
 * {@code {"eventId", "type": "entered"|"exited", "segmentId", "segmentName", "target", "profileId",
 * "at", "crmId", "email", "identities"}}, {@code target} being the rule's text after {@code =}.
 * {@code eventId} is the same when the hub delivers an event again, for a CRM that wants to spot it.
 * 2xx is done; no answer, 408, 429 and 5xx (and 401/403) are tried again later; another answer is
 * logged and the event dropped. A person with neither a {@code crm_id} nor an e-mail address is skipped.
 */
final class GenericSegmentPush implements SegmentPush {

    private static final Logger LOG = LoggerFactory.getLogger(GenericSegmentPush.class);

    private final ApiClient client;
    private final CrmSettings settings;
    private final List<SegmentRule> rules;

    GenericSegmentPush(ApiClient client, CrmSettings settings) {
        this.client = client;
        this.settings = settings;
        this.rules = settings.segmentRules();
    }

    @Override
    public Outcome push(SegmentEvent e) {
        List<SegmentRule> mine = rules.stream().filter(r -> r.segmentId() == e.segmentId()).toList();
        if (mine.isEmpty()) {
            return Outcome.IGNORED;
        }
        String what = "segment " + e.segmentId() + " " + e.type() + " by profile " + e.profileId();
        if (e.crmId() == null && e.email() == null) {
            LOG.info("crm: {}: the person has neither a crm_id nor an e-mail address; nothing sent", what);
            return Outcome.SKIPPED;
        }
        for (SegmentRule r : mine) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("crm_id", e.crmId());
            values.put("email", e.email());
            values.put("segment_id", Long.toString(e.segmentId()));
            values.put("type", e.type());
            values.put("target", r.target());
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("eventId", e.segmentId() + ":" + e.profileId() + ":" + e.type() + ":" + e.at());
            body.put("type", e.type());
            body.put("segmentId", e.segmentId());
            body.put("segmentName", e.segmentName());
            body.put("target", r.target());
            body.put("profileId", e.profileId());
            body.put("at", e.at());
            body.put("crmId", e.crmId());
            body.put("email", e.email());
            ObjectNode ids = body.putObject("identities");
            e.identities().forEach(ids::put);
            try {
                client.send("POST", settings.generic().segmentUrl().expand(settings.apiUrl(), values), body);
            } catch (ApiException ex) {
                if (HubSpotSegmentPush.retryable(ex)) {
                    throw new RetryLater("crm: " + what + ": " + ex.getMessage() + "; delivered again later", ex);
                }
                LOG.error("crm: {}: rule '{}={}' of key '{}' failed for good: {}", what, r.segmentId(), r.target(),
                        CrmConfig.SEGMENT_PUSH, ex.getMessage());
                return Outcome.FAILED;
            }
        }
        return Outcome.DONE;
    }
}
