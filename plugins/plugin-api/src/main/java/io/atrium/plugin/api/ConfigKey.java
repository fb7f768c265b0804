package io.atrium.plugin.api;

import java.util.List;
import java.util.Objects;

/**
 * One configuration key a connector accepts, declared once.
 *
 * <pre>{@code
 * ConfigKey.of("api-url", ConfigType.URL).required().description("Base URL of the CRM API")
 * ConfigKey.of("api-token", ConfigType.STRING).required().secret().description("API token")
 * ConfigKey.of("poll-interval", ConfigType.DURATION).defaultValue("30s").description("How often to poll")
 * }</pre>
 */
public final class ConfigKey {

    private final String name;
    private final ConfigType type;
    private final boolean required;
    private final Object defaultValue;
    private final boolean secret;
    private final List<String> allowedValues;
    private final String description;

    private ConfigKey(String name, ConfigType type, boolean required, Object defaultValue, boolean secret,
                      List<String> allowedValues, String description) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.required = required;
        this.defaultValue = defaultValue;
        this.secret = secret;
        this.allowedValues = allowedValues == null ? List.of() : List.copyOf(allowedValues);
        this.description = description == null ? "" : description;
    }

    public static ConfigKey of(String name, ConfigType type) {
        return new ConfigKey(name, type, false, null, false, List.of(), "");
    }

    public ConfigKey required() {
        return new ConfigKey(name, type, true, defaultValue, secret, allowedValues, description);
    }

    /** The value used when the key is absent (text, parsed like a configured value). */
    public ConfigKey defaultValue(Object value) {
        return new ConfigKey(name, type, required, value, secret, allowedValues, description);
    }

    /** A password, token or key: never logged, masked in every config dump and API answer. */
    public ConfigKey secret() {
        return new ConfigKey(name, type, required, defaultValue, true, allowedValues, description);
    }

    public ConfigKey allowedValues(String... values) {
        return new ConfigKey(name, type, required, defaultValue, secret, List.of(values), description);
    }

    public ConfigKey description(String text) {
        return new ConfigKey(name, type, required, defaultValue, secret, allowedValues, text);
    }

    public String name() { return name; }
    public ConfigType type() { return type; }
    public boolean isRequired() { return required; }
    public Object defaultValue() { return defaultValue; }
    public boolean isSecret() { return secret; }
    public List<String> allowedValues() { return allowedValues; }
    public String description() { return description; }
}
