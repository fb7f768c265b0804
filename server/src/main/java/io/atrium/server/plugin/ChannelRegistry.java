package io.atrium.server.plugin;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.MessageSender;
import io.atrium.server.broker.Queues;
import io.atrium.server.camel.OwnedRoutes;
import io.atrium.server.message.Dispatcher;
import io.atrium.server.message.Feedback;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * Which plugin sends on which channel, and how. Each registered channel gets a route that consumes
 * the channel's durable outbound queue {@code atrium.outbound.<channel>} (message ids) in a JMS
 * transaction and hands each message to the {@link Dispatcher}; a transient failure rolls the queue
 * message back for the broker to redeliver with backoff.
 */
@Component
public class ChannelRegistry {

    private final OwnedRoutes routes;
    private final Dispatcher dispatcher;
    private final Feedback feedback;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();

    /** A registered channel. */
    public record Channel(String name, String pluginId, ChannelOptions options) {
    }

    /** What registering a channel gave the plugin: the consuming route and the channel's feedback. */
    public record Registration(String routeId, ChannelFeedback feedback) {
    }

    public ChannelRegistry(OwnedRoutes routes, Dispatcher dispatcher, Feedback feedback) {
        this.routes = routes;
        this.dispatcher = dispatcher;
        this.feedback = feedback;
    }

    /** Channel name to the plugin that provides it. */
    public Map<String, String> channels() {
        Map<String, String> out = new TreeMap<>();
        channels.values().forEach(c -> out.put(c.name(), c.pluginId()));
        return out;
    }

    public Optional<Channel> channel(String name) {
        return Optional.ofNullable(channels.get(name));
    }

    Registration register(String pluginId, String channel, ChannelOptions options, MessageSender sender,
                          ClassLoader pluginClassLoader, HostConnectorContext context) {
        if (channel == null || !channel.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("channel name '" + channel + "' must be lower-case letters, digits and '-'");
        }
        if (options == null || sender == null) {
            throw new IllegalArgumentException("channel '" + channel + "': options and sender are required");
        }
        Channel previous = channels.putIfAbsent(channel, new Channel(channel, pluginId, options));
        if (previous != null) {
            throw new IllegalArgumentException("channel '" + channel + "' is already provided by plugin '" + previous.pluginId() + "'");
        }
        String routeId = pluginId + "-channel-" + channel;
        Dispatcher.Pacer pacer = new Dispatcher.Pacer(options.ratePerSecond());
        try {
            routes.add(context.owner(), routeId, new RouteBuilder() {
                @Override
                public void configure() {
                    from("jms:queue:" + Queues.outbound(channel) + "?transacted=true&concurrentConsumers=" + options.concurrency())
                            .routeId(routeId)
                            .process(exchange -> dispatcher.dispatch(channel, options, sender, pluginClassLoader, pacer,
                                    exchange.getMessage().getBody(String.class).strip()));
                }
            });
        } catch (Exception e) {
            channels.remove(channel);
            throw new IllegalStateException("channel '" + channel + "' could not start: " + e.getMessage(), e);
        }
        return new Registration(routeId, feedback.forChannel(channel, options));
    }

    void unregister(String pluginId, String channel) {
        channels.computeIfPresent(channel, (k, c) -> c.pluginId().equals(pluginId) ? null : c);
    }
}
