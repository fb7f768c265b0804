package io.atrium.server.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This hub node's name among the nodes of a cluster ({@code atrium.cluster.node-name}, default
 * {@code <host>/<pid>/<random>}): who holds a plugin's lease, who last wrote its state.
 */
@Component
public class NodeName {

    private static final Logger log = LoggerFactory.getLogger(NodeName.class);

    private final String name;

    public NodeName(AtriumProperties properties) {
        String configured = properties.getCluster().getNodeName();
        this.name = configured != null && !configured.isBlank() ? configured.strip() : generated();
        log.info("Cluster node name: {}", name);
    }

    private static String generated() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@", 2)[0];
        return host + "/" + pid + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String get() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
