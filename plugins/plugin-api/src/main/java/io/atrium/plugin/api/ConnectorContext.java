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
     * the channel's durable outbound queue and calls {@code sender} for every message, paced and
     * retried as {@code options} say. Status reports and replies go to the returned feedback.
     *
     * @throws IllegalArgumentException if the channel name is not kebab-case or another plugin provides it
     */
    ChannelFeedback registerChannel(String channel, ChannelOptions options, MessageSender sender);

    /**
     * The hub's external base URL ({@code atrium.public-url}, no trailing slash), for the URLs a
     * provider calls back (webhooks) and links in messages. Paths a plugin serves with
     * {@code platform-http:/path} are reachable under it.
     */
    String publicUrl();

    /** A directory for this plugin's own files, under the hub's data directory; it survives restarts and upgrades. */
    Path dataDirectory();
}
