package io.atrium.plugins.crm;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonPointer;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.ConfigType;
import io.atrium.plugin.api.PluginConfig;

/**
 * The plugin's configuration, declared once ({@link #SPEC}), and the rules between keys that a
 * per-key spec cannot say. {@link #parse} collects every problem and reports them together, each
 * naming its key; secret values never appear in a message.
 */
final class CrmConfig {

    static final String MODE = "mode";
    static final String API_URL = "api-url";
    static final String ACCESS_TOKEN = "access-token";
    static final String CLIENT_SECRET = "client-secret";
    static final String REQUEST_TIMEOUT = "request-timeout";
    static final String POLL_OBJECTS = "poll-objects";
    static final String POLL_INTERVAL = "poll-interval";
    static final String POLL_START = "poll-start";
    static final String POLL_LAG = "poll-lag";
    static final String CONTACT_TRAITS = "contact-traits";
    static final String WEBHOOK_PATH = "webhook-path";
    static final String SEGMENT_PUSH = "segment-push";
    static final String SEGMENT_EVENTS_URI = "segment-events-uri";
    static final String SEGMENT_CREATE = "segment-create-contacts";
    static final String TASK_OWNER = "task-owner-id";
    static final String TASK_PRIORITY = "task-priority";
    static final String TASK_TYPE = "task-type";
    static final String TASK_DUE_IN = "task-due-in";
    static final String RATE = "rate-per-second";
    static final String G_AUTH = "generic-auth";
    static final String G_USERNAME = "generic-username";
    static final String G_AUTH_HEADER = "generic-auth-header";
    static final String G_CONTACTS_URL = "generic-contacts-url";
    static final String G_DEALS_URL = "generic-deals-url";
    static final String G_RESULTS = "generic-results-pointer";
    static final String G_NEXT = "generic-next-pointer";
    static final String G_CONTACT_FIELDS = "generic-contact-fields";
    static final String G_DEAL_FIELDS = "generic-deal-fields";
    static final String G_SIGNATURE_HEADER = "generic-signature-header";
    static final String G_SEGMENT_URL = "generic-segment-url";
    static final String G_TASK_URL = "generic-task-url";
    static final String G_TASK_ID = "generic-task-id-pointer";

    static final String DEFAULT_SEGMENT_EVENTS_URI = "atrium:segment-events?subscription=crm-segment-push";

    static final ConfigSpec SPEC = ConfigSpec.of(
            ConfigKey.of(MODE, ConfigType.STRING).defaultValue("hubspot").allowedValues("hubspot", "generic")
                    .description("hubspot: the HubSpot CRM v3 API and its signed webhooks; generic: another CRM's REST API "
                            + "and webhooks, described by the generic-* keys"),
            ConfigKey.of(API_URL, ConfigType.URL).defaultValue("https://api.hubapi.com")
                    .description("Base URL of the CRM API; in generic mode the base of generic-* URLs that start with /"),
            ConfigKey.of(ACCESS_TOKEN, ConfigType.STRING).secret()
                    .description("HubSpot private app access token, sent as Authorization: Bearer (required in hubspot "
                            + "mode); in generic mode the token or password generic-auth sends"),
            ConfigKey.of(CLIENT_SECRET, ConfigType.STRING).secret()
                    .description("HubSpot app client secret, the key of X-HubSpot-Signature-v3 (generic mode: the "
                            + "HMAC-SHA256 key of generic-signature-header); unset: no webhook is served"),
            ConfigKey.of(REQUEST_TIMEOUT, ConfigType.DURATION).defaultValue("10s")
                    .description("Connect and answer timeout of every call to the CRM API"),
            ConfigKey.of(POLL_OBJECTS, ConfigType.LIST).defaultValue("contacts,deals")
                    .description("Objects polled for changes: contacts, deals, calls, meetings, notes (generic mode: "
                            + "contacts, deals); empty: no polling"),
            ConfigKey.of(POLL_INTERVAL, ConfigType.DURATION).defaultValue("1m")
                    .description("Pause between the end of one poll and the start of the next"),
            ConfigKey.of(POLL_START, ConfigType.STRING).defaultValue("now")
                    .description("Where polling an object type starts when no cursor is stored yet: now, all (a backfill "
                            + "of everything) or an ISO-8601 instant such as 2025-01-01T00:00:00Z"),
            ConfigKey.of(POLL_LAG, ConfigType.DURATION).defaultValue("30s")
                    .description("Changes younger than this are left to the next poll, so that HubSpot's search index "
                            + "has caught up with them"),
            ConfigKey.of(CONTACT_TRAITS, ConfigType.LIST)
                    .defaultValue("firstname=first_name,lastname=last_name,company=company,jobtitle=job_title,"
                            + "lifecyclestage=lifecycle_stage,city=city,country=country")
                    .description("Contact property=trait pairs copied into the traits of each contact's identify event "
                            + "(email and phone become identities)"),
            ConfigKey.of(WEBHOOK_PATH, ConfigType.STRING).defaultValue("/hooks/crm")
                    .description("HTTP path on the hub where the CRM posts its webhooks (generic mode: <path>/contacts "
                            + "and <path>/deals)"),
            ConfigKey.of(SEGMENT_PUSH, ConfigType.LIST)
                    .description("Segments pushed to the CRM: <segment id>=list:<list id> or <segment id>=property:<name>"
                            + "[=<value>] (hubspot), <segment id>=<target> (generic); unset: none"),
            ConfigKey.of(SEGMENT_EVENTS_URI, ConfigType.STRING).defaultValue(DEFAULT_SEGMENT_EVENTS_URI)
                    .description("Camel endpoint the segment entries and exits are read from"),
            ConfigKey.of(SEGMENT_CREATE, ConfigType.BOOLEAN).defaultValue("true")
                    .description("A person entering a pushed segment who has no crm_id and is not found by email is "
                            + "created in the CRM"),
            ConfigKey.of(TASK_OWNER, ConfigType.STRING)
                    .description("HubSpot owner id (hubspot_owner_id) of crm-task tasks whose message names no owner"),
            ConfigKey.of(TASK_PRIORITY, ConfigType.STRING).defaultValue("MEDIUM").allowedValues("LOW", "MEDIUM", "HIGH")
                    .description("Priority of crm-task tasks whose message names none"),
            ConfigKey.of(TASK_TYPE, ConfigType.STRING).defaultValue("TODO").allowedValues("TODO", "CALL", "EMAIL")
                    .description("Task type of crm-task tasks whose message names none"),
            ConfigKey.of(TASK_DUE_IN, ConfigType.DURATION).defaultValue("1d")
                    .description("Due date of a crm-task task whose message gives none: this long after it is created"),
            ConfigKey.of(RATE, ConfigType.DOUBLE).defaultValue("5")
                    .description("At most this many crm-task messages per second per hub node (0: no limit)"),
            ConfigKey.of(G_AUTH, ConfigType.STRING).defaultValue("bearer").allowedValues("none", "bearer", "basic", "header")
                    .description("Generic mode: Authorization: Bearer access-token, basic (generic-username and "
                            + "access-token), header (generic-auth-header: access-token) or none"),
            ConfigKey.of(G_USERNAME, ConfigType.STRING)
                    .description("Generic mode: user name of generic-auth basic"),
            ConfigKey.of(G_AUTH_HEADER, ConfigType.STRING).defaultValue("X-API-Key")
                    .description("Generic mode: header name of generic-auth header"),
            ConfigKey.of(G_CONTACTS_URL, ConfigType.STRING)
                    .description("Generic mode: GET URL of contacts changed since {since} (also {since_ms} {until} "
                            + "{until_ms} {after}); required to poll contacts"),
            ConfigKey.of(G_DEALS_URL, ConfigType.STRING)
                    .description("Generic mode: GET URL of deals changed since {since}, same placeholders; required to "
                            + "poll deals"),
            ConfigKey.of(G_RESULTS, ConfigType.STRING).defaultValue("/results")
                    .description("Generic mode: JSON pointer to the array of records in an answer (an answer that is an array is "
                            + "read as it is)"),
            ConfigKey.of(G_NEXT, ConfigType.STRING).defaultValue("/paging/next/after")
                    .description("Generic mode: JSON pointer to the next page's token in an answer, passed as {after}; "
                            + "absent or empty: the last page"),
            ConfigKey.of(G_CONTACT_FIELDS, ConfigType.LIST)
                    .defaultValue("id=/id,updated_at=/updatedAt,email=/email,phone=/phone,first_name=/firstName,"
                            + "last_name=/lastName")
                    .description("Generic mode: name=JSON pointer of a contact record; id and updated_at are required, "
                            + "email and phone become identities, every other name a trait"),
            ConfigKey.of(G_DEAL_FIELDS, ConfigType.LIST)
                    .defaultValue("id=/id,updated_at=/updatedAt,created_at=/createdAt,contact_id=/contactId,deal_name=/name,"
                            + "amount=/amount,stage=/stage,pipeline=/pipeline")
                    .description("Generic mode: name=JSON pointer of a deal record; id, updated_at and contact_id or "
                            + "contact_email are required, every other name an event property"),
            ConfigKey.of(G_SIGNATURE_HEADER, ConfigType.STRING).defaultValue("X-Signature")
                    .description("Generic mode: header with the hex or base64 HMAC-SHA256 of a webhook's body keyed by "
                            + "client-secret (a sha256= prefix is allowed)"),
            ConfigKey.of(G_SEGMENT_URL, ConfigType.STRING)
                    .description("Generic mode: URL each entry and exit of a pushed segment is POSTed to ({crm_id} "
                            + "{email} {segment_id} {type} {target}); required with segment-push"),
            ConfigKey.of(G_TASK_URL, ConfigType.STRING)
                    .description("Generic mode: URL a crm-task task is POSTed to ({crm_id}); unset: no crm-task channel"),
            ConfigKey.of(G_TASK_ID, ConfigType.STRING).defaultValue("/id")
                    .description("Generic mode: JSON pointer to the created task's id in the answer"));

    /** Keys without a default that one mode needs: key to mode. */
    static final Map<String, String> REQUIRED_IN_MODE = Map.of(ACCESS_TOKEN, "hubspot");

    /** Keys without a default that mean something in generic mode only. */
    static final List<String> GENERIC_ONLY = List.of(G_USERNAME, G_CONTACTS_URL, G_DEALS_URL, G_SEGMENT_URL, G_TASK_URL);

    static final Set<String> POLL_PLACEHOLDERS = Set.of("since", "since_ms", "until", "until_ms", "after");
    static final Set<String> SEGMENT_PLACEHOLDERS = Set.of("crm_id", "email", "segment_id", "type", "target");
    static final Set<String> TASK_PLACEHOLDERS = Set.of("crm_id");

    private static final java.util.regex.Pattern TRAIT_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]*");
    private static final java.util.regex.Pattern HEADER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    private CrmConfig() {
    }

    /**
     * Checks the rules between keys and builds the settings.
     *
     * @throws IllegalArgumentException naming every offending key
     */
    static CrmSettings parse(PluginConfig config) {
        return ConfigSpec.settings(config, "configuration of plugin 'crm' (" + config.getString(MODE) + " mode)", CrmConfig::build);
    }

    /** Every problem of the rules between keys, each with its key (for the console's form); nothing is opened. */
    static List<ConfigProblem> check(PluginConfig config) {
        return ConfigSpec.problems(config, CrmConfig::build);
    }

    /** The settings, or null when {@code p} got any problem. */
    private static CrmSettings build(PluginConfig config, List<ConfigProblem> p) {
        boolean hubspot = config.getString(MODE).equals("hubspot");

        URI apiUrl = config.getUrl(API_URL);
        if (!isHttp(apiUrl)) {
            p.add(new ConfigProblem(API_URL, "key '" + API_URL + "' expects an http or https URL but got '" + apiUrl + "'"));
        }
        String token = string(config, ACCESS_TOKEN).orElse(null);
        ConfigSpec.requiredWhen(config, ACCESS_TOKEN, MODE, "hubspot", "the access token of a HubSpot private app with "
                + "the crm.objects.contacts and crm.objects.deals scopes (and crm.lists for list pushes)").ifPresent(p::add);
        if (token != null && token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            p.add(new ConfigProblem(ACCESS_TOKEN, "key '" + ACCESS_TOKEN + "' must be printable ASCII without spaces (check for a pasted line break)"));
        }
        String clientSecret = string(config, CLIENT_SECRET).orElse(null);
        Duration timeout = positive(config, REQUEST_TIMEOUT, p);
        Duration interval = positive(config, POLL_INTERVAL, p);
        Duration lag = config.getDuration(POLL_LAG);
        if (lag.isNegative()) {
            p.add(new ConfigProblem(POLL_LAG, "key '" + POLL_LAG + "' expects a duration of 0 or more but got " + lag));
        }
        CrmSettings.PollStart start = pollStart(config.getString(POLL_START).strip(), p);

        List<ObjectType> objects = new ArrayList<>();
        for (String name : config.getList(POLL_OBJECTS)) {
            Optional<ObjectType> t = ObjectType.byPlural(name);
            if (t.isEmpty() || (!hubspot && t.get().isActivity())) {
                p.add(new ConfigProblem(POLL_OBJECTS, "key '" + POLL_OBJECTS + "' lists '" + name + "'; it may list "
                        + (hubspot ? "contacts, deals, calls, meetings, notes" : "contacts, deals (in generic mode)")));
            } else if (objects.contains(t.get())) {
                p.add(new ConfigProblem(POLL_OBJECTS, "key '" + POLL_OBJECTS + "' lists '" + name + "' twice"));
            } else {
                objects.add(t.get());
            }
        }

        Map<String, String> traits = new LinkedHashMap<>();
        for (String entry : config.getList(CONTACT_TRAITS)) {
            int eq = entry.indexOf('=');
            String property = eq < 0 ? entry.strip() : entry.substring(0, eq).strip();
            String trait = eq < 0 ? property : entry.substring(eq + 1).strip();
            if (!SegmentRule.PROPERTY_NAME.matcher(property).matches() || !TRAIT_NAME.matcher(trait).matches()) {
                p.add(new ConfigProblem(CONTACT_TRAITS, "key '" + CONTACT_TRAITS + "' expects property=trait pairs of lower-case names (firstname=first_name)"
                        + " but got '" + entry.strip() + "'"));
            } else if (trait.equals("email") || trait.equals("phone")) {
                p.add(new ConfigProblem(CONTACT_TRAITS, "key '" + CONTACT_TRAITS + "': '" + entry.strip() + "': email and phone are identities (and the "
                        + "email trait) already; map another trait name"));
            } else if (traits.containsValue(trait)) {
                p.add(new ConfigProblem(CONTACT_TRAITS, "key '" + CONTACT_TRAITS + "' maps two properties to trait '" + trait + "'"));
            } else {
                traits.put(property, trait);
            }
        }

        String webhookPath = config.getString(WEBHOOK_PATH).strip();
        if (!webhookPath.startsWith("/") || webhookPath.contains("?") || webhookPath.contains("#")
                || webhookPath.contains("{") || webhookPath.chars().anyMatch(Character::isWhitespace)) {
            p.add(new ConfigProblem(WEBHOOK_PATH, "key '" + WEBHOOK_PATH + "' expects a path starting with '/' (no query, no spaces) but got '"
                    + webhookPath + "'"));
        }

        List<SegmentRule> rules = new ArrayList<>();
        List<String> pushEntries = config.get(SEGMENT_PUSH).map(v -> castList(v)).orElse(List.of());
        for (String entry : pushEntries) {
            SegmentRule r = SegmentRule.parse(SEGMENT_PUSH, entry, hubspot, p);
            if (r != null) {
                if (rules.stream().anyMatch(o -> o.segmentId() == r.segmentId() && o.target().equals(r.target()))) {
                    p.add(new ConfigProblem(SEGMENT_PUSH, "key '" + SEGMENT_PUSH + "' lists '" + entry.strip() + "' twice"));
                } else if (r.kind() == SegmentRule.Kind.PROPERTY && rules.stream().anyMatch(o -> o.segmentId() == r.segmentId()
                        && o.kind() == SegmentRule.Kind.PROPERTY && o.property().equals(r.property()))) {
                    p.add(new ConfigProblem(SEGMENT_PUSH, "key '" + SEGMENT_PUSH + "' sets property '" + r.property() + "' twice for segment "
                            + r.segmentId()));
                } else {
                    rules.add(r);
                }
            }
        }
        String segmentUri = config.getString(SEGMENT_EVENTS_URI).strip();
        if (segmentUri.isEmpty() || segmentUri.chars().anyMatch(Character::isWhitespace)) {
            p.add(new ConfigProblem(SEGMENT_EVENTS_URI, "key '" + SEGMENT_EVENTS_URI + "' expects a Camel endpoint URI such as " + DEFAULT_SEGMENT_EVENTS_URI
                    + " but got '" + segmentUri + "'"));
        }

        String owner = string(config, TASK_OWNER).orElse(null);
        if (hubspot && owner != null && !owner.matches("[0-9]+")) {
            p.add(new ConfigProblem(TASK_OWNER, "key '" + TASK_OWNER + "' expects a HubSpot owner id (digits, from GET /crm/v3/owners) but got '"
                    + owner + "'"));
        }
        Duration dueIn = config.getDuration(TASK_DUE_IN);
        if (dueIn.isNegative()) {
            p.add(new ConfigProblem(TASK_DUE_IN, "key '" + TASK_DUE_IN + "' expects a duration of 0 or more but got " + dueIn));
        }
        double rate = config.getDouble(RATE);
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            p.add(new ConfigProblem(RATE, "key '" + RATE + "' expects a number >= 0 (0: no limit) but got " + rate));
        }

        CrmSettings.Generic generic = null;
        if (hubspot) {
            for (String key : GENERIC_ONLY) {
                ConfigSpec.onlyWhen(config, key, MODE, "generic").ifPresent(p::add);
            }
        } else {
            generic = generic(config, token, objects, rules, p);
        }

        if (!p.isEmpty()) {
            return null;
        }
        return new CrmSettings(hubspot, apiUrl, token, clientSecret, timeout, List.copyOf(objects), interval, start, lag,
                java.util.Collections.unmodifiableMap(traits), webhookPath, List.copyOf(rules), segmentUri,
                config.getBoolean(SEGMENT_CREATE),
                new CrmSettings.TaskDefaults(owner, config.getString(TASK_PRIORITY), config.getString(TASK_TYPE), dueIn),
                rate, generic);
    }

    private static CrmSettings.Generic generic(PluginConfig config, String token, List<ObjectType> objects,
                                               List<SegmentRule> rules, List<ConfigProblem> p) {
        String auth = config.getString(G_AUTH);
        String user = string(config, G_USERNAME).orElse(null);
        String header = config.getString(G_AUTH_HEADER).strip();
        if (!auth.equals("none") && token == null) {
            p.add(new ConfigProblem(ACCESS_TOKEN, "key '" + ACCESS_TOKEN + "' is required with " + G_AUTH + ": " + auth
                    + " (it is the token or password sent); set it, or set " + G_AUTH + ": none"));
        }
        ConfigSpec.requiredWhen(config, G_USERNAME, G_AUTH, "basic", "the user name sent with access-token as the password")
                .ifPresent(p::add);
        ConfigSpec.onlyWhen(config, G_USERNAME, G_AUTH, "basic").ifPresent(p::add);
        if (auth.equals("header") && !HEADER_NAME.matcher(header).matches()) {
            p.add(new ConfigProblem(G_AUTH_HEADER, "key '" + G_AUTH_HEADER + "' expects an HTTP header name such as X-API-Key but got '" + header + "'"));
        }
        if (auth.equals("header") && header.equalsIgnoreCase("Authorization")) {
            p.add(new ConfigProblem(G_AUTH_HEADER, "key '" + G_AUTH_HEADER + "' is Authorization; use " + G_AUTH + ": bearer or basic for it"));
        }
        UrlTemplate contacts = template(config, G_CONTACTS_URL, POLL_PLACEHOLDERS, p);
        UrlTemplate deals = template(config, G_DEALS_URL, POLL_PLACEHOLDERS, p);
        if (objects.contains(ObjectType.CONTACTS) && contacts == null && string(config, G_CONTACTS_URL).isEmpty()) {
            p.add(new ConfigProblem(G_CONTACTS_URL, "key '" + G_CONTACTS_URL + "' is required in generic mode while " + POLL_OBJECTS
                    + " lists contacts (or take contacts out of " + POLL_OBJECTS + ")"));
        }
        if (objects.contains(ObjectType.DEALS) && deals == null && string(config, G_DEALS_URL).isEmpty()) {
            p.add(new ConfigProblem(G_DEALS_URL, "key '" + G_DEALS_URL + "' is required in generic mode while " + POLL_OBJECTS
                    + " lists deals (or take deals out of " + POLL_OBJECTS + ")"));
        }
        JsonPointer results = pointer(config, G_RESULTS, true, p);
        JsonPointer next = pointer(config, G_NEXT, true, p);
        Map<String, JsonPointer> contactFields = fields(config, G_CONTACT_FIELDS, List.of("id", "updated_at"), p);
        Map<String, JsonPointer> dealFields = fields(config, G_DEAL_FIELDS, List.of("id", "updated_at"), p);
        if (dealFields != null && !dealFields.containsKey("contact_id") && !dealFields.containsKey("contact_email")) {
            p.add(new ConfigProblem(G_DEAL_FIELDS, "key '" + G_DEAL_FIELDS + "' must map contact_id or contact_email: a deal's event needs its person"));
        }
        String signature = config.getString(G_SIGNATURE_HEADER).strip();
        if (!HEADER_NAME.matcher(signature).matches()) {
            p.add(new ConfigProblem(G_SIGNATURE_HEADER, "key '" + G_SIGNATURE_HEADER + "' expects an HTTP header name but got '" + signature + "'"));
        }
        UrlTemplate segmentUrl = template(config, G_SEGMENT_URL, SEGMENT_PLACEHOLDERS, p);
        if (!rules.isEmpty() && string(config, G_SEGMENT_URL).isEmpty()) {
            p.add(new ConfigProblem(G_SEGMENT_URL, "key '" + G_SEGMENT_URL + "' is required in generic mode while " + SEGMENT_PUSH
                    + " lists segments: it is where their entries and exits are posted"));
        }
        UrlTemplate taskUrl = template(config, G_TASK_URL, TASK_PLACEHOLDERS, p);
        JsonPointer taskId = pointer(config, G_TASK_ID, false, p);
        return new CrmSettings.Generic(auth, user, header, contacts, deals, results, next, contactFields, dealFields,
                signature, segmentUrl, taskUrl, taskId);
    }

    /** The configuration for the log: secrets masked, the keys of the other mode left out. */
    static Map<String, Object> shown(PluginConfig config) {
        boolean hubspot = config.getString(MODE).equals("hubspot");
        Map<String, Object> shown = new LinkedHashMap<>(config.masked());
        if (hubspot) {
            shown.keySet().removeIf(k -> k.startsWith("generic-"));
        }
        return shown;
    }

    private static CrmSettings.PollStart pollStart(String value, List<ConfigProblem> p) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.equals("now")) {
            return CrmSettings.PollStart.NOW;
        }
        if (v.equals("all")) {
            return CrmSettings.PollStart.ALL;
        }
        Instant at = value.chars().allMatch(Character::isDigit) ? null : Json.instant(value);
        if (at == null) {
            p.add(new ConfigProblem(POLL_START, "key '" + POLL_START + "' expects now, all or an ISO-8601 instant such as 2025-01-01T00:00:00Z but got '"
                    + value + "'"));
            return CrmSettings.PollStart.NOW;
        }
        return new CrmSettings.PollStart(false, at);
    }

    private static UrlTemplate template(PluginConfig config, String key, Set<String> placeholders, List<ConfigProblem> p) {
        Optional<String> v = string(config, key);
        return v.map(s -> UrlTemplate.parse(key, s, placeholders, p)).orElse(null);
    }

    private static JsonPointer pointer(PluginConfig config, String key, boolean emptyAllowed, List<ConfigProblem> p) {
        String v = config.getString(key).strip();
        if (v.isEmpty() && emptyAllowed) {
            return JsonPointer.empty();
        }
        try {
            if (!v.startsWith("/")) {
                throw new IllegalArgumentException("no leading /");
            }
            return JsonPointer.compile(v);
        } catch (IllegalArgumentException e) {
            p.add(new ConfigProblem(key, "key '" + key + "' expects a JSON pointer such as /results/0/id but got '" + v + "'"));
            return null;
        }
    }

    private static Map<String, JsonPointer> fields(PluginConfig config, String key, List<String> required, List<ConfigProblem> p) {
        Map<String, JsonPointer> map = new LinkedHashMap<>();
        boolean ok = true;
        for (String entry : config.getList(key)) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).strip();
            String ptr = eq < 0 ? "" : entry.substring(eq + 1).strip();
            if (!TRAIT_NAME.matcher(name).matches() || !ptr.startsWith("/")) {
                p.add(new ConfigProblem(key, "key '" + key + "' expects name=/json/pointer pairs such as email=/properties/email but got '"
                        + entry.strip() + "'"));
                ok = false;
                continue;
            }
            try {
                if (map.put(name, JsonPointer.compile(ptr)) != null) {
                    p.add(new ConfigProblem(key, "key '" + key + "' maps '" + name + "' twice"));
                    ok = false;
                }
            } catch (IllegalArgumentException e) {
                p.add(new ConfigProblem(key, "key '" + key + "': '" + ptr + "' is not a JSON pointer"));
                ok = false;
            }
        }
        for (String r : required) {
            if (!map.containsKey(r)) {
                p.add(new ConfigProblem(key, "key '" + key + "' must map '" + r + "'"));
                ok = false;
            }
        }
        return ok ? java.util.Collections.unmodifiableMap(map) : null;
    }

    private static Duration positive(PluginConfig config, String key, List<ConfigProblem> p) {
        Duration d = config.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            p.add(new ConfigProblem(key, "key '" + key + "' expects a positive duration but got " + d));
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object v) {
        return (List<String>) v;
    }

    private static Optional<String> string(PluginConfig config, String key) {
        return config.get(key).map(Object::toString).map(String::strip).filter(s -> !s.isEmpty());
    }

    private static boolean isHttp(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("http") || scheme.equals("https");
    }
}
