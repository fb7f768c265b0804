package io.atrium.plugins.erp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.EventSink;
import io.atrium.plugin.api.PluginConfig;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code erp:} Camel component the plugin registers for YAML routes. {@code erp:map} turns
 * the exchange body (a Map, a List of Maps such as camel-csv's {@code useMaps} or camel-sql's
 * rows, or JSON text: one object or an array) into events with the plugin's mapping and submits
 * them to the hub. Options named like the {@code mapping.*} keys without the prefix
 * ({@code event}, {@code type}, {@code identities.erp_id}, {@code properties}, ...) replace those
 * keys for this endpoint, so one route can import customers while the plugin's own sources import
 * orders. {@code badRecords=fail} (default) submits nothing when a record cannot be mapped and
 * fails the exchange with {@link ErpMappingException}; {@code badRecords=skip} submits the good
 * ones and lists the others in the {@link ErpConstants#PROBLEMS} header. Unknown options and any
 * path other than {@code map} are errors.
 */
final class ErpComponent extends DefaultComponent {

    static final String SCHEME = "erp";
    static final String BAD_RECORDS = "badRecords";

    private final PluginConfig config;
    private final Mapping pluginMapping;
    private final EventSink sink;

    ErpComponent(PluginConfig config, Mapping pluginMapping, EventSink sink) {
        this.config = config;
        this.pluginMapping = pluginMapping;
        this.sink = sink;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!"map".equals(remaining)) {
            throw new IllegalArgumentException("unknown erp endpoint '" + SCHEME + ":" + remaining + "': the only one is "
                    + SCHEME + ":map (options: " + String.join(", ", Mapping.KEYS.stream().map(ErpComponent::camel).toList())
                    + ", " + BAD_RECORDS + ")");
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (String name : Mapping.KEYS) {
            String given = parameters.containsKey(name) ? name : parameters.containsKey(camel(name)) ? camel(name) : null;
            if (given == null) {
                continue;
            }
            Object raw = parameters.remove(given);
            String text = raw == null ? "" : String.valueOf(raw).strip();
            if (text.isEmpty()) {
                overrides.put(name, null); // cleared for this endpoint
                continue;
            }
            ConfigKey key = ErpConfig.SPEC.key(ErpConfig.MAPPING + name);
            try {
                Object value = key.type().parse(text);
                if (!key.allowedValues().isEmpty() && !key.allowedValues().contains(String.valueOf(value))) {
                    problems.add(new ConfigProblem(name, "option '" + given + "' must be one of " + key.allowedValues()));
                    continue;
                }
                overrides.put(name, value);
            } catch (RuntimeException e) {
                problems.add(new ConfigProblem(name, "option '" + given + "' expects " + key.type().expected()));
            }
        }
        String badRecords = getAndRemoveParameter(parameters, BAD_RECORDS, String.class, "fail");
        if (!badRecords.equals("fail") && !badRecords.equals("skip")) {
            problems.add(new ConfigProblem(BAD_RECORDS, "option '" + BAD_RECORDS + "' must be fail or skip, not '"
                    + badRecords + "'"));
        }
        Mapping mapping = pluginMapping;
        if (!overrides.isEmpty() || pluginMapping == null) {
            mapping = Mapping.compile(new Mapping.Settings() {
                @Override
                public Optional<Object> get(String name) {
                    if (overrides.containsKey(name)) {
                        return Optional.ofNullable(overrides.get(name));
                    }
                    return config.get(ErpConfig.MAPPING + name);
                }

                @Override
                public String describe(String name) {
                    return overrides.containsKey(name) || pluginMapping == null ? "option '" + name + "'"
                            : "key '" + ErpConfig.MAPPING + name + "' (from the plugin's configuration)";
                }

                @Override
                public String key(String name) {
                    return name;
                }
            }, problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(SCHEME + ":map: " + String.join("; ",
                    problems.stream().map(ConfigProblem::message).toList()));
        }
        // Whatever is left in parameters makes DefaultComponent refuse the URI, naming the option.
        return new ErpEndpoint(uri, this, mapping, badRecords.equals("skip"));
    }

    /** {@code message-id} as {@code messageId}: the YAML DSL turns dashed option names into camel case. */
    static String camel(String name) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : name.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    EventSink sink() {
        return sink;
    }
}
