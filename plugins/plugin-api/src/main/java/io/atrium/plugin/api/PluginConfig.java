package io.atrium.plugin.api;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A plugin's validated configuration: every value already has its declared type. */
public final class PluginConfig {

    private final Map<String, Object> values;
    private final ConfigSpec spec;

    PluginConfig(Map<String, Object> values, ConfigSpec spec) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.spec = spec;
    }

    /** The value, or empty when the key is optional, absent and has no default. */
    public Optional<Object> get(String key) {
        check(key);
        return Optional.ofNullable(values.get(key));
    }

    public String getString(String key) { return (String) require(key); }
    public int getInt(String key) { return (Integer) require(key); }
    public long getLong(String key) { return (Long) require(key); }
    public double getDouble(String key) { return (Double) require(key); }
    public boolean getBoolean(String key) { return (Boolean) require(key); }
    public Duration getDuration(String key) { return (Duration) require(key); }
    public URI getUrl(String key) { return (URI) require(key); }

    @SuppressWarnings("unchecked")
    public List<String> getList(String key) { return (List<String>) require(key); }

    /** Every value, secrets masked: safe to log. */
    public Map<String, Object> masked() {
        return spec.mask(values);
    }

    public ConfigSpec spec() {
        return spec;
    }

    private Object require(String key) {
        check(key);
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("configuration key '" + key + "' has no value and no default");
        }
        return v;
    }

    private void check(String key) {
        if (spec.key(key) == null) {
            throw new IllegalArgumentException("configuration key '" + key + "' is not declared in the plugin's ConfigSpec");
        }
    }

    @Override
    public String toString() {
        return masked().toString();
    }
}
