package io.atrium.plugin.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The configuration a connector accepts: every key declared once, with type, default, whether it
 * is required or secret, allowed values and a description. The hub validates a plugin's
 * configuration against it before starting the plugin, masks secrets with it, and publishes it
 * (as a table and a JSON schema) for the console and the docs.
 */
public final class ConfigSpec {

    /** What replaces a secret value in logs, config dumps and API answers. */
    public static final String MASK = "******";

    private static final ConfigSpec EMPTY = new ConfigSpec(List.of());

    private final Map<String, ConfigKey> keys;

    private ConfigSpec(Collection<ConfigKey> keys) {
        Map<String, ConfigKey> map = new LinkedHashMap<>();
        for (ConfigKey key : keys) {
            if (map.put(key.name(), key) != null) {
                throw new IllegalArgumentException("configuration key '" + key.name() + "' is declared twice");
            }
        }
        this.keys = Collections.unmodifiableMap(map);
    }

    public static ConfigSpec empty() {
        return EMPTY;
    }

    public static ConfigSpec of(ConfigKey... keys) {
        return new ConfigSpec(List.of(keys));
    }

    public static ConfigSpec of(Collection<ConfigKey> keys) {
        return new ConfigSpec(keys);
    }

    /** A spec with the keys of both; a key declared in both must not differ in type. */
    public ConfigSpec merge(ConfigSpec other) {
        Map<String, ConfigKey> merged = new LinkedHashMap<>(keys);
        for (ConfigKey key : other.keys()) {
            ConfigKey existing = merged.putIfAbsent(key.name(), key);
            if (existing != null && existing.type() != key.type()) {
                throw new IllegalArgumentException("configuration key '" + key.name() + "' is declared as "
                        + existing.type() + " and as " + key.type());
            }
        }
        return new ConfigSpec(merged.values());
    }

    public Collection<ConfigKey> keys() {
        return keys.values();
    }

    public ConfigKey key(String name) {
        return keys.get(name);
    }

    /**
     * Checks {@code raw} against this spec and collects every problem: missing required keys,
     * unknown keys, values of the wrong type, values not among the allowed ones.
     */
    public Validation validate(Map<String, ?> raw) {
        Map<String, ?> input = raw == null ? Map.of() : raw;
        List<ConfigProblem> problems = new ArrayList<>();
        for (String name : new TreeMap<>(input).keySet()) {
            if (!keys.containsKey(name)) {
                problems.add(new ConfigProblem(name, unknownKeyMessage(name)));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey key : keys.values()) {
            Object value = input.get(key.name());
            boolean fromDefault = false;
            if (value == null || (value instanceof String s && s.isEmpty())) {
                if (key.defaultValue() == null) {
                    if (key.isRequired()) {
                        problems.add(new ConfigProblem(key.name(), "missing required key '" + key.name() + "' ("
                                + key.type().expected() + describe(key) + ") which has no default value"));
                    }
                    continue;
                }
                value = key.defaultValue();
                fromDefault = true;
            }
            Object parsed;
            try {
                parsed = key.type().parse(value);
            } catch (RuntimeException e) {
                // A parser's message may quote the value: for a secret, say nothing of it.
                String shown = key.isSecret() ? "a value that is not" : "'" + value + "', which is not (" + simple(e) + ")";
                problems.add(new ConfigProblem(key.name(), (fromDefault ? "default of key '" : "key '") + key.name()
                        + "' expects " + key.type().expected() + " but got " + shown));
                continue;
            }
            if (!key.allowedValues().isEmpty() && !key.allowedValues().contains(String.valueOf(parsed))) {
                String shown = key.isSecret() ? "another value" : "'" + parsed + "'";
                problems.add(new ConfigProblem(key.name(), "key '" + key.name() + "' must be one of "
                        + key.allowedValues() + " but got " + shown));
                continue;
            }
            values.put(key.name(), parsed);
        }
        return new Validation(problems.isEmpty() ? new PluginConfig(values, this) : null, List.copyOf(problems));
    }

    /**
     * A rule between keys that many connectors have: {@code key} must have a value while
     * {@code whenKey} is {@code whenValue} (for a list key: while it lists {@code whenValue}). The
     * problem belongs to {@code key}, and says what to set it to; it never quotes a value.
     *
     * <pre>{@code
     * ConfigSpec.requiredWhen(config, "imap-host", "bounce-mode", "imap", "the IMAP server").ifPresent(problems::add);
     * }</pre>
     *
     * @param what what the key's value is, for the message (e.g. "the IMAP server of the bounce mailbox"); may be empty
     */
    public static Optional<ConfigProblem> requiredWhen(PluginConfig config, String key, String whenKey, String whenValue,
                                                       String what) {
        if (!holds(config, whenKey, whenValue) || isSet(config, key)) {
            return Optional.empty();
        }
        return Optional.of(new ConfigProblem(key, "key '" + key + "' is required when " + condition(config, whenKey, whenValue)
                + (what == null || what.isEmpty() ? "" : ": set it to " + what)));
    }

    /**
     * The other side of {@link #requiredWhen}: {@code key} means something only while
     * {@code whenKey} is (or lists) {@code whenValue}, so a value given otherwise is a mistake
     * worth telling (a typo in {@code whenKey}, or a key left over). The problem belongs to {@code key}.
     */
    public static Optional<ConfigProblem> onlyWhen(PluginConfig config, String key, String whenKey, String whenValue) {
        if (holds(config, whenKey, whenValue) || !isSet(config, key)) {
            return Optional.empty();
        }
        Object actual = config.get(whenKey).orElse(null);
        String now = actual instanceof List<?> ? "'" + whenKey + "' does not list it"
                : actual == null ? "'" + whenKey + "' is not set" : "'" + whenKey + "' is '" + shown(config, whenKey, actual) + "'";
        return Optional.of(new ConfigProblem(key, "key '" + key + "' only applies when " + condition(config, whenKey, whenValue)
                + ", but " + now + "; set that or remove '" + key + "'"));
    }

    /**
     * A connector's checks of the rules between keys, written once: they add every problem they find to
     * {@code problems} and return the settings they built, or null when they found any. The connector
     * runs them through {@link #settings} when it starts and through {@link #problems} for
     * {@link Connector#validate}.
     *
     * @param <T> the connector's settings
     */
    @FunctionalInterface
    public interface Checks<T> {
        T run(PluginConfig config, List<ConfigProblem> problems);
    }

    /**
     * The settings {@code checks} build, or an {@link IllegalArgumentException} naming every problem:
     * {@code "<what>: <message>; <message>"}.
     *
     * <pre>{@code
     * static CrmSettings parse(PluginConfig config) {
     *     return ConfigSpec.settings(config, "configuration of plugin 'crm'", CrmConfig::build);
     * }
     * }</pre>
     */
    public static <T> T settings(PluginConfig config, String what, Checks<T> checks) {
        List<ConfigProblem> problems = new ArrayList<>();
        T settings = checks.run(config, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(what + ": " + String.join("; ", problems.stream().map(ConfigProblem::message).toList()));
        }
        return settings;
    }

    /** Every problem {@code checks} find, each with its key; what they build is dropped. */
    public static List<ConfigProblem> problems(PluginConfig config, Checks<?> checks) {
        List<ConfigProblem> problems = new ArrayList<>();
        checks.run(config, problems);
        return List.copyOf(problems);
    }

    /** Whether a key has a value: not absent, not blank text, not an empty list. */
    public static boolean isSet(PluginConfig config, String key) {
        Object v = config.get(key).orElse(null);
        if (v == null) {
            return false;
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        return !v.toString().isBlank();
    }

    private static boolean holds(PluginConfig config, String whenKey, String whenValue) {
        Object v = config.get(whenKey).orElse(null);
        if (v instanceof List<?> l) {
            return l.stream().anyMatch(e -> String.valueOf(e).strip().equalsIgnoreCase(whenValue));
        }
        return v != null && String.valueOf(v).strip().equalsIgnoreCase(whenValue);
    }

    private static String condition(PluginConfig config, String whenKey, String whenValue) {
        boolean list = config.spec().key(whenKey) != null && config.spec().key(whenKey).type() == ConfigType.LIST;
        return "'" + whenKey + "' " + (list ? "lists" : "is") + " '" + whenValue + "'";
    }

    private static String shown(PluginConfig config, String key, Object value) {
        ConfigKey k = config.spec().key(key);
        return k != null && k.isSecret() ? MASK : String.valueOf(value);
    }

    /** A copy of {@code raw} fit for logs and API answers: secret values replaced by {@link #MASK}. */
    public Map<String, Object> mask(Map<String, ?> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        raw.forEach((name, value) -> {
            ConfigKey key = keys.get(name);
            boolean secret = key == null ? looksSecret(name) : key.isSecret();
            out.put(name, secret && value != null ? MASK : value);
        });
        return out;
    }

    /** A JSON Schema (draft 2020-12) of this spec, as plain maps and lists ready for a JSON writer. */
    public Map<String, Object> toJsonSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (ConfigKey key : keys.values()) {
            Map<String, Object> p = new LinkedHashMap<>();
            switch (key.type()) {
                case INT, LONG -> p.put("type", "integer");
                case DOUBLE -> p.put("type", "number");
                case BOOLEAN -> p.put("type", "boolean");
                case LIST -> {
                    p.put("type", "array");
                    p.put("items", Map.of("type", "string"));
                }
                case URL -> {
                    p.put("type", "string");
                    p.put("format", "uri");
                }
                case DURATION -> {
                    p.put("type", "string");
                    p.put("format", "duration");
                }
                default -> p.put("type", "string");
            }
            if (key.isSecret()) {
                p.put("format", "password");
                p.put("writeOnly", true);
            }
            if (!key.description().isEmpty()) {
                p.put("description", key.description());
            }
            if (key.defaultValue() != null && !key.isSecret()) {
                p.put("default", key.defaultValue());
            }
            if (!key.allowedValues().isEmpty()) {
                p.put("enum", key.allowedValues());
            }
            properties.put(key.name(), p);
            if (key.isRequired() && key.defaultValue() == null) {
                required.add(key.name());
            }
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", required);
        schema.put("additionalProperties", false);
        return schema;
    }

    private String unknownKeyMessage(String name) {
        if (keys.isEmpty()) {
            return "unknown key '" + name + "': this plugin takes no configuration";
        }
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String known : keys.keySet()) {
            int d = distance(name, known);
            if (d < best) {
                best = d;
                closest = known;
            }
        }
        String hint = best <= Math.max(2, name.length() / 3) ? " (did you mean '" + closest + "'?)" : "";
        return "unknown key '" + name + "'" + hint + "; known keys: " + String.join(", ", keys.keySet());
    }

    private static String describe(ConfigKey key) {
        return key.description().isEmpty() ? "" : ": " + key.description();
    }

    private static String simple(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** For keys the spec does not know (they are reported anyway): mask anything that sounds secret. */
    static boolean looksSecret(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.contains("password") || n.contains("secret") || n.contains("token") || n.contains("key")
                || n.contains("credential");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * The outcome of {@link #validate}: either a {@link PluginConfig} or the list of every problem.
     */
    public record Validation(PluginConfig config, List<ConfigProblem> problems) {
        public boolean isValid() {
            return problems.isEmpty();
        }
    }
}
