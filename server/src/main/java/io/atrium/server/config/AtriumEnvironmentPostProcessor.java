package io.atrium.server.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns Atrium's own switches into the Spring settings they imply, so that an admin only ever sets
 * {@code ATRIUM_*}: an external broker URL selects Artemis' native client, otherwise the embedded,
 * persistent broker keeps its journal under the data directory.
 */
public class AtriumEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "atriumDerived";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> derived = new HashMap<>();
        String brokerUrl = env.getProperty("atrium.broker.url", "");
        if (!brokerUrl.isBlank()) {
            derived.put("spring.artemis.mode", "native");
            derived.put("spring.artemis.embedded.enabled", "false");
            derived.put("spring.artemis.broker-url", brokerUrl);
            putIfSet(env, derived, "atrium.broker.user", "spring.artemis.user");
            putIfSet(env, derived, "atrium.broker.password", "spring.artemis.password");
        } else {
            Path home = Path.of(env.getProperty("atrium.home", "."));
            String data = env.getProperty("atrium.data", "");
            Path dataDir = data.isBlank() ? home.resolve("data") : Path.of(data);
            derived.put("spring.artemis.mode", "embedded");
            derived.put("spring.artemis.embedded.persistent", "true");
            derived.put("spring.artemis.embedded.queues", "atrium.events,atrium.dlq");
            derived.put("spring.artemis.embedded.data-directory", dataDir.resolve("broker").toAbsolutePath().normalize().toString());
        }
        // Lowest precedence of the explicit sources: a user's spring.artemis.* still wins.
        env.getPropertySources().addLast(new MapPropertySource(SOURCE, derived));
    }

    private static void putIfSet(ConfigurableEnvironment env, Map<String, Object> out, String from, String to) {
        String v = env.getProperty(from, "");
        if (!v.isBlank()) {
            out.put(to, v);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
