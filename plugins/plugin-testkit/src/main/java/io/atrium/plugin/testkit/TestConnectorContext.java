package io.atrium.plugin.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventSink;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.Lease;
import io.atrium.plugin.api.MessageSender;
import io.atrium.plugin.api.PluginConfig;
import io.atrium.plugin.api.StateStore;
import io.atrium.plugin.api.StatusUpdate;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Runs one connector the way the hub does, for the plugin's own tests: its configuration is
 * validated against its {@link ConfigSpec} (a problem fails {@link #start}), it gets a real Camel
 * context with a real {@code platform-http} server on a free loopback port ({@link #httpUrl()}),
 * and everything it hands the hub (events, channel registrations, status updates, inbound
 * messages) is recorded for the test to assert on.
 *
 * <pre>{@code
 * try (TestConnectorContext ctx = TestConnectorContext.forPlugin("sms", Map.of("mode", "smpp", ...))) {
 *     ctx.start(new SmsConnector());
 *     ctx.sender("sms").send(message);
 *     assertThat(ctx.submittedEvents()).isEmpty();
 *     await().until(() -> ctx.statuses("sms"), hasSize(2));
 * }
 * }</pre>
 */
public final class TestConnectorContext implements ConnectorContext, AutoCloseable {

    private final String pluginId;
    private final Map<String, Object> rawConfig;
    private final DefaultCamelContext camel;
    private final int httpPort;
    private final Path dataDirectory;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Map<String, MessageSender> senders = new ConcurrentHashMap<>();
    private final Map<String, ChannelOptions> channelOptions = new ConcurrentHashMap<>();
    private final Map<String, List<StatusUpdate>> statuses = new ConcurrentHashMap<>();
    private final Map<String, List<InboundMessage>> inbound = new ConcurrentHashMap<>();
    private final Map<String, List<String>> optOuts = new ConcurrentHashMap<>();
    private final Map<String, TestLease> leases = new ConcurrentHashMap<>();
    private volatile StateStore state = new MemoryStateStore();
    private volatile boolean leasesHeld = true;
    private volatile PluginConfig config;
    private volatile Connector connector;
    private volatile RuntimeException eventFailure;

    private TestConnectorContext(String pluginId, Map<String, Object> rawConfig) throws IOException {
        this.pluginId = pluginId;
        this.rawConfig = rawConfig;
        this.httpPort = freePort();
        this.dataDirectory = Files.createTempDirectory("atrium-plugin-" + pluginId);
        this.camel = new DefaultCamelContext();
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost("127.0.0.1");
        http.setBindPort(httpPort);
        try {
            camel.addService(new VertxPlatformHttpServer(http));
        } catch (Exception e) {
            throw new IllegalStateException("could not add the platform-http server", e);
        }
        camel.start();
    }

    /** A context for plugin {@code pluginId} with this raw configuration (as read from config/plugins/<id>.yml). */
    public static TestConnectorContext forPlugin(String pluginId, Map<String, ?> config) throws IOException {
        return new TestConnectorContext(pluginId, Map.copyOf(config));
    }

    /**
     * Validates the configuration against the connector's spec and starts it.
     *
     * @throws IllegalArgumentException listing every configuration problem, as the hub would report them
     */
    public TestConnectorContext start(Connector connector) throws Exception {
        ConfigSpec.Validation v = connector.configSpec().validate(rawConfig);
        if (!v.problems().isEmpty()) {
            List<String> messages = new ArrayList<>();
            for (ConfigProblem p : v.problems()) {
                messages.add(p.message());
            }
            throw new IllegalArgumentException("configuration of plugin '" + pluginId + "': " + String.join("; ", messages));
        }
        this.config = v.config();
        this.connector = connector;
        connector.start(this);
        return this;
    }

    /** The base URL of the platform-http server, e.g. {@code http://127.0.0.1:41234}; also {@link #publicUrl()}. */
    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The sender the connector registered for {@code channel}. */
    public MessageSender sender(String channel) {
        MessageSender s = senders.get(channel);
        if (s == null) {
            throw new IllegalStateException("plugin '" + pluginId + "' registered no channel '" + channel
                    + "'; it registered " + senders.keySet());
        }
        return s;
    }

    public ChannelOptions channelOptions(String channel) {
        sender(channel);
        return channelOptions.get(channel);
    }

    /** Status updates reported on {@code channel}, in the order they came. */
    public List<StatusUpdate> statuses(String channel) {
        return Collections.unmodifiableList(statuses.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()));
    }

    /** Inbound messages reported on {@code channel}, in the order they came. */
    public List<InboundMessage> inbound(String channel) {
        return Collections.unmodifiableList(inbound.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()));
    }

    /** Addresses reported as opted out on {@code channel}, in the order they came. */
    public List<String> optOuts(String channel) {
        return Collections.unmodifiableList(optOuts.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()));
    }

    /** Events the connector submitted. */
    public List<Event> submittedEvents() {
        return Collections.unmodifiableList(events);
    }

    /** Makes the next {@link EventSink#submit} calls throw {@code failure} (null: accept again). */
    public void failEvents(RuntimeException failure) {
        this.eventFailure = failure;
    }

    @Override
    public String pluginId() {
        return pluginId;
    }

    @Override
    public PluginConfig config() {
        if (config == null) {
            throw new IllegalStateException("start(connector) first");
        }
        return config;
    }

    @Override
    public CamelContext camelContext() {
        return camel;
    }

    @Override
    public void addRoutes(RoutesBuilder routes) throws Exception {
        camel.addRoutes(routes);
    }

    @Override
    public void addComponent(String scheme, Component component) {
        if (camel.hasComponent(scheme) != null) {
            throw new IllegalArgumentException("component '" + scheme + "' already exists");
        }
        camel.addComponent(scheme, component);
    }

    @Override
    public EventSink events() {
        return batch -> {
            RuntimeException f = eventFailure;
            if (f != null) {
                throw f;
            }
            events.addAll(batch);
        };
    }

    @Override
    public ChannelFeedback registerChannel(String channel, ChannelOptions options, MessageSender sender) {
        if (channel == null || !channel.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("channel name '" + channel + "' must be lower-case letters, digits and '-'");
        }
        if (senders.putIfAbsent(channel, sender) != null) {
            throw new IllegalArgumentException("channel '" + channel + "' is already registered");
        }
        channelOptions.put(channel, options);
        List<StatusUpdate> s = statuses.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
        List<InboundMessage> in = inbound.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
        return new ChannelFeedback() {
            @Override
            public void status(StatusUpdate update) {
                s.add(update);
            }

            @Override
            public void inbound(InboundMessage message) {
                in.add(message);
            }

            @Override
            public void optedOut(String address, java.time.Instant at, String detail) {
                optOuts.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(address);
            }
        };
    }

    @Override
    public String publicUrl() {
        return httpUrl();
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** In memory, with the hub's compare-and-set rules; shared by the contexts given the same one with {@link #useState}. */
    @Override
    public StateStore state() {
        return state;
    }

    /** Makes this context use {@code store}, e.g. one shared with another context standing for a second hub node. Call before start. */
    public TestConnectorContext useState(StateStore store) {
        this.state = store;
        return this;
    }

    /** Held unless the test says otherwise with {@link #holdLeases}. */
    @Override
    public Lease lease(String name) {
        return leases.computeIfAbsent(name, TestLease::new);
    }

    /** Whether the leases of this context are held (true at first): false stands for another node holding them. */
    public void holdLeases(boolean held) {
        this.leasesHeld = held;
    }

    private final class TestLease implements Lease {
        private final String name;
        private volatile boolean closed;

        TestLease(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean isHeld() {
            return leasesHeld && !closed;
        }

        @Override
        public void close() {
            closed = true;
            leases.remove(name, this);
        }
    }

    /** Stops the connector, then the Camel context and its HTTP server. */
    @Override
    public void close() throws Exception {
        try {
            if (connector != null) {
                connector.stop();
            }
        } finally {
            camel.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
