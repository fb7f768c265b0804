package io.atrium.server.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Source code of the fixture plugins the tests build. Each is a small, real connector. */
public final class Fixtures {

    private Fixtures() {
    }

    /**
     * {@code greeter}: serves GET /greeter with its {@code greeting} (suffixed with the version),
     * and contributes the Camel component {@code greet:} whose producer prefixes the body.
     */
    public static Path greeter(Path dir, String version) throws IOException {
        String connector = """
                package fixture.greeter;

                import io.atrium.plugin.api.*;
                import org.apache.camel.builder.RouteBuilder;
                import org.pf4j.Extension;

                @Extension
                public class GreeterConnector implements Connector {
                    public ConfigSpec configSpec() {
                        return ConfigSpec.of(ConfigKey.of("greeting", ConfigType.STRING).defaultValue("hello")
                                .description("What GET /greeter answers"));
                    }
                    public void start(ConnectorContext ctx) throws Exception {
                        String text = ctx.config().getString("greeting") + " v%s";
                        ctx.addComponent("greet", new GreetComponent());
                        ctx.addRoutes(new RouteBuilder() {
                            public void configure() {
                                from("platform-http:/greeter").routeId("greeter-http").setBody(constant(text));
                            }
                        });
                    }
                }
                """.formatted(version);
        String component = """
                package fixture.greeter;

                import java.util.Map;
                import org.apache.camel.*;
                import org.apache.camel.support.*;

                public class GreetComponent extends DefaultComponent {
                    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
                        return new DefaultEndpoint(uri, this) {
                            public Producer createProducer() {
                                return new DefaultProducer(this) {
                                    public void process(Exchange exchange) {
                                        exchange.getMessage().setBody("greeted " + remaining + ": "
                                                + exchange.getMessage().getBody(String.class));
                                    }
                                };
                            }
                            public Consumer createConsumer(Processor processor) {
                                throw new UnsupportedOperationException("greet: is send-only");
                            }
                        };
                    }
                }
                """;
        return TestPlugins.zip(dir, "greeter", version, Map.of("fixture.greeter.GreeterConnector", connector,
                "fixture.greeter.GreetComponent", component), List.of("fixture.greeter.GreeterConnector"));
    }

    /** {@code exploding}: declares a secret {@code password} and fails to start with a message that echoes it. */
    public static Path exploding(Path dir) throws IOException {
        String connector = """
                package fixture.exploding;

                import io.atrium.plugin.api.*;
                import org.pf4j.Extension;

                @Extension
                public class ExplodingConnector implements Connector {
                    public ConfigSpec configSpec() {
                        return ConfigSpec.of(
                                ConfigKey.of("url", ConfigType.URL).required().description("Server to log in to"),
                                ConfigKey.of("password", ConfigType.STRING).required().secret().description("Login password"));
                    }
                    public void start(ConnectorContext ctx) {
                        org.slf4j.LoggerFactory.getLogger(getClass()).info("Logging in with {}", ctx.config());
                        throw new IllegalStateException("login to " + ctx.config().getUrl("url") + " refused for password "
                                + ctx.config().getString("password"));
                    }
                }
                """;
        return TestPlugins.zip(dir, "exploding", "1.0.0", Map.of("fixture.exploding.ExplodingConnector", connector),
                List.of("fixture.exploding.ExplodingConnector"));
    }

    /** {@code configured}: requires {@code api-url}, a secret {@code api-token}, and a {@code mode} of two values. */
    public static Path configured(Path dir) throws IOException {
        String connector = """
                package fixture.configured;

                import io.atrium.plugin.api.*;
                import org.apache.camel.builder.RouteBuilder;
                import org.pf4j.Extension;

                @Extension
                public class ConfiguredConnector implements Connector {
                    public ConfigSpec configSpec() {
                        return ConfigSpec.of(
                                ConfigKey.of("api-url", ConfigType.URL).required().description("Base URL of the API"),
                                ConfigKey.of("api-token", ConfigType.STRING).required().secret().description("API token"),
                                ConfigKey.of("mode", ConfigType.STRING).defaultValue("push").allowedValues("push", "pull"),
                                ConfigKey.of("batch-size", ConfigType.INT).defaultValue("100"));
                    }
                    public void start(ConnectorContext ctx) throws Exception {
                        String answer = ctx.config().getUrl("api-url") + " " + ctx.config().getString("mode");
                        ctx.addRoutes(new RouteBuilder() {
                            public void configure() {
                                from("platform-http:/configured").routeId("configured-http").setBody(constant(answer));
                            }
                        });
                    }
                }
                """;
        return TestPlugins.zip(dir, "configured", "1.0.0", Map.of("fixture.configured.ConfiguredConnector", connector),
                List.of("fixture.configured.ConfiguredConnector"));
    }

    /**
     * {@code sender}: provides the channel {@code test}; every message it is asked to send comes
     * back to the hub as a {@code message_sent} event (so a test sees both directions of the contract).
     */
    public static Path sender(Path dir) throws IOException {
        String connector = """
                package fixture.sender;

                import io.atrium.plugin.api.*;
                import org.pf4j.Extension;

                @Extension
                public class SenderConnector implements Connector {
                    public void start(ConnectorContext ctx) {
                        ctx.registerChannel("test", ChannelOptions.addressedBy("phone"), message -> {
                            ctx.events().submit(Event.track("plugin_sent")
                                .identity("phone", message.to()).messageId("sent-" + message.id())
                                .property("to", message.to()).property("body", message.text()).build());
                            return SendResult.accepted("p-" + message.id());
                        });
                    }
                }
                """;
        return TestPlugins.zip(dir, "sender", "1.0.0", Map.of("fixture.sender.SenderConnector", connector),
                List.of("fixture.sender.SenderConnector"));
    }

    /** {@code hanging}: its start never returns (a connector waiting on a server that never answers). */
    public static Path hanging(Path dir) throws IOException {
        String connector = """
                package fixture.hanging;

                import io.atrium.plugin.api.*;
                import org.pf4j.Extension;

                @Extension
                public class HangingConnector implements Connector {
                    public void start(ConnectorContext ctx) throws Exception {
                        new java.util.concurrent.CountDownLatch(1).await();
                    }
                }
                """;
        return TestPlugins.zip(dir, "hanging", "1.0.0", Map.of("fixture.hanging.HangingConnector", connector),
                List.of("fixture.hanging.HangingConnector"));
    }

    /**
     * {@code probe}: provides the channels {@code probe} (addressed by e-mail), {@code probe-chat}
     * (by viber_id), {@code probe-text} (by phone) and the staff-facing {@code probe-staff} (internal, by
     * e-mail), recording each send as
     * a file {@code sent/<message id>} (one line per send) in its data directory. The address' local
     * part picks the provider's answer: {@code flaky...} fails twice with a transient error, then
     * accepts; {@code bounce...} is refused permanently as an invalid address; anything else is
     * accepted with the provider id {@code p-<message id>}. It serves the provider's callbacks at
     * {@code /probe/report?channel=&provider=&status=&reason=} and {@code /probe/inbound?channel=&from=&text=}
     * (channel defaults to probe).
     */
    public static Path probe(Path dir) throws IOException {
        String connector = """
                package fixture.probe;

                import java.nio.file.*;
                import java.util.concurrent.ConcurrentHashMap;
                import io.atrium.plugin.api.*;
                import org.apache.camel.builder.RouteBuilder;
                import org.pf4j.Extension;

                @Extension
                public class ProbeConnector implements Connector {
                    private final ConcurrentHashMap<String, ChannelFeedback> feedbacks = new ConcurrentHashMap<>();

                    public void start(ConnectorContext ctx) throws Exception {
                        Path sent = Files.createDirectories(ctx.dataDirectory().resolve("sent"));
                        MessageSender sender = m -> {
                            String local = m.to().contains("@") ? m.to().substring(0, m.to().indexOf('@')) : m.to();
                            int n;
                            try { // counted on disk, so that a restart of the plugin does not forget earlier attempts
                                Path count = Files.createDirectories(ctx.dataDirectory().resolve("attempts")).resolve(m.id());
                                Files.writeString(count, "x", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                                n = Files.readString(count).length();
                            } catch (java.io.IOException e) {
                                throw new SendException("unavailable", e.toString(), false);
                            }
                            if (local.startsWith("flaky") && n < 3) {
                                throw new SendException("unavailable", "provider busy (attempt " + n + ")", false);
                            }
                            if (local.startsWith("bounce")) {
                                throw new SendException("invalid_address", "550 no such user", true);
                            }
                            try {
                                Files.writeString(sent.resolve(m.id()), m.to() + "|" + m.subject() + "|" + m.text() + "|" + m.html()
                                        + "|" + m.unsubscribeUrl() + "|" + m.purpose() + "|" + m.channel() + "\\n",
                                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            } catch (java.io.IOException e) {
                                throw new SendException("unavailable", e.toString(), false);
                            }
                            return SendResult.accepted("p-" + m.id());
                        };
                        feedbacks.put("probe", ctx.registerChannel("probe", ChannelOptions.addressedBy("email").ratePerSecond(100), sender));
                        feedbacks.put("probe-chat", ctx.registerChannel("probe-chat", ChannelOptions.addressedBy("viber_id"), sender));
                        feedbacks.put("probe-text", ctx.registerChannel("probe-text", ChannelOptions.addressedBy("phone"), sender));
                        feedbacks.put("probe-staff", ctx.registerChannel("probe-staff",
                                ChannelOptions.addressedBy("email").internal(true), sender));
                        ctx.addRoutes(new RouteBuilder() {
                            public void configure() {
                                from("platform-http:/probe/report").routeId("probe-report").process(e -> {
                                    var in = e.getMessage();
                                    StatusUpdate u = StatusUpdate.ofProviderMessage(in.getHeader("provider", String.class),
                                            MessageStatus.fromWire(in.getHeader("status", String.class)));
                                    if (in.getHeader("reason") != null) {
                                        u = u.reason(in.getHeader("reason", String.class), "provider says so");
                                    }
                                    feedbacks.get(in.getHeader("channel", "probe", String.class)).status(u);
                                    in.setBody("ok");
                                });
                                from("platform-http:/probe/inbound").routeId("probe-inbound").process(e -> {
                                    var in = e.getMessage();
                                    feedbacks.get(in.getHeader("channel", "probe", String.class)).inbound(
                                            InboundMessage.of(in.getHeader("from", String.class), in.getHeader("text", String.class)));
                                    in.setBody("ok");
                                });
                            }
                        });
                    }
                }
                """;
        return TestPlugins.zip(dir, "probe", "1.0.0", Map.of("fixture.probe.ProbeConnector", connector),
                List.of("fixture.probe.ProbeConnector"));
    }
}
