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

    /**
     * A directory for this plugin's own files, under the hub's data directory; it survives restarts
     * and upgrades. It belongs to this node only: what every node of a cluster must agree on (a
     * poll cursor, a watermark) goes in {@link #state()}.
     */
    Path dataDirectory();

    /** This plugin's durable key → JSON state, shared by every hub node of the cluster (see {@link StateStore}). */
    StateStore state();

    /**
     * The cluster-wide lease {@code name} (1 to 100 characters: letters, digits, '-', '_', '.') of
     * this plugin: at most one hub node holds it at a time (see {@link Lease}). The hub starts trying
     * to take it at once; asking again for the same name returns the same lease. It is given up
     * when the plugin stops.
     */
    Lease lease(String name);
}
