package io.atrium.server.dashboard;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.atrium.server.broker.BrokerStatus;
import io.atrium.server.plugin.PluginHost;
import io.atrium.server.plugin.PluginState;
import io.atrium.server.plugin.PluginView;
import io.atrium.server.routes.RouteFiles;
import io.atrium.server.routes.RouteView;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The console's dashboard in one answer: events and sent messages per minute over the last hour
 * and the number of profiles (from PostgreSQL, for all hub nodes), this node's queue depths,
 * plugin and route health, and its latest warnings and errors. Built at most once per
 * {@code atrium.dashboard.cache-for} (2 s) however many consoles poll it.
 */
@Service
public class Dashboard {

    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

    private final DashboardQueries queries;
    private final BrokerStatus broker;
    private final PluginHost plugins;
    private final RouteFiles routes;
    private final RecentErrors errors;
    private final Duration cacheFor;
    private final String node;
    private Map<String, Object> cached;
    private Instant cachedAt = Instant.EPOCH;

    public Dashboard(JdbcTemplate jdbc, BrokerStatus broker, PluginHost plugins, RouteFiles routes, RecentErrors errors,
                     @Value("${atrium.dashboard.cache-for:2s}") Duration cacheFor) {
        this.queries = new DashboardQueries(jdbc);
        this.broker = broker;
        this.plugins = plugins;
        this.routes = routes;
        this.errors = errors;
        this.cacheFor = cacheFor;
        this.node = hostName();
    }

    public synchronized Map<String, Object> get() {
        Instant now = Instant.now();
        if (cached == null || !now.isBefore(cachedAt.plus(cacheFor))) {
            cached = build(now);
            cachedAt = now;
        }
        return cached;
    }

    private Map<String, Object> build(Instant now) {
        long started = System.nanoTime();
        List<String> unavailable = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generatedAt", now);
        out.put("node", node);
        out.put("events", section("events", unavailable, () -> {
            List<Map.Entry<Instant, Long>> series = queries.eventsPerMinute(now);
            return Map.of("perMinute", points(series), "lastHour", sum(series));
        }));
        out.put("messages", section("messages", unavailable, () -> {
            List<Map.Entry<Instant, Long>> series = queries.sentPerMinute(now);
            return Map.of("sentPerMinute", points(series), "sentLastHour", sum(series));
        }));
        out.put("profiles", section("profiles", unavailable, () -> {
            DashboardQueries.ProfileCount c = queries.profiles();
            return Map.of("count", c.count(), "estimated", c.estimated());
        }));
        out.put("queues", section("queues", unavailable, broker::queues));
        out.put("plugins", section("plugins", unavailable, this::pluginHealth));
        out.put("routes", section("routes", unavailable, this::routeHealth));
        out.put("recentErrors", errors.recent());
        out.put("unavailable", unavailable);
        out.put("tookMillis", (System.nanoTime() - started) / 1_000_000);
        return out;
    }

    private static Object section(String name, List<String> unavailable, Supplier<Object> part) {
        try {
            return part.get();
        } catch (RuntimeException e) {
            log.warn("Dashboard: {} unavailable: {}", name, e.getMessage());
            unavailable.add(name + ": " + e.getMessage());
            return null;
        }
    }

    private static List<Map<String, Object>> points(List<Map.Entry<Instant, Long>> series) {
        return series.stream().map(e -> Map.<String, Object>of("minute", e.getKey(), "count", e.getValue())).toList();
    }

    private static long sum(List<Map.Entry<Instant, Long>> series) {
        return series.stream().mapToLong(Map.Entry::getValue).sum();
    }

    private Map<String, Object> pluginHealth() {
        List<PluginView> all = plugins.list();
        Map<String, Long> byState = new TreeMap<>();
        for (PluginState s : PluginState.values()) {
            byState.put(s.name(), 0L);
        }
        List<Map<String, Object>> failing = new ArrayList<>();
        long disabledByAdmin = 0;
        for (PluginView p : all) {
            byState.merge(p.state().name(), 1L, Long::sum);
            if (!p.enabled()) {
                disabledByAdmin++;
            } else if (p.state() == PluginState.DISABLED && (p.error() == null || !p.error().startsWith("superseded by "))) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", p.id());
                f.put("version", p.version());
                f.put("file", p.file());
                f.put("state", p.state().name());
                f.put("error", p.error());
                f.put("since", p.since());
                failing.add(f);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", all.size());
        out.put("byState", byState);
        out.put("disabledByAdmin", disabledByAdmin);
        out.put("failing", failing);
        return out;
    }

    private Map<String, Object> routeHealth() {
        List<RouteView> all = routes.list();
        Map<String, Long> byState = new TreeMap<>();
        List<Map<String, Object>> failing = new ArrayList<>();
        long exchanges = 0;
        long failed = 0;
        for (RouteView r : all) {
            byState.merge(r.state(), 1L, Long::sum);
            if (r.stats() != null) {
                exchanges += r.stats().exchangesTotal();
                failed += r.stats().exchangesFailed();
            }
            if (r.error() != null || "FAILED".equals(r.state())) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", r.id());
                f.put("file", r.file());
                f.put("plugin", r.plugin());
                f.put("state", r.state());
                f.put("error", r.error());
                f.put("line", r.line());
                f.put("column", r.column());
                failing.add(f);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", all.size());
        out.put("byState", byState);
        out.put("exchangesTotal", exchanges);
        out.put("exchangesFailed", failed);
        out.put("failing", failing);
        return out;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
