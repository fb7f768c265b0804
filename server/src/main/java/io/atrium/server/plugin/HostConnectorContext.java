package io.atrium.server.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.EventSink;
import io.atrium.plugin.api.Lease;
import io.atrium.plugin.api.MessageSender;
import io.atrium.plugin.api.PluginConfig;
import io.atrium.plugin.api.StateStore;
import io.atrium.server.camel.OwnedRoutes;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What one started plugin registered, so that all of it can be taken down again. */
final class HostConnectorContext implements ConnectorContext {

    private static final Logger log = LoggerFactory.getLogger(HostConnectorContext.class);

    private final String pluginId;
    private final PluginConfig config;
    private final CamelContext camel;
    private final OwnedRoutes routes;
    private final EventSink events;
    private final ChannelRegistry channels;
    private final Path dataDirectory;
    private final ClassLoader pluginClassLoader;
    private final String publicUrl;
    private final StateStore state;
    private final ClusterLeases leases;

    final List<String> routeIds = new ArrayList<>();
    final List<String> componentSchemes = new ArrayList<>();
    final List<String> channelNames = new ArrayList<>();
    final java.util.Map<String, Lease> leaseNames = new java.util.LinkedHashMap<>();

    HostConnectorContext(String pluginId, PluginConfig config, CamelContext camel, OwnedRoutes routes, EventSink events,
                         ChannelRegistry channels, Path dataDirectory, ClassLoader pluginClassLoader, String publicUrl,
                         StateStore state, ClusterLeases leases) {
        this.pluginId = pluginId;
        this.config = config;
        this.camel = camel;
        this.routes = routes;
        this.events = events;
        this.channels = channels;
        this.dataDirectory = dataDirectory;
        this.pluginClassLoader = pluginClassLoader;
        this.publicUrl = publicUrl;
        this.state = state;
        this.leases = leases;
    }

    String owner() {
        return "plugin " + pluginId;
    }

    @Override
    public String pluginId() {
        return pluginId;
    }

    @Override
    public PluginConfig config() {
        return config;
    }

    @Override
    public CamelContext camelContext() {
        return camel;
    }

    @Override
    public void addRoutes(RoutesBuilder builder) throws Exception {
        routeIds.addAll(routes.add(owner(), pluginId + "-" + (routeIds.size() + 1), builder));
    }

    @Override
    public void addComponent(String scheme, Component component) {
        if (scheme == null || !scheme.matches("[a-z][a-z0-9+.-]*")) {
            throw new IllegalArgumentException("component scheme '" + scheme + "' must be lower-case letters, digits, '+', '.' or '-'");
        }
        if (camel.hasComponent(scheme) != null || isOnHubClassPath(scheme)) {
            throw new IllegalArgumentException("component scheme '" + scheme + "' is already taken by the hub or another plugin");
        }
        camel.addComponent(scheme, component);
        componentSchemes.add(scheme);
    }

    private boolean isOnHubClassPath(String scheme) {
        try {
            Set<String> names = org.apache.camel.support.PluginHelper.getComponentNameResolver(camel).resolveNames(camel);
            return names.contains(scheme);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public EventSink events() {
        return events;
    }

    @Override
    public ChannelFeedback registerChannel(String channel, ChannelOptions options, MessageSender sender) {
        ChannelRegistry.Registration r = channels.register(pluginId, channel, options, sender, pluginClassLoader, this);
        channelNames.add(channel);
        routeIds.add(r.routeId());
        return r.feedback();
    }

    @Override
    public String publicUrl() {
        return publicUrl;
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public StateStore state() {
        return state;
    }

    @Override
    public synchronized Lease lease(String name) {
        Lease l = leaseNames.get(name);
        if (l == null) {
            l = leases.lease(pluginId, name);
            leaseNames.put(name, l);
        }
        return l;
    }

    /**
     * Removes everything this plugin registered, routes first (they may use its components), and
     * gives up its leases last (its connectors stopped before, so no other node starts the same
     * work while this one still does it).
     */
    void close() {
        routes.remove(owner(), routeIds);
        routeIds.clear();
        for (String channel : channelNames) {
            channels.unregister(pluginId, channel);
        }
        channelNames.clear();
        for (String scheme : componentSchemes) {
            try {
                Component c = camel.removeComponent(scheme);
                ServiceHelper.stopAndShutdownService(c);
            } catch (RuntimeException e) {
                log.warn("Plugin '{}': component '{}' did not stop cleanly: {}", pluginId, scheme, e.getMessage());
            }
        }
        componentSchemes.clear();
        synchronized (this) {
            leaseNames.values().forEach(Lease::close);
            leaseNames.clear();
        }
    }
}
