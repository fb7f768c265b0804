package io.atrium.plugin.api;

import java.nio.file.Path;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.RoutesBuilder;

/**
 * What the hub hands a connector when it starts. Everything registered here belongs to the
 * plugin and is removed by the hub when the plugin stops or is replaced.
 */
public interface ConnectorContext {

    /** The plugin id (kebab-case, as in the plugin descriptor). */
    String pluginId();

    /** The plugin's configuration, already validated against {@link Connector#configSpec()}. */
    PluginConfig config();

    /** The hub's Camel context, for creating endpoints and producer templates. */
    CamelContext camelContext();

    /**
     * Adds Camel routes owned by this plugin. Routes without an explicit id get
     * {@code <pluginId>-<n>}. They are removed when the plugin stops.
     */
    void addRoutes(RoutesBuilder routes) throws Exception;

    /**
     * Registers a Camel component under {@code scheme} so that YAML routes and other plugins can
     * use it. Fails if the scheme is already taken by the hub or another plugin.
     */
    void addComponent(String scheme, Component component);

    /** The hub's event intake: events handed here are durable once the call returns. */
    EventSink events();

    /**
     * Registers this plugin as the sender for a channel (email, sms, viber, ...). The hub consumes
     * the channel's durable outbound queue and calls {@code sender} for every message.
     */
    void registerChannel(String channel, MessageSender sender);

    /** A directory for this plugin's own files, under the hub's data directory; it survives restarts and upgrades. */
    Path dataDirectory();
}
