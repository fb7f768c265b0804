package io.atrium.plugins.erp;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.EventSink;
import io.atrium.plugin.api.Lease;
import io.atrium.plugin.api.MessageSender;
import io.atrium.plugin.api.PluginConfig;
import io.atrium.plugin.api.StateStore;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.RoutesBuilder;

/**
 * The erp connector running in the test kit, with a window on its calls to the hub's intake: the
 * size of every {@code submit} call, and an optional gate that holds a call until the test lets
 * it go. Everything else is the test kit's (its Camel context, HTTP server, recorded events).
 */
final class Running implements AutoCloseable {

    final TestConnectorContext ctx;
    final ErpConnector connector = new ErpConnector();
    /** Sizes of the submit calls that reached the hub (also the refused ones). */
    final List<Integer> submits = new CopyOnWriteArrayList<>();
    /** When set, the submit call with this number (1-based) waits for {@link #release}. */
    volatile int holdCall;
    final Semaphore held = new Semaphore(0);
    final Semaphore release = new Semaphore(0);

    private Running(TestConnectorContext ctx) {
        this.ctx = ctx;
    }

    static Running start(Map<String, ?> config) throws Exception {
        return start(config, null);
    }

    /** Starts the connector; with {@code stateFrom}, the plugin state of an earlier run (a restart, or another hub node). */
    static Running start(Map<String, ?> config, StateStore stateFrom) throws Exception {
        return start(config, stateFrom, true);
    }

    /** With {@code holdsLease} false, as a hub node on which another node holds the plugin's leases. */
    static Running start(Map<String, ?> config, StateStore stateFrom, boolean holdsLease) throws Exception {
        TestConnectorContext ctx = TestConnectorContext.forPlugin("erp", config);
        if (stateFrom != null) {
            ctx.useState(stateFrom);
        }
        ctx.holdLeases(holdsLease);
        Running r = new Running(ctx);
        try {
            ctx.start(r.wrapper());
        } catch (Exception | Error e) {
            ctx.close();
            throw e;
        }
        return r;
    }

    private Connector wrapper() {
        Running self = this;
        return new Connector() {
            @Override
            public ConfigSpec configSpec() {
                return connector.configSpec();
            }

            @Override
            public void start(ConnectorContext context) throws Exception {
                connector.start(self.context(context));
            }

            @Override
            public void stop() {
                connector.stop();
            }
        };
    }

    private ConnectorContext context(ConnectorContext d) {
        return new ConnectorContext() {
            @Override
            public String pluginId() {
                return d.pluginId();
            }

            @Override
            public PluginConfig config() {
                return d.config();
            }

            @Override
            public CamelContext camelContext() {
                return d.camelContext();
            }

            @Override
            public void addRoutes(RoutesBuilder routes) throws Exception {
                d.addRoutes(routes);
            }

            @Override
            public void addComponent(String scheme, Component component) {
                d.addComponent(scheme, component);
            }

            @Override
            public EventSink events() {
                EventSink real = d.events();
                return events -> {
                    submits.add(events.size());
                    if (submits.size() == holdCall) {
                        held.release();
                        release.acquireUninterruptibly();
                    }
                    real.submit(events);
                };
            }

            @Override
            public ChannelFeedback registerChannel(String channel, ChannelOptions options, MessageSender sender) {
                return d.registerChannel(channel, options, sender);
            }

            @Override
            public String publicUrl() {
                return d.publicUrl();
            }

            @Override
            public Path dataDirectory() {
                return d.dataDirectory();
            }

            @Override
            public StateStore state() {
                return d.state();
            }

            @Override
            public Lease lease(String name) {
                return d.lease(name);
            }
        };
    }

    Path dataDirectory() {
        return ctx.dataDirectory();
    }

    /** The stored watermark as JSON text, or null. */
    String storedMark() {
        return ctx.state().get(WatermarkStore.KEY).map(StateStore.Entry::json).orElse(null);
    }

    @Override
    public void close() throws Exception {
        ctx.close();
    }
}
