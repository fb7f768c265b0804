package io.atrium.server.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Logs, once at start, where everything is and what the hub talks to, with every secret masked. */
@Component
public class StartupReport {

    private static final Logger log = LoggerFactory.getLogger(StartupReport.class);

    private final AtriumProperties properties;
    private final Environment environment;

    public StartupReport(AtriumProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(100)
    public void report() {
        AtriumProperties.Db db = properties.getDb();
        AtriumProperties.Broker broker = properties.getBroker();
        log.info("""
                Atrium is ready
                  http port : {}
                  home      : {}
                  data      : {}
                  plugins   : {} (configuration in {})
                  routes    : {}
                  database  : {}
                  broker    : {}""",
                environment.getProperty("local.server.port", environment.getProperty("server.port", "8080")),
                properties.getHome().toAbsolutePath().normalize(),
                properties.getData().toAbsolutePath().normalize(),
                properties.pluginsDir().toAbsolutePath().normalize(),
                properties.pluginConfigDir().toAbsolutePath().normalize(),
                properties.routesDir().toAbsolutePath().normalize(),
                db.isExternal() ? maskUrl(db.getUrl()) + " as " + db.getUser() + (db.getPassword() == null || db.getPassword().isEmpty() ? "" : " (password ******)")
                        : "embedded PostgreSQL under " + properties.getData().resolve("postgres").toAbsolutePath().normalize(),
                broker.isExternal() ? maskUrl(broker.getUrl()) + (broker.getUser() == null ? "" : " as " + broker.getUser())
                        : "embedded Artemis, journal under " + properties.getData().resolve("broker").toAbsolutePath().normalize());
    }

    /** Drops user-info and password-like query parameters from a URL. */
    static String maskUrl(String url) {
        String out = url.replaceAll("(?i)(password|passwd|pwd|secret|token)=[^&;]*", "$1=******");
        int scheme = out.indexOf("://");
        if (scheme > 0) {
            String rest = out.substring(scheme + 3);
            int at = rest.indexOf('@');
            int slash = rest.indexOf('/');
            if (at >= 0 && (slash < 0 || at < slash)) {
                out = out.substring(0, scheme + 3) + "******@" + rest.substring(at + 1);
            }
        }
        return out;
    }
}
