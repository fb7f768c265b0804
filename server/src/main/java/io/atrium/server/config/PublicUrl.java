package io.atrium.server.config;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The hub's external base URL without a trailing slash: {@code atrium.public-url}
 * ({@code ATRIUM_PUBLIC_URL}) or, when unset, {@code http://localhost:<port>} of the running server.
 * Links in messages and the webhook URLs plugins give providers are built on it.
 */
@Component
public class PublicUrl {

    private final AtriumProperties properties;
    private final Environment environment;

    public PublicUrl(AtriumProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    public String get() {
        String configured = properties.getPublicUrl();
        if (configured != null && !configured.isBlank()) {
            String u = configured.strip();
            return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
        }
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        return "http://localhost:" + port;
    }
}
