package io.atrium.plugin.api;

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

    /** Starts the connector with its validated configuration. */
    void start(ConnectorContext context) throws Exception;

    /** Releases what the connector opened itself. Routes and components are removed by the hub. */
    default void stop() throws Exception {
    }
}
