package io.atrium.server.plugin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.MessageSender;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.server.broker.Queues;
import io.atrium.server.camel.OwnedRoutes;

import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Which plugin sends on which channel. Each registered channel gets a route that consumes the
 * channel's durable outbound queue in a JMS transaction: a transient send failure rolls the
 * message back for the broker to redeliver with backoff; a permanent one is final.
 */
@Component
public class ChannelRegistry {

    private static final Logger log = LoggerFactory.getLogger(ChannelRegistry.class);

    private final OwnedRoutes routes;
    private final ObjectMapper mapper;
    private final Map<String, String> pluginByChannel = new ConcurrentHashMap<>();

    public ChannelRegistry(OwnedRoutes routes, ObjectMapper mapper) {
        this.routes = routes;
        this.mapper = mapper;
    }

    public Map<String, String> channels() {
        return Map.copyOf(pluginByChannel);
    }

    String register(String pluginId, String channel, MessageSender sender, ClassLoader pluginClassLoader,
                    HostConnectorContext context) {
        if (channel == null || !channel.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("channel name '" + channel + "' must be lower-case letters, digits and '-'");
        }
        String previous = pluginByChannel.putIfAbsent(channel, pluginId);
        if (previous != null) {
            throw new IllegalArgumentException("channel '" + channel + "' is already provided by plugin '" + previous + "'");
        }
        String routeId = pluginId + "-channel-" + channel;
        try {
            routes.add(context.owner(), routeId, new RouteBuilder() {
                @Override
                public void configure() {
                    from("jms:queue:" + Queues.outbound(channel) + "?transacted=true&concurrentConsumers=1")
                            .routeId(routeId)
                            .process(exchange -> {
                                OutboundMessage message = mapper.readValue(exchange.getMessage().getBody(String.class), OutboundMessage.class);
                                Thread thread = Thread.currentThread();
                                ClassLoader previousLoader = thread.getContextClassLoader();
                                thread.setContextClassLoader(pluginClassLoader);
                                try {
                                    sender.send(message);
                                } catch (SendException e) {
                                    if (!e.isPermanent()) {
                                        throw e;
                                    }
                                    log.warn("Channel '{}': message {} failed permanently ({}): {}", channel, message.id(),
                                            e.reason(), e.getMessage());
                                } finally {
                                    thread.setContextClassLoader(previousLoader);
                                }
                            });
                }
            });
        } catch (Exception e) {
            pluginByChannel.remove(channel, pluginId);
            throw new IllegalStateException("channel '" + channel + "' could not start: " + e.getMessage(), e);
        }
        return routeId;
    }

    void unregister(String pluginId, String channel) {
        pluginByChannel.remove(channel, pluginId);
    }
}
