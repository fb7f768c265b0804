package io.atrium.plugin.api;

/**
 * A lease that at most one hub node of a cluster holds at a time, for work that must run once per
 * cluster rather than once per node (a poller of a vendor API, a JDBC watermark query). The hub
 * takes it when it is free, renews it while the node runs, and gives it up when the plugin stops;
 * when the holding node dies, the lease expires and another node takes it within
 * {@code atrium.cluster.lease-ttl} (15 s by default) and a renewal interval (a third of it).
 *
 * <p>Check {@link #isHeld()} before each round of work. A node that loses the lease mid-round (a
 * pause longer than the lease) may still finish that round, so keep the progress itself in
 * {@link StateStore} with {@link StateStore#compareAndSet}: the late writer's write is then refused.
 */
public interface Lease extends AutoCloseable {

    /** The lease's name, as given to {@link ConnectorContext#lease(String)}. */
    String name();

    /** Whether this node holds the lease now (and will, unless it is stopped, for the rest of the lease's time). */
    boolean isHeld();

    /** Gives the lease up at once (another node may take it); the hub does this when the plugin stops. */
    @Override
    void close();
}
