package io.atrium.plugin.api;

import java.util.List;

import org.pf4j.ExtensionPoint;

/**
 * The extension point every Atrium connector implements.
 *
 * <p>A plugin marks its implementation with {@code @org.pf4j.Extension}. The hub reads the
 * connector's {@link #configSpec()}, validates the plugin's configuration against it, and only
 * then calls {@link #start(ConnectorContext)}. Everything the connector registers through the
 * context (Camel routes, components, channels) is removed by the hub when the plugin stops, so
 * {@link #stop()} only needs to release what the connector opened itself.
 *
 * <p>A connector that throws from {@code start} is stopped and its plugin is reported as
 * DISABLED with the exception's message; the hub and the other plugins keep running.
 */
public interface Connector extends ExtensionPoint {

    /** The configuration this connector accepts. Declared once; validated before {@link #start}. */
    default ConfigSpec configSpec() {
        return ConfigSpec.empty();
    }

    /**
     * The connector's own checks of a configuration that already passed the {@link #configSpec()}:
     * rules between keys, formats the spec cannot express. It must collect every problem, each
     * naming its key and never quoting a secret value, and must not start anything or reach the
     * network. The hub calls it before {@link #start}, and whenever an admin validates or saves a
     * configuration through the API, so a console can show the problems next to the fields.
     * A connector that still throws {@link IllegalArgumentException} from {@code start} for a bad
     * configuration keeps working; its message is then only shown after the start failed.
     */
    default List<ConfigProblem> validate(PluginConfig config) {
        return List.of();
    }

    /** Starts the connector with its validated configuration. */
    void start(ConnectorContext context) throws Exception;

    /** Releases what the connector opened itself. Routes and components are removed by the hub. */
    default void stop() throws Exception {
    }
}
