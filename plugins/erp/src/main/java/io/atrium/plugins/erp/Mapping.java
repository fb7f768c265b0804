package io.atrium.plugins.erp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.Event;

/**
 * The mapping from ERP records to events, compiled from configuration ({@code mapping.*} keys,
 * or the options of an {@code erp:map} endpoint). One record gives one event, a {@code track}
 * (with {@code properties}) or an {@code identify} (with {@code traits} and consents), or is
 * skipped on purpose by a rule, or is rejected with every problem it has. Mapping never throws
 * for bad data.
 */
final class Mapping {

    static final String TRACK = "track";
    static final String IDENTIFY = "identify";

    // Names relative to the mapping's prefix ("mapping." in the plugin's configuration).
    static final String TYPE = "type";
    static final String EVENT = "event";
    static final String ID_ERP = "identities.erp_id";
    static final String ID_EMAIL = "identities.email";
    static final String ID_PHONE = "identities.phone";
    static final String ID_CRM = "identities.crm_id";
    static final String ID_OTHER = "identities.other";
    static final String PROPERTIES = "properties";
    static final String TRAITS = "traits";
    static final String CONSENTS = "consents";
    static final String TIMESTAMP = "timestamp";
    static final String TIMESTAMP_FORMAT = "timestamp-format";
    static final String TIMEZONE = "timezone";
    static final String DECIMAL_SEPARATOR = "decimal-separator";
    static final String MESSAGE_ID = "message-id";

    /** Every mapping key, in the order of the README. */
    static final List<String> KEYS = List.of(TYPE, EVENT, ID_ERP, ID_EMAIL, ID_PHONE, ID_CRM, ID_OTHER, PROPERTIES, TRAITS,
            CONSENTS, TIMESTAMP, TIMESTAMP_FORMAT, TIMEZONE, DECIMAL_SEPARATOR, MESSAGE_ID);

    private static final Pattern IDENTITY_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern CONSENT = Pattern.compile("[a-z][a-z0-9_-]*\\.[a-z][a-z0-9_-]*");
    private static final int MAX_ID = 512;

    /** Where a mapping's settings come from, and how its keys are called in messages. */
    interface Settings {
        /** The typed value of {@code name} (relative, e.g. {@code event}), if set. */
        Optional<Object> get(String name);

        /** How a problem names the setting, e.g. {@code key 'mapping.event'} or {@code option 'event'}. */
        String describe(String name);

        /** The key a {@link ConfigProblem} carries. */
        String key(String name);
    }

    /** The outcome for one record: exactly one of an event, a deliberate skip, or problems. */
    record Result(Record record, Event event, boolean skipped, List<RecordProblem> problems) {
        boolean ok() {
            return event != null;
        }
    }

    private record Identity(String type, FieldRef field) {
    }

    private record Consent(String channel, String purpose, FieldRef field) {
    }

    private final String sourceName;
    private final Rules type;
    private final Rules event;
    private final List<Identity> identities;
    private final List<FieldRef> properties;
    private final boolean allProperties;
    private final List<FieldRef> traits;
    private final boolean allTraits;
    private final List<Consent> consents;
    private final FieldRef timestamp;
    private final List<FieldRef> messageId;
    private final Values values;

    private Mapping(String sourceName, Rules type, Rules event, List<Identity> identities, List<FieldRef> properties,
                    boolean allProperties, List<FieldRef> traits, boolean allTraits, List<Consent> consents,
                    FieldRef timestamp, List<FieldRef> messageId, Values values) {
        this.sourceName = sourceName;
        this.type = type;
        this.event = event;
        this.identities = identities;
        this.properties = properties;
        this.allProperties = allProperties;
        this.traits = traits;
        this.allTraits = allTraits;
        this.consents = consents;
        this.timestamp = timestamp;
        this.messageId = messageId;
        this.values = values;
    }

    /**
     * Compiles a mapping, adding every problem of its settings to {@code problems}.
     *
     * @return the mapping, or null when there were problems
     */
    static Mapping compile(Settings s, List<ConfigProblem> problems) {
        int before = problems.size();
        Rules type = null;
        List<String> typeRules = list(s, TYPE);
        try {
            type = Rules.parse(typeRules.isEmpty() ? List.of(TRACK) : typeRules, s.key(TYPE),
                    new LinkedHashSet<>(List.of(TRACK, IDENTIFY)));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(s.key(TYPE), s.describe(TYPE) + ": " + e.getMessage()));
        }
        Rules event = null;
        List<String> eventRules = list(s, EVENT);
        if (!eventRules.isEmpty()) {
            try {
                event = Rules.parse(eventRules, s.key(EVENT), null);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(s.key(EVENT), s.describe(EVENT) + ": " + e.getMessage()));
            }
        } else if (type != null && type.fixedResults().contains(TRACK)) {
            problems.add(new ConfigProblem(s.key(EVENT), s.describe(EVENT) + " is required when records become track "
                    + "events (" + s.describe(TYPE) + " is " + (typeRules.isEmpty() ? "track by default" : typeRules)
                    + "): the event name, e.g. order_created, order_{status}, or 'order_created when status = new'"));
        }

        List<Identity> identities = new ArrayList<>();
        int identityProblems = problems.size();
        for (String[] dedicated : new String[][] {{ID_ERP, "erp_id"}, {ID_EMAIL, "email"}, {ID_PHONE, "phone"},
                {ID_CRM, "crm_id"}}) {
            Optional<String> field = string(s, dedicated[0]);
            if (field.isPresent()) {
                try {
                    identities.add(new Identity(dedicated[1], FieldRef.field(field.get())));
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(s.key(dedicated[0]), s.describe(dedicated[0]) + ": " + e.getMessage()));
                }
            }
        }
        for (String item : list(s, ID_OTHER)) {
            int eq = item.indexOf('=');
            String idType = eq < 0 ? "" : item.substring(0, eq).strip();
            if (eq < 0 || !IDENTITY_TYPE.matcher(idType).matches()) {
                problems.add(new ConfigProblem(s.key(ID_OTHER), s.describe(ID_OTHER) + ": '" + item.strip()
                        + "' must be type=field with a type of lower-case letters, digits and _ (e.g. loyalty_card=card_no)"));
                continue;
            }
            if (identities.stream().anyMatch(i -> i.type().equals(idType))) {
                problems.add(new ConfigProblem(s.key(ID_OTHER), s.describe(ID_OTHER) + ": identity type '" + idType
                        + "' is mapped twice"));
                continue;
            }
            try {
                identities.add(new Identity(idType, FieldRef.field(item.substring(eq + 1))));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(s.key(ID_OTHER), s.describe(ID_OTHER) + ": " + e.getMessage()));
            }
        }
        if (identities.isEmpty() && problems.size() == identityProblems) {
            problems.add(new ConfigProblem(s.key(ID_ERP), "no identity is mapped: set at least one of "
                    + s.describe(ID_ERP) + ", " + s.describe(ID_EMAIL) + ", " + s.describe(ID_PHONE) + ", "
                    + s.describe(ID_CRM) + " or " + s.describe(ID_OTHER) + " to the field that names the person "
                    + "(e.g. customer_id)"));
        }

        List<FieldRef> properties = new ArrayList<>();
        boolean allProperties = refs(s, PROPERTIES, properties, problems);
        List<FieldRef> traits = new ArrayList<>();
        boolean allTraits = refs(s, TRAITS, traits, problems);

        List<Consent> consents = new ArrayList<>();
        for (String item : list(s, CONSENTS)) {
            int eq = item.indexOf('=');
            String target = eq < 0 ? "" : item.substring(0, eq).strip();
            if (eq < 0 || !CONSENT.matcher(target).matches()) {
                problems.add(new ConfigProblem(s.key(CONSENTS), s.describe(CONSENTS) + ": '" + item.strip()
                        + "' must be channel.purpose=field, e.g. email.marketing=email_opt_in"));
                continue;
            }
            try {
                int dot = target.indexOf('.');
                consents.add(new Consent(target.substring(0, dot), target.substring(dot + 1), FieldRef.field(item.substring(eq + 1))));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(s.key(CONSENTS), s.describe(CONSENTS) + ": " + e.getMessage()));
            }
        }

        FieldRef timestamp = null;
        Optional<String> ts = string(s, TIMESTAMP);
        if (ts.isPresent()) {
            try {
                timestamp = FieldRef.field(ts.get());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(s.key(TIMESTAMP), s.describe(TIMESTAMP) + ": " + e.getMessage()));
            }
        }
        DateTimeFormatter format = null;
        Optional<String> pattern = string(s, TIMESTAMP_FORMAT);
        if (pattern.isPresent()) {
            try {
                format = DateTimeFormatter.ofPattern(pattern.get(), java.util.Locale.ROOT);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(s.key(TIMESTAMP_FORMAT), s.describe(TIMESTAMP_FORMAT)
                        + " is not a date-time pattern (" + e.getMessage() + "), e.g. dd.MM.yyyy HH:mm:ss"));
            }
        }
        ZoneId zone = java.time.ZoneOffset.UTC;
        Optional<String> zoneName = string(s, TIMEZONE);
        if (zoneName.isPresent()) {
            try {
                zone = ZoneId.of(zoneName.get());
            } catch (DateTimeException e) {
                problems.add(new ConfigProblem(s.key(TIMEZONE), s.describe(TIMEZONE) + " must be a time zone such as UTC, "
                        + "Europe/Kyiv or +02:00, not '" + zoneName.get() + "'"));
            }
        }
        char decimal = '.';
        Optional<String> sep = string(s, DECIMAL_SEPARATOR);
        if (sep.isPresent()) {
            if (sep.get().equals(".") || sep.get().equals(",")) {
                decimal = sep.get().charAt(0);
            } else {
                problems.add(new ConfigProblem(s.key(DECIMAL_SEPARATOR), s.describe(DECIMAL_SEPARATOR)
                        + " must be '.' or ',', not '" + sep.get() + "'"));
            }
        }
        List<FieldRef> messageId = new ArrayList<>();
        for (String item : list(s, MESSAGE_ID)) {
            try {
                messageId.add(FieldRef.field(item));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(s.key(MESSAGE_ID), s.describe(MESSAGE_ID) + ": " + e.getMessage()));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new Mapping(s.key(""), type, event, List.copyOf(identities), List.copyOf(properties), allProperties,
                List.copyOf(traits), allTraits, List.copyOf(consents), timestamp, List.copyOf(messageId),
                new Values(zone, format, decimal));
    }

    /** Reads a list of {@code [name=]field[?][:type]}; returns whether it has the wildcard {@code *}. */
    private static boolean refs(Settings s, String name, List<FieldRef> out, List<ConfigProblem> problems) {
        boolean all = false;
        Set<String> names = new LinkedHashSet<>();
        for (String item : list(s, name)) {
            if (item.strip().equals("*")) {
                all = true;
                continue;
            }
            try {
                FieldRef f = FieldRef.parse(item);
                if (!names.add(f.name())) {
                    problems.add(new ConfigProblem(s.key(name), s.describe(name) + ": '" + f.name() + "' is given twice"));
                    continue;
                }
                out.add(f);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(s.key(name), s.describe(name) + ": " + e.getMessage()));
            }
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Settings s, String name) {
        Optional<Object> v = s.get(name);
        if (v.isEmpty()) {
            return List.of();
        }
        if (v.get() instanceof List<?> l) {
            return (List<String>) l;
        }
        return List.of(String.valueOf(v.get()));
    }

    private static Optional<String> string(Settings s, String name) {
        return s.get(name).map(Object::toString).map(String::strip).filter(v -> !v.isEmpty());
    }

    Values values() {
        return values;
    }

    /**
     * The fields every record must have, whatever it holds (the ones not marked optional, of the
     * rules, identities, properties, traits, consents, timestamp and message id), for a check of
     * a query's columns before anything is read.
     */
    Set<String> requiredFields() {
        Set<String> out = new LinkedHashSet<>();
        List<FieldRef> all = new ArrayList<>();
        all.addAll(type.fields());
        if (event != null) {
            all.addAll(event.fields());
        }
        identities.forEach(i -> all.add(i.field()));
        all.addAll(properties);
        all.addAll(traits);
        consents.forEach(c -> all.add(c.field()));
        if (timestamp != null) {
            all.add(timestamp);
        }
        all.addAll(messageId);
        for (FieldRef f : all) {
            if (!f.optional()) {
                out.add(f.field());
            }
        }
        return out;
    }

    /** Maps one record. Never throws for bad data: the problems are in the result. */
    Result map(Record r, String via) {
        List<RecordProblem> problems = new ArrayList<>();
        Position pos = r.position();

        Rules.Outcome t = type.evaluate(r, values);
        if (t.problem() != null) {
            return new Result(r, null, false, List.of(t.problem()));
        }
        if (t.skipped()) {
            return new Result(r, null, true, List.of());
        }
        boolean track = TRACK.equals(t.result());
        String name = null;
        if (track) {
            if (event == null) {
                return new Result(r, null, false, List.of(new RecordProblem(pos, (String) null,
                        "the record is a track event but " + sourceName + "event is not set")));
            }
            Rules.Outcome e = event.evaluate(r, values);
            if (e.problem() != null) {
                problems.add(e.problem());
            } else if (e.skipped()) {
                return new Result(r, null, true, List.of());
            } else {
                name = e.result();
            }
        }

        Event.Builder b = track ? Event.track(name == null ? "?" : name) : Event.identify();
        boolean anyIdentity = false;
        int beforeIdentities = problems.size();
        for (Identity id : identities) {
            Object raw = field(r, id.field(), problems);
            String v = values.text(raw);
            if (v != null && !v.isEmpty()) {
                b.identity(id.type(), v);
                anyIdentity = true;
            }
        }
        // A missing identity field is reported already; say "no person" only when the fields are there but empty.
        if (!anyIdentity && problems.size() == beforeIdentities) {
            List<String> names = identities.stream().map(i -> i.field().field()).toList();
            problems.add(new RecordProblem(pos, names, names.size() == 1 ? "is empty, so the record names no person"
                    : "all are empty or missing, so the record names no person"));
        }

        Map<String, Object> attributes = new LinkedHashMap<>();
        if (track ? allProperties : allTraits) {
            r.fields().forEach((k, v) -> attributes.put(k, values.normalize(v)));
        }
        for (FieldRef f : track ? properties : traits) {
            if (!r.has(f.field())) {
                field(r, f, problems);
                continue;
            }
            try {
                attributes.put(f.name(), values.convert(r.get(f.field()), f.type()));
            } catch (Values.BadValue e) {
                problems.add(new RecordProblem(pos, f.field(), e.getMessage()));
            }
        }
        if (!track && !consents.isEmpty()) {
            Map<String, Object> byChannel = new LinkedHashMap<>();
            for (Consent c : consents) {
                Object raw = field(r, c.field(), problems);
                if (raw == null || (raw instanceof String s && s.isBlank())) {
                    continue;
                }
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> purposes = (Map<String, Object>) byChannel.computeIfAbsent(c.channel(),
                            k -> new LinkedHashMap<String, Object>());
                    purposes.put(c.purpose(), values.bool(raw));
                } catch (Values.BadValue e) {
                    problems.add(new RecordProblem(pos, c.field().field(), e.getMessage()));
                }
            }
            if (!byChannel.isEmpty()) {
                attributes.put("consents", byChannel);
            }
        }
        if (track) {
            b.properties(attributes);
        } else {
            b.traits(attributes);
        }

        if (timestamp != null) {
            Object raw = field(r, timestamp, problems);
            if (raw == null || (raw instanceof String s && s.isBlank())) {
                if (!timestamp.optional() && r.has(timestamp.field())) {
                    problems.add(new RecordProblem(pos, timestamp.field(), "is empty, and " + sourceName + TIMESTAMP
                            + " takes the event's time from it (end the name with ? to allow that: the hub's time is used)"));
                }
            } else {
                try {
                    b.timestamp(values.instant(raw));
                } catch (Values.BadValue e) {
                    problems.add(new RecordProblem(pos, timestamp.field(), e.getMessage()));
                }
            }
        }

        String kind = track ? (name == null ? "?" : name) : IDENTIFY;
        String id = messageId(r, kind, problems);
        if (!problems.isEmpty()) {
            return new Result(r, null, false, List.copyOf(problems));
        }
        b.messageId(id);
        Map<String, Object> erp = new LinkedHashMap<>();
        erp.put("source", via);
        erp.put("position", pos.describe());
        b.context("erp", erp);
        return new Result(r, b.build(), false, List.of());
    }

    /** The value of a mapped field; a problem when the record lacks a field that is not optional. */
    private static Object field(Record r, FieldRef f, List<RecordProblem> problems) {
        if (!r.has(f.field())) {
            if (!f.optional()) {
                problems.add(new RecordProblem(r.position(), f.field(), "is not in the record (its fields: "
                        + fieldList(r) + "); end the name with ? in the mapping if records may lack it"));
            }
            return null;
        }
        return r.get(f.field());
    }

    private static String fieldList(Record r) {
        List<String> names = new ArrayList<>(r.fields().keySet());
        String s = String.join(", ", names.size() > 20 ? names.subList(0, 20) : names);
        return names.isEmpty() ? "none" : names.size() > 20 ? s + ", ..." : s;
    }

    /**
     * {@code erp:<event or identify>:<values of the message-id fields>} (each URL-encoded), stable for the
     * same row; without message-id fields a hash of the whole record. Over 512 characters: a hash.
     */
    private String messageId(Record r, String kind, List<RecordProblem> problems) {
        String prefix = "erp:" + kind + ":";
        String body;
        if (messageId.isEmpty()) {
            StringBuilder canonical = new StringBuilder();
            new TreeMap<>(r.fields()).forEach((k, v) -> canonical.append(k).append('=')
                    .append(v == null ? "" : values.text(v)).append('\n'));
            body = "h" + sha256(canonical.toString()).substring(0, 32);
        } else {
            List<String> parts = new ArrayList<>();
            for (FieldRef f : messageId) {
                Object raw = field(r, f, problems);
                String v = values.text(raw);
                if ((v == null || v.isEmpty()) && !f.optional() && r.has(f.field())) {
                    problems.add(new RecordProblem(r.position(), f.field(), "is empty, and " + sourceName + MESSAGE_ID
                            + " builds the event's id from it"));
                }
                parts.add(v == null ? "" : URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
            body = String.join(":", parts);
        }
        String id = prefix + body;
        return id.length() <= MAX_ID ? id : "erp:" + sha256(id);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
