package io.atrium.server.routes;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/** {@code routes} in /actuator/health: UP while routes run; files that failed are listed, they do not take the hub down. */
@Component("routes")
public class RoutesHealth implements HealthIndicator {

    private final RouteFiles files;

    public RoutesHealth(RouteFiles files) {
        this.files = files;
    }

    @Override
    public Health health() {
        long started = 0;
        Map<String, String> failed = new LinkedHashMap<>();
        for (RouteView r : files.list()) {
            if ("STARTED".equals(r.state())) {
                started++;
            }
            if (r.id() == null) {
                failed.put(r.file(), (r.line() == null ? "" : "line " + r.line() + ": ") + r.error());
            }
        }
        return Health.up().withDetail("started", started).withDetail("failedFiles", failed).build();
    }
}
