package io.atrium.server.camel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every route added at run time belongs to an owner (a YAML file or a plugin). Adding is
 * all-or-nothing: if one route of a builder fails to start, the others it brought are removed
 * again, and a route id that another owner already uses is refused instead of silently replacing
 * that owner's route.
 */
@Component
public class OwnedRoutes {

    private static final Logger log = LoggerFactory.getLogger(OwnedRoutes.class);

    private final CamelContext camel;
    private final Map<String, String> ownerByRouteId = new ConcurrentHashMap<>();

    public OwnedRoutes(CamelContext camel) {
        this.camel = camel;
    }

    /**
     * Configures and adds the routes of {@code builder} for {@code owner}. A route without an id
     * gets {@code defaultId}, {@code defaultId-2}, ... Returns the ids added.
     */
    public synchronized List<String> add(String owner, String defaultId, RoutesBuilder builder) throws Exception {
        if (builder instanceof RouteBuilder rb) {
            // Parses and configures without touching running routes: a broken file fails here.
            List<RouteDefinition> defs = rb.configureRoutes(camel).getRoutes();
            int n = 0;
            Set<String> seen = new LinkedHashSet<>();
            for (RouteDefinition def : defs) {
                n++;
                if (!def.hasCustomIdAssigned()) {
                    def.routeId(n == 1 ? defaultId : defaultId + "-" + n);
                }
                String id = def.getRouteId();
                if (!seen.add(id)) {
                    throw new IllegalArgumentException("route id '" + id + "' is used twice");
                }
                String other = ownerByRouteId.get(id);
                if (other != null && !other.equals(owner) || other == null && camel.getRoute(id) != null) {
                    throw new IllegalArgumentException("route id '" + id + "' is already used by "
                            + (other != null ? other : "the hub"));
                }
            }
        }
        Set<String> before = routeIds();
        try {
            camel.addRoutes(builder);
        } catch (Exception e) {
            Set<String> partial = routeIds();
            partial.removeAll(before);
            if (builder instanceof RouteBuilder rb) {
                rb.getRouteCollection().getRoutes().forEach(d -> {
                    if (d.getRouteId() != null && !before.contains(d.getRouteId())) {
                        partial.add(d.getRouteId());
                    }
                });
            }
            partial.forEach(this::removeQuietly);
            throw e;
        }
        Set<String> added = routeIds();
        added.removeAll(before);
        added.forEach(id -> ownerByRouteId.put(id, owner));
        return new ArrayList<>(added);
    }

    /** Stops and removes the given routes of {@code owner}. */
    public synchronized void remove(String owner, List<String> routeIds) {
        for (String id : routeIds) {
            if (owner.equals(ownerByRouteId.get(id))) {
                removeQuietly(id);
            }
        }
    }

    public String ownerOf(String routeId) {
        return ownerByRouteId.get(routeId);
    }

    public Map<String, String> owners() {
        return Map.copyOf(ownerByRouteId);
    }

    private void removeQuietly(String id) {
        ownerByRouteId.remove(id);
        try {
            if (camel.getRoute(id) != null) {
                camel.getRouteController().stopRoute(id, 10, TimeUnit.SECONDS);
                camel.removeRoute(id);
            }
            Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
            RouteDefinition def = model.getRouteDefinition(id);
            if (def != null) {
                model.removeRouteDefinition(def);
            }
        } catch (Exception e) {
            log.warn("Could not remove route '{}': {}", id, e.getMessage());
        }
    }

    private Set<String> routeIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (Route r : camel.getRoutes()) {
            ids.add(r.getRouteId());
        }
        return ids;
    }
}
