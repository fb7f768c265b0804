package io.atrium.plugins.crm;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonPointer;

import io.atrium.plugin.api.ConfigSpec;

/**
 * The plugin's configuration, typed and checked ({@link CrmConfig#parse}). Its {@link #toString()}
 * never shows a secret.
 */
record CrmSettings(boolean hubspot, URI apiUrl, String accessToken, String clientSecret, Duration requestTimeout,
                   List<ObjectType> pollObjects, Duration pollInterval, PollStart pollStart, Duration pollLag,
                   Map<String, String> contactTraits, String webhookPath, List<SegmentRule> segmentRules,
                   String segmentEventsUri, boolean createContacts, TaskDefaults tasks, double ratePerSecond,
                   Generic generic) {

    /** Where the first poll of an object type starts: now, everything, or a given instant. */
    record PollStart(boolean now, Instant at) {
        static final PollStart NOW = new PollStart(true, null);
        static final PollStart ALL = new PollStart(false, Instant.EPOCH);

        /** The first cursor: {@code now} for "now", else the fixed instant. */
        Instant resolve(Instant now) {
            return this.now ? now : at;
        }
    }

    /** What a crm-task message that says nothing else gets. */
    record TaskDefaults(String ownerId, String priority, String type, Duration dueIn) {
    }

    /** The generic mode's HTTP contract; null in hubspot mode. */
    record Generic(String auth, String username, String authHeader, UrlTemplate contactsUrl, UrlTemplate dealsUrl,
                   JsonPointer resultsPointer, JsonPointer nextPointer, Map<String, JsonPointer> contactFields,
                   Map<String, JsonPointer> dealFields, String signatureHeader, UrlTemplate segmentUrl,
                   UrlTemplate taskUrl, JsonPointer taskIdPointer) {
    }

    /** The name used in messages and logs: HubSpot, or "the CRM". */
    String crmName() {
        return hubspot ? "HubSpot" : "the CRM";
    }

    /** The secrets, so that text from the CRM can be scrubbed of them before it is logged or thrown. */
    List<String> secrets() {
        return java.util.stream.Stream.of(accessToken, clientSecret)
                .filter(s -> s != null && s.length() >= 4).toList();
    }

    @Override
    public String toString() {
        return "CrmSettings[mode=" + (hubspot ? "hubspot" : "generic") + ", apiUrl=" + apiUrl
                + ", accessToken=" + (accessToken == null ? null : ConfigSpec.MASK)
                + ", clientSecret=" + (clientSecret == null ? null : ConfigSpec.MASK)
                + ", pollObjects=" + pollObjects + ", pollInterval=" + pollInterval + ", webhookPath=" + webhookPath
                + ", segmentRules=" + segmentRules.size() + ", ratePerSecond=" + ratePerSecond + "]";
    }
}
