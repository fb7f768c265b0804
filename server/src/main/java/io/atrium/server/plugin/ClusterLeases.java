package io.atrium.server.plugin;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

import io.atrium.plugin.api.Lease;
import io.atrium.server.config.AtriumProperties;
import io.atrium.server.config.NodeName;
import io.atrium.server.support.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The plugins' {@link Lease}s, as rows of {@code plugin_leases} with an expiry on the database's
 * clock. A node takes a lease that is free or expired and renews the ones it holds every third of
 * {@code atrium.cluster.lease-ttl}; it counts a lease as held only until its own clock says the
 * lease time since the last renewal began has run out, which is never after the database lets
 * another node take it. A stopped plugin's leases are deleted, so another node takes them at its
 * next attempt; a dead node's expire.
 */
@Component
public class ClusterLeases {

    private static final Logger log = LoggerFactory.getLogger(ClusterLeases.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private final JdbcTemplate jdbc;
    private final NodeName node;
    private final Duration ttl;
    private final Map<String, HostLease> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService keeper;

    public ClusterLeases(JdbcTemplate jdbc, NodeName node, AtriumProperties properties) {
        this.jdbc = jdbc;
        this.node = node;
        this.ttl = properties.getCluster().getLeaseTtl();
        if (ttl.toMillis() < 1000) {
            throw new IllegalStateException("atrium.cluster.lease-ttl must be at least 1s, not " + ttl);
        }
        this.keeper = PeriodicTask.every(ttl.dividedBy(3), "atrium-cluster-leases", log, this::renewAll);
    }

    /** The lease {@code name} of {@code pluginId}, taken now if it is free; the same object while it is open. */
    Lease lease(String pluginId, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("lease name '" + name + "' of plugin '" + pluginId
                    + "' must be 1 to 100 letters, digits, '-', '_' or '.'");
        }
        HostLease lease = open.computeIfAbsent(pluginId + "\u0000" + name, k -> new HostLease(pluginId, name));
        lease.attempt();
        return lease;
    }

    /** This node's name, as it appears as a lease's holder. */
    String nodeName() {
        return node.get();
    }

    private void renewAll() {
        for (HostLease l : open.values()) {
            l.attempt();
        }
    }

    /** Stops renewing and gives up every lease still open (the plugin host closed them already on a clean stop). */
    @jakarta.annotation.PreDestroy
    void close() {
        keeper.shutdownNow();
        for (HostLease l : open.values()) {
            l.close();
        }
    }

    private final class HostLease implements Lease {
        private final String pluginId;
        private final String name;
        /** System.nanoTime() until which this node holds the lease; only meaningful while {@link #held}. */
        private volatile long heldUntil;
        private volatile boolean held;
        private volatile boolean closed;
        private volatile String lastProblem;

        HostLease(String pluginId, String name) {
            this.pluginId = pluginId;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean isHeld() {
            return held && !closed && System.nanoTime() - heldUntil < 0;
        }

        synchronized void attempt() {
            if (closed) {
                return;
            }
            long started = System.nanoTime();
            boolean wasHeld = isHeld();
            try {
                int rows = jdbc.update("INSERT INTO plugin_leases (plugin_id, name, holder, acquired_at, expires_at)"
                        + " VALUES (?, ?, ?, now(), now() + make_interval(secs => ?))"
                        + " ON CONFLICT (plugin_id, name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,"
                        + " acquired_at = CASE WHEN plugin_leases.holder = EXCLUDED.holder THEN plugin_leases.acquired_at ELSE now() END"
                        + " WHERE plugin_leases.holder = EXCLUDED.holder OR plugin_leases.expires_at < now()",
                        pluginId, name, node.get(), ttl.toMillis() / 1000.0);
                if (rows == 1) {
                    heldUntil = started + ttl.toNanos();
                    held = true;
                    if (!wasHeld) {
                        log.info("Plugin '{}': this node ({}) holds lease '{}'", pluginId, node.get(), name);
                    }
                } else {
                    held = false;
                    if (wasHeld) {
                        log.warn("Plugin '{}': lease '{}' was taken by another node", pluginId, name);
                    }
                }
                lastProblem = null;
            } catch (DataAccessException e) {
                String problem = e.getMostSpecificCause().getMessage();
                if (!problem.equals(lastProblem)) {
                    log.warn("Plugin '{}': lease '{}' cannot be renewed now ({}); {}", pluginId, name, problem,
                            isHeld() ? "it is held until its time runs out" : "not held");
                }
                lastProblem = problem;
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            held = false;
            open.remove(pluginId + "\u0000" + name, this);
            try {
                jdbc.update("DELETE FROM plugin_leases WHERE plugin_id = ? AND name = ? AND holder = ?", pluginId, name, node.get());
            } catch (DataAccessException e) {
                log.warn("Plugin '{}': lease '{}' could not be given up ({}); it expires within {}", pluginId, name,
                        e.getMostSpecificCause().getMessage(), ttl);
            }
        }
    }
}
