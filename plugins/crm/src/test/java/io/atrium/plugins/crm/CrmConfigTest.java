package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;

import org.junit.jupiter.api.Test;

class CrmConfigTest {

    static final String TOKEN = "pat-eu1-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    static final String SECRET = "6d1c2b3a-client-secret-9f8e7d";

    static Map<String, Object> hubspot() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("access-token", TOKEN);
        return raw;
    }

    static Map<String, Object> generic() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("mode", "generic");
        raw.put("api-url", "https://crm.internal/api");
        raw.put("access-token", TOKEN);
        raw.put("generic-contacts-url", "/contacts?changed_since={since}&cursor={after}");
        raw.put("generic-deals-url", "https://crm.internal/api/deals?since={since_ms}");
        return raw;
    }

    static PluginConfig config(Map<String, Object> raw) {
        ConfigSpec.Validation v = CrmConfig.SPEC.validate(raw);
        assertThat(v.problems()).as("spec problems").isEmpty();
        return v.config();
    }

    static CrmSettings parse(Map<String, Object> raw) {
        return CrmConfig.parse(config(raw));
    }

    static String problems(Map<String, Object> raw) {
        ConfigSpec.Validation v = CrmConfig.SPEC.validate(raw);
        if (!v.isValid()) {
            return String.join("; ", v.problems().stream().map(ConfigProblem::message).toList());
        }
        try {
            CrmConfig.parse(v.config());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("the configuration was accepted: " + raw);
    }

    @Test
    void aTokenAloneIsAHubSpotConfigurationWithTheDocumentedDefaults() {
        CrmSettings s = parse(hubspot());
        assertThat(s.hubspot()).isTrue();
        assertThat(s.apiUrl()).isEqualTo(URI.create("https://api.hubapi.com"));
        assertThat(s.accessToken()).isEqualTo(TOKEN);
        assertThat(s.clientSecret()).isNull();
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.pollObjects()).containsExactly(ObjectType.CONTACTS, ObjectType.DEALS);
        assertThat(s.pollInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.pollStart().now()).isTrue();
        assertThat(s.pollLag()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.contactTraits()).containsEntry("firstname", "first_name").containsEntry("lastname", "last_name")
                .containsEntry("jobtitle", "job_title").containsEntry("lifecyclestage", "lifecycle_stage");
        assertThat(s.webhookPath()).isEqualTo("/hooks/crm");
        assertThat(s.segmentRules()).isEmpty();
        assertThat(s.segmentEventsUri()).isEqualTo("atrium:segment-events?subscription=crm-segment-push");
        assertThat(s.createContacts()).isTrue();
        assertThat(s.tasks()).isEqualTo(new CrmSettings.TaskDefaults(null, "MEDIUM", "TODO", Duration.ofDays(1)));
        assertThat(s.ratePerSecond()).isEqualTo(5.0);
        assertThat(s.generic()).isNull();
    }

    @Test
    void hubspotModeNeedsTheAccessTokenAndSaysWhatItIs() {
        assertThat(problems(new HashMap<>())).contains("key 'access-token' is required when 'mode' is 'hubspot': set it to the access token")
                .contains("private app");
    }

    @Test
    void everyProblemIsReportedAtOnceEachNamingItsKey() {
        Map<String, Object> raw = hubspot();
        raw.put("api-url", "ftp://api.hubapi.com");
        raw.put("poll-objects", "contacts,tickets,contacts");
        raw.put("poll-interval", "0s");
        raw.put("poll-start", "yesterday");
        raw.put("webhook-path", "hooks/crm");
        raw.put("task-owner-id", "ann@example.com");
        raw.put("rate-per-second", -1);
        String p = problems(raw);
        assertThat(p).contains("configuration of plugin 'crm' (hubspot mode)")
                .contains("key 'api-url' expects an http or https URL")
                .contains("key 'poll-objects' lists 'tickets'; it may list contacts, deals, calls, meetings, notes")
                .contains("key 'poll-objects' lists 'contacts' twice")
                .contains("key 'poll-interval' expects a positive duration")
                .contains("key 'poll-start' expects now, all or an ISO-8601 instant")
                .contains("key 'webhook-path' expects a path starting with '/'")
                .contains("key 'task-owner-id' expects a HubSpot owner id")
                .contains("key 'rate-per-second' expects a number >= 0");
    }

    @Test
    void pollStartIsNowAllOrAnInstant() {
        Map<String, Object> raw = hubspot();
        raw.put("poll-start", "all");
        assertThat(parse(raw).pollStart().resolve(Instant.now())).isEqualTo(Instant.EPOCH);
        raw.put("poll-start", "2025-01-01T00:00:00Z");
        assertThat(parse(raw).pollStart().resolve(Instant.now())).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        raw.put("poll-start", "2025-01-01T02:00:00+02:00");
        assertThat(parse(raw).pollStart().resolve(Instant.now())).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        raw.put("poll-start", "NOW");
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        assertThat(parse(raw).pollStart().resolve(now)).isEqualTo(now);
        raw.put("poll-start", "1735689600000");
        assertThat(problems(raw)).contains("key 'poll-start'");
    }

    @Test
    void activitiesCanBePolledInHubSpotModeOnly() {
        Map<String, Object> raw = hubspot();
        raw.put("poll-objects", List.of("contacts", "deals", "calls", "meetings", "notes"));
        assertThat(parse(raw).pollObjects()).containsExactly(ObjectType.CONTACTS, ObjectType.DEALS, ObjectType.CALLS,
                ObjectType.MEETINGS, ObjectType.NOTES);
        Map<String, Object> g = generic();
        g.put("poll-objects", "contacts,calls");
        assertThat(problems(g)).contains("key 'poll-objects' lists 'calls'; it may list contacts, deals (in generic mode)");
    }

    @Test
    void anEmptyPollObjectsListTurnsPollingOff() {
        Map<String, Object> raw = hubspot();
        raw.put("poll-objects", List.of());
        assertThat(parse(raw).pollObjects()).isEmpty();
    }

    @Test
    void contactTraitsArePropertyTraitPairs() {
        Map<String, Object> raw = hubspot();
        raw.put("contact-traits", "firstname=first_name, hs_language=language, city");
        assertThat(parse(raw).contactTraits()).containsExactly(Map.entry("firstname", "first_name"),
                Map.entry("hs_language", "language"), Map.entry("city", "city"));
        raw.put("contact-traits", "FirstName=first name");
        assertThat(problems(raw)).contains("key 'contact-traits' expects property=trait pairs");
        raw.put("contact-traits", "work_email=email");
        assertThat(problems(raw)).contains("email and phone are identities");
        raw.put("contact-traits", "firstname=name,lastname=name");
        assertThat(problems(raw)).contains("key 'contact-traits' maps two properties to trait 'name'");
    }

    @Test
    void segmentPushRulesAreListsAndProperties() {
        Map<String, Object> raw = hubspot();
        raw.put("segment-push", List.of("12=list:345", "17=property:atrium_vip", "17=property:tier=gold"));
        List<SegmentRule> rules = parse(raw).segmentRules();
        assertThat(rules).containsExactly(
                new SegmentRule(12, SegmentRule.Kind.LIST, "345", null, null, "list:345"),
                new SegmentRule(17, SegmentRule.Kind.PROPERTY, null, "atrium_vip", "true", "property:atrium_vip"),
                new SegmentRule(17, SegmentRule.Kind.PROPERTY, null, "tier", "gold", "property:tier=gold"));
    }

    @Test
    void aWrongSegmentPushEntryIsNamedWithWhatWasExpected() {
        Map<String, Object> raw = hubspot();
        raw.put("segment-push", List.of("vip=list:1", "12=list:abc", "13=property:Tier", "14=tag:vip", "15",
                "16=property:tier=", "17=list:5", "17=list:5", "18=property:a", "18=property:a=b"));
        String p = problems(raw);
        assertThat(p).contains("'vip=list:1' must start with a segment id")
                .contains("'12=list:abc' names list 'abc', which is not a HubSpot list id")
                .contains("'13=property:Tier' names property 'Tier'")
                .contains("expects entries <segment id>=list:<list id> or <segment id>=property:<name>[=<value>] but got '14=tag:vip'")
                .contains("but got '15'")
                .contains("'16=property:tier=' sets an empty value")
                .contains("lists '17=list:5' twice")
                .contains("sets property 'a' twice for segment 18");
    }

    @Test
    void genericModeTakesItsUrlsFieldMapsAndAuth() {
        Map<String, Object> raw = generic();
        raw.put("generic-auth", "header");
        raw.put("generic-auth-header", "X-Api-Token");
        raw.put("segment-push", "12=vip");
        raw.put("generic-segment-url", "/segments/{segment_id}/members?email={email}");
        raw.put("generic-task-url", "/contacts/{crm_id}/tasks");
        CrmSettings s = parse(raw);
        assertThat(s.hubspot()).isFalse();
        assertThat(s.generic().auth()).isEqualTo("header");
        assertThat(s.generic().contactsUrl().expand(s.apiUrl(), Map.of("since", "2025-01-01T00:00:00Z", "after", "a b")))
                .isEqualTo(URI.create("https://crm.internal/api/contacts?changed_since=2025-01-01T00%3A00%3A00Z&cursor=a%20b"));
        assertThat(s.generic().dealsUrl().expand(s.apiUrl(), Map.of("since_ms", "5")))
                .isEqualTo(URI.create("https://crm.internal/api/deals?since=5"));
        assertThat(s.generic().contactFields()).containsKeys("id", "updated_at", "email", "phone", "first_name");
        assertThat(s.segmentRules()).containsExactly(new SegmentRule(12, SegmentRule.Kind.TARGET, null, null, null, "vip"));
        assertThat(s.generic().taskUrl()).isNotNull();
    }

    @Test
    void genericModeNeedsTheUrlsOfWhatItPollsAndPushes() {
        Map<String, Object> raw = generic();
        raw.remove("generic-contacts-url");
        raw.remove("generic-deals-url");
        raw.put("segment-push", "12=vip");
        String p = problems(raw);
        assertThat(p).contains("configuration of plugin 'crm' (generic mode)")
                .contains("key 'generic-contacts-url' is required in generic mode while poll-objects lists contacts")
                .contains("key 'generic-deals-url' is required in generic mode while poll-objects lists deals")
                .contains("key 'generic-segment-url' is required in generic mode while segment-push lists segments");
        raw.put("poll-objects", List.of());
        raw.remove("segment-push");
        assertThat(parse(raw).pollObjects()).isEmpty();
    }

    @Test
    void genericAuthRules() {
        Map<String, Object> raw = generic();
        raw.remove("access-token");
        assertThat(problems(raw)).contains("key 'access-token' is required with generic-auth: bearer");
        raw.put("generic-auth", "basic");
        raw.put("access-token", "pw");
        assertThat(problems(raw)).contains("key 'generic-username' is required when 'generic-auth' is 'basic'");
        raw.put("generic-auth", "bearer");
        raw.put("generic-username", "atrium");
        assertThat(problems(raw)).contains("key 'generic-username' only applies when 'generic-auth' is 'basic', but 'generic-auth' is 'bearer'");
        raw.remove("generic-username");
        raw.put("generic-auth", "header");
        raw.put("generic-auth-header", "Authorization");
        assertThat(problems(raw)).contains("key 'generic-auth-header' is Authorization");
        raw.put("generic-auth-header", "X Key");
        assertThat(problems(raw)).contains("key 'generic-auth-header' expects an HTTP header name");
        raw.put("generic-auth", "none");
        raw.remove("generic-auth-header");
        raw.remove("access-token");
        assertThat(parse(raw).accessToken()).isNull();
    }

    @Test
    void genericUrlsFieldMapsAndPointersAreChecked() {
        Map<String, Object> raw = generic();
        raw.put("generic-contacts-url", "crm.internal/contacts?since={since}&page={page}");
        raw.put("generic-contact-fields", "email=/email,first name=/first");
        raw.put("generic-deal-fields", "id=/id,updated_at=/updatedAt,stage=/stage");
        raw.put("generic-task-id-pointer", "id");
        raw.put("generic-task-url", "/tasks/{email}");
        String p = problems(raw);
        assertThat(p).contains("key 'generic-contacts-url' uses unknown placeholder(s) [{page}]")
                .contains("key 'generic-contacts-url' expects an http(s) URL or a path starting with '/'")
                .contains("key 'generic-contact-fields' expects name=/json/pointer pairs")
                .contains("key 'generic-contact-fields' must map 'id'")
                .contains("key 'generic-contact-fields' must map 'updated_at'")
                .contains("key 'generic-deal-fields' must map contact_id or contact_email")
                .contains("key 'generic-task-id-pointer' expects a JSON pointer")
                .contains("key 'generic-task-url' uses unknown placeholder(s) [{email}]");
    }

    @Test
    void genericKeysAreRefusedInHubSpotMode() {
        Map<String, Object> raw = hubspot();
        raw.put("generic-contacts-url", "/contacts");
        raw.put("generic-task-url", "/tasks");
        assertThat(problems(raw)).contains("key 'generic-contacts-url' only applies when 'mode' is 'generic', but 'mode' is 'hubspot'")
                .contains("key 'generic-task-url' only applies when 'mode' is 'generic'");
    }

    @Test
    void anUnknownKeyIsRefusedWithADidYouMean() {
        Map<String, Object> raw = hubspot();
        raw.put("acces-token", "x");
        assertThat(problems(raw)).contains("acces-token").contains("access-token");
    }

    @Test
    void secretsAreNeverInAMessageTheLogOrTheSchema() {
        Map<String, Object> raw = hubspot();
        raw.put("client-secret", SECRET);
        raw.put("access-token", TOKEN + "\n" + TOKEN);
        raw.put("poll-interval", "0s");
        String p = problems(raw);
        assertThat(p).contains("key 'access-token' must be printable ASCII").doesNotContain(TOKEN).doesNotContain(SECRET);
        raw.put("access-token", TOKEN);
        raw.put("poll-interval", "5s");
        PluginConfig config = config(raw);
        assertThat(CrmConfig.shown(config).toString()).doesNotContain(TOKEN).doesNotContain(SECRET)
                .doesNotContain("generic-");
        assertThat(CrmConfig.parse(config).toString()).doesNotContain(TOKEN).doesNotContain(SECRET);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> props = (Map<String, Map<String, Object>>) CrmConfig.SPEC.toJsonSchema()
                .get("properties");
        assertThat(props.get("access-token")).containsEntry("format", "password");
        assertThat(props.get("client-secret")).containsEntry("format", "password");
    }

    @Test
    void everyKeyHasADescription() {
        for (ConfigKey key : CrmConfig.SPEC.keys()) {
            assertThat(key.description()).as(key.name()).isNotBlank();
        }
        assertThat(CrmConfig.SPEC.keys()).hasSize(32);
    }
    @Test
    void theConnectorsValidateGivesEachProblemWithItsKeyForTheConsoleForm() {
        Map<String, Object> raw = generic();
        raw.put("access-token", TOKEN + " " + TOKEN);
        raw.put("generic-auth", "basic");
        raw.put("poll-start", "yesterday");
        raw.remove("generic-deals-url");
        raw.put("segment-push", "12=vip");
        raw.put("generic-task-url", "/tasks/{email}");
        List<ConfigProblem> problems = new CrmConnector().validate(config(raw));
        Map<String, String> byKey = new java.util.TreeMap<>();
        problems.forEach(p -> byKey.merge(p.key(), p.message(), (a, b) -> a + " | " + b));
        assertThat(byKey.keySet()).containsExactly("access-token", "generic-deals-url", "generic-segment-url",
                "generic-task-url", "generic-username", "poll-start");
        assertThat(byKey.get("generic-username")).isEqualTo("key 'generic-username' is required when 'generic-auth' is "
                + "'basic': set it to the user name sent with access-token as the password");
        assertThat(byKey.get("poll-start")).startsWith("key 'poll-start' expects now, all or an ISO-8601 instant");
        assertThat(byKey.get("generic-task-url")).contains("unknown placeholder(s) [{email}]");
        assertThat(byKey.get("access-token")).contains("must be printable ASCII");
        assertThat(problems.toString()).doesNotContain(TOKEN);

        Map<String, Object> hubspot = hubspot();
        hubspot.remove("access-token");
        hubspot.put("generic-task-url", "/tasks");
        assertThat(new CrmConnector().validate(config(hubspot))).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("access-token", "generic-task-url");
        assertThat(new CrmConnector().validate(config(hubspot()))).isEmpty();
        assertThat(new CrmConnector().validate(config(generic()))).isEmpty();
    }
}
