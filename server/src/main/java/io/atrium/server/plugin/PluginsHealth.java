package io.atrium.server.plugin;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code plugins} in /actuator/health: UP while the plugin host runs. A disabled plugin does not
 * take the hub down; it is listed with its reason.
 */
@Component("plugins")
public class PluginsHealth implements HealthIndicator {

    private final PluginHost host;

    public PluginsHealth(PluginHost host) {
        this.host = host;
    }

    @Override
    public Health health() {
        Map<String, Object> states = new LinkedHashMap<>();
        Map<String, String> disabled = new LinkedHashMap<>();
        for (PluginView p : host.list()) {
            states.put(p.id(), p.state());
            if (p.state() == PluginState.DISABLED) {
                disabled.put(p.file(), p.error());
            }
        }
        return Health.up().withDetail("plugins", states).withDetail("disabled", disabled).build();
    }
}
