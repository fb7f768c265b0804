package io.atrium.server.routes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import io.atrium.server.camel.OwnedRoutes;
import io.atrium.server.config.AtriumProperties;
import io.atrium.server.support.PeriodicTask;
import io.atrium.server.plugin.PluginHost;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Keeps the Camel routes in step with the YAML files in {@code routes/}: a file added is loaded,
 * an edited one replaces its routes, a deleted one removes them. A file that does not parse or
 * whose routes cannot start is reported with its line and message; if it loaded before, its
 * previous routes keep running, and no other file is touched.
 */
@Component
public class RouteFiles {

    private static final Logger log = LoggerFactory.getLogger(RouteFiles.class);

    private final AtriumProperties properties;
    private final CamelContext camel;
    private final OwnedRoutes routes;
    private final RouteStatistics statistics;
    private final Map<Path, Entry> entries = new LinkedHashMap<>();
    private final Map<Path, String> settling = new LinkedHashMap<>();
    private ScheduledExecutorService scanner;
    private volatile boolean closed;

    public RouteFiles(AtriumProperties properties, CamelContext camel, OwnedRoutes routes, RouteStatistics statistics) {
        this.statistics = statistics;
        this.properties = properties;
        this.camel = camel;
        this.routes = routes;
    }

    private static final class Entry {
        final Path file;
        String fingerprint;
        /** The text whose routes are running now (null if none). */
        String runningText;
        List<String> routeIds = List.of();
        String error;
        Integer line;
        Integer column;

        Entry(Path file) {
            this.file = file;
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(10)
    public void startWatching() {
        camel.setSourceLocationEnabled(true);
        Path dir = properties.routesDir();
        log.info("Loading YAML routes from {}", dir.toAbsolutePath().normalize());
        scan(true);
        scanner = PeriodicTask.every(properties.getRoutes().getScanInterval(), "atrium-route-scanner", log, () -> scan(false));
    }

    @EventListener(ContextClosedEvent.class)
    @Order(0)
    public synchronized void stopWatching() {
        closed = true;
        if (scanner != null) {
            scanner.shutdownNow();
        }
    }

    /** After plugins change: retry failed files, and reload files that use a component a plugin took away. */
    @EventListener
    public synchronized void onPluginsChanged(PluginHost.PluginsChangedEvent event) {
        if (closed || scanner == null) {
            return;
        }
        for (Entry e : entries.values()) {
            if (e.error != null || usesAny(e, event.removedSchemes())) {
                load(e, readQuietly(e.file));
            }
        }
    }

    private static boolean usesAny(Entry e, Set<String> schemes) {
        if (e.runningText == null) {
            return false;
        }
        for (String s : schemes) {
            if (e.runningText.contains(s + ":")) {
                return true;
            }
        }
        return false;
    }

    public synchronized void scan(boolean settled) {
        if (closed) {
            return;
        }
        Map<Path, String> present = listFiles();
        for (Entry e : new ArrayList<>(entries.values())) {
            if (!present.containsKey(e.file)) {
                routes.remove(owner(e.file), e.routeIds);
                entries.remove(e.file);
                log.info("Route file {} deleted; removed routes {}", name(e.file), e.routeIds);
            }
        }
        settling.keySet().retainAll(present.keySet());
        for (Map.Entry<Path, String> f : present.entrySet()) {
            Entry e = entries.get(f.getKey());
            if (e != null && f.getValue().equals(e.fingerprint)) {
                continue;
            }
            if (!settled && !f.getValue().equals(settling.get(f.getKey()))) {
                settling.put(f.getKey(), f.getValue());
                continue;
            }
            settling.remove(f.getKey());
            if (e == null) {
                e = new Entry(f.getKey());
                entries.put(f.getKey(), e);
            }
            e.fingerprint = f.getValue();
            load(e, readQuietly(e.file));
        }
    }

    private void load(Entry e, String text) {
        String owner = owner(e.file);
        if (text == null) {
            fail(e, new IOException("cannot read the file"), "", List.of());
            return;
        }
        RoutesBuilder builder;
        try {
            builder = parse(e.file, text);
        } catch (Exception ex) {
            fail(e, ex, text, List.of());
            return;
        }
        routes.remove(owner, e.routeIds);
        List<String> previous = e.routeIds;
        e.routeIds = List.of();
        try {
            e.routeIds = routes.add(owner, stem(e.file), builder);
            e.runningText = text;
            e.error = null;
            e.line = null;
            e.column = null;
            log.info("Route file {} loaded: routes {}", name(e.file), e.routeIds);
        } catch (Exception ex) {
            List<RouteDefinition> defs = builder instanceof RouteBuilder rb ? rb.getRouteCollection().getRoutes() : List.of();
            fail(e, ex, text, defs);
            if (!previous.isEmpty() && e.runningText != null) {
                try {
                    e.routeIds = routes.add(owner, stem(e.file), parse(e.file, e.runningText));
                    log.warn("Route file {}: the previous version keeps running (routes {})", name(e.file), e.routeIds);
                } catch (Exception again) {
                    e.runningText = null;
                    log.warn("Route file {}: the previous version could not be restored either: {}", name(e.file), again.getMessage());
                }
            } else {
                e.runningText = null;
            }
        }
    }

    private RoutesBuilder parse(Path file, String text) throws Exception {
        Resource resource = ResourceHelper.fromString("file:" + file.toAbsolutePath().normalize(), text);
        RoutesBuilder builder = PluginHelper.getRoutesLoader(camel).getRoutesLoader("yaml").loadRoutesBuilder(resource);
        if (builder instanceof RouteBuilder rb) {
            rb.configureRoutes(camel); // parses and validates the DSL; nothing is started yet
        }
        return builder;
    }

    private void fail(Entry e, Exception ex, String text, List<RouteDefinition> defs) {
        ErrorLocation.Location where = ErrorLocation.find(ex, text, defs);
        e.error = describe(ex);
        e.line = where.line();
        e.column = where.column();
        log.error("Route file {} failed{}: {}", name(e.file), where.line() == null ? "" : " at line " + where.line(), e.error);
    }

    public synchronized List<RouteView> list() {
        List<RouteView> out = new ArrayList<>();
        Map<String, String> owners = routes.owners();
        Map<String, Entry> byRoute = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            e.routeIds.forEach(id -> byRoute.put(id, e));
            if (e.error != null && e.routeIds.isEmpty()) {
                out.add(new RouteView(null, name(e.file), null, "FAILED", e.error, e.line, e.column, null, null));
            }
        }
        Map<String, RouteStatistics.Stats> stats = statistics.all();
        for (Route r : camel.getRoutes()) {
            String id = r.getRouteId();
            Entry e = byRoute.get(id);
            String owner = owners.get(id);
            String plugin = owner != null && owner.startsWith("plugin ") ? owner.substring("plugin ".length()) : null;
            String state = camel.getRouteController().getRouteStatus(id).name().toUpperCase();
            String error = e != null && e.error != null
                    ? "the latest edit of this file failed" + (e.line == null ? "" : " at line " + e.line) + " (" + e.error
                    + "); this route runs the previous version" : null;
            out.add(new RouteView(id, e == null ? null : name(e.file), plugin, state, error,
                    e == null ? null : e.line, e == null ? null : e.column, r.getEndpoint().getEndpointBaseUri(), stats.get(id)));
        }
        out.sort(Comparator.comparing((RouteView v) -> v.file() == null ? "~" : v.file())
                .thenComparing(v -> v.id() == null ? "" : v.id()));
        return out;
    }

    /**
     * The text of a route file in routes/ as it is on disk now. Empty if there is no such file.
     *
     * @throws IllegalArgumentException for a name that is not a plain file name ending in .yaml or .yml
     */
    public java.util.Optional<String> text(String fileName) throws IOException {
        if (fileName == null || fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")
                || fileName.contains("\0") || fileName.equals(".") || fileName.equals("..")) {
            throw new IllegalArgumentException("must be the name of a file in routes/, without a path, not '" + fileName + "'");
        }
        if (!(fileName.endsWith(".yaml") || fileName.endsWith(".yml")) || fileName.startsWith(".")) {
            return java.util.Optional.empty();
        }
        Path dir = properties.routesDir().toAbsolutePath().normalize();
        Path file = dir.resolve(fileName).normalize();
        if (!dir.equals(file.getParent()) || !Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    }

    public synchronized long failedFiles() {
        return entries.values().stream().filter(e -> e.error != null).count();
    }

    private Map<Path, String> listFiles() {
        Map<Path, String> out = new LinkedHashMap<>();
        Path dir = properties.routesDir();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") || !(n.endsWith(".yaml") || n.endsWith(".yml")) || !Files.isRegularFile(p)) {
                    continue;
                }
                // Route files are small: fingerprint the content, so an edit is seen whatever the clock says.
                byte[] bytes = Files.readAllBytes(p);
                out.put(p.toAbsolutePath().normalize(), bytes.length + ":" + java.util.Arrays.hashCode(bytes));
            }
        } catch (IOException ex) {
            log.error("Cannot list routes directory {}: {}", dir, ex.getMessage());
        }
        return out;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder();
        Throwable t = ex;
        int depth = 0;
        while (t != null && depth++ < 4) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m.strip());
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.length() == 0 ? ex.getClass().getSimpleName() : sb.toString();
    }

    private static String owner(Path file) {
        return "route file " + name(file);
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }

    private static String stem(Path file) {
        String n = name(file);
        return n.substring(0, n.lastIndexOf('.'));
    }
}
