package io.atrium.plugins.webtracker;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.ConfigType;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.pf4j.Extension;

/**
 * Serves the tracker script at {@code GET /js/atrium.js} (the path is configurable) through a
 * Camel platform-http route, so it shares the hub's HTTP port.
 */
@Extension
public class WebTrackerConnector implements Connector {

    static final String SCRIPT_RESOURCE = "/web/atrium.js";

    static final ConfigSpec SPEC = ConfigSpec.of(
            ConfigKey.of("script-path", ConfigType.STRING).defaultValue("/js/atrium.js")
                    .description("HTTP path the tracker script is served at"),
            ConfigKey.of("cache-max-age", ConfigType.DURATION).defaultValue("10m")
                    .description("How long browsers may cache the script (sent as an Expires header)"));

    @Override
    public ConfigSpec configSpec() {
        return SPEC;
    }

    @Override
    public void start(ConnectorContext context) throws Exception {
        String path = context.config().getString("script-path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("script-path must start with '/', got '" + path + "'");
        }
        Duration maxAge = context.config().getDuration("cache-max-age");
        byte[] script = loadScript();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:" + path + "?httpMethodRestrict=GET,HEAD")
                        .routeId(context.pluginId() + "-script")
                        .setHeader(Exchange.CONTENT_TYPE, constant("application/javascript; charset=utf-8"))
                        // Camel's HTTP header filter drops Cache-Control on responses; Expires is honoured the same way.
                        .process(e -> e.getMessage().setHeader("Expires", DateTimeFormatter.RFC_1123_DATE_TIME
                                .format(ZonedDateTime.now(ZoneOffset.UTC).plus(maxAge))))
                        .setHeader("Access-Control-Allow-Origin", constant("*"))
                        .setBody(constant(script));
            }
        });
    }

    static byte[] loadScript() throws IOException {
        try (InputStream in = WebTrackerConnector.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IOException("tracker script " + SCRIPT_RESOURCE + " is missing from the plugin jar");
            }
            return in.readAllBytes();
        }
    }
}
