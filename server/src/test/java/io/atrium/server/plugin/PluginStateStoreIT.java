package io.atrium.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.atrium.plugin.api.Lease;
import io.atrium.plugin.api.StateStore;
import io.atrium.server.config.AtriumProperties;
import io.atrium.server.config.NodeName;
import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The plugins' state store and leases on the hub's real PostgreSQL, with stores and lease keepers
 * of two "nodes" (each with its own node name) on the one database.
 */
class PluginStateStoreIT extends HubTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    PluginStateStore states;

    private final List<ClusterLeases> keepers = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        keepers.forEach(ClusterLeases::close);
        jdbc.update("DELETE FROM plugin_state WHERE plugin_id LIKE 'ss-%'");
        jdbc.update("DELETE FROM plugin_leases WHERE plugin_id LIKE 'ss-%'");
    }

    @Test
    void compareAndSetWritesOnlyOverTheVersionRead() {
        StateStore s = states.forPlugin("ss-one");
        assertThat(s.get("cursor")).isEmpty();
        assertThat(s.compareAndSet("cursor", 0, "{\"at\": 1}")).hasValue(1);
        assertThat(s.compareAndSet("cursor", 0, "{\"at\": 99}")).as("the key exists already").isEmpty();
        assertThat(s.compareAndSet("cursor", 1, "{\"at\": 2}")).hasValue(2);
        assertThat(s.compareAndSet("cursor", 1, "{\"at\": 3}")).as("version 1 was passed").isEmpty();
        assertThat(s.get("cursor")).hasValueSatisfying(e -> {
            assertThat(e.version()).isEqualTo(2);
            assertThat(e.json()).isEqualTo("{\"at\": 2}");
        });
        assertThat(s.put("cursor", "{\"at\": 10}")).isEqualTo(3);
        assertThat(s.put("other", "[1, 2]")).isEqualTo(1);
        assertThat(s.list("").keySet()).containsExactly("cursor", "other");
        assertThat(s.list("cur").keySet()).containsExactly("cursor");
        // Scoped to the plugin: another plugin's key of the same name is another entry.
        assertThat(states.forPlugin("ss-two").get("cursor")).isEmpty();
    }

    @Test
    void ofManyWritersRacingFromTheSameVersionExactlyOneWins() throws Exception {
        StateStore s = states.forPlugin("ss-race");
        s.compareAndSet("cursor", 0, "{\"by\": \"nobody\"}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<OptionalLong>> tries = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                Callable<OptionalLong> write = () -> s.compareAndSet("cursor", 1, "{\"by\": " + n + "}");
                tries.add(pool.submit(write));
            }
            int won = 0;
            for (Future<OptionalLong> f : tries) {
                won += f.get().isPresent() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
            assertThat(s.get("cursor").orElseThrow().version()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badKeysAndValuesAreRefusedNamingThem() {
        StateStore s = states.forPlugin("ss-bad");
        assertThatThrownBy(() -> s.put("cursor", "{not json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("state key 'cursor' of plugin 'ss-bad': the value is not JSON");
        assertThatThrownBy(() -> s.put("", "{}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be 1 to 200 characters");
        assertThatThrownBy(() -> s.put("big", "\"" + "x".repeat(StateStore.MAX_VALUE_CHARS) + "\""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than the 65536");
        assertThatThrownBy(() -> s.compareAndSet("cursor", -1, "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.list("")).isEmpty();
    }

    @Test
    void oneNodeHoldsALeaseAndTheOtherTakesItWhenItIsGivenUpOrItsHolderDies() {
        ClusterLeases nodeA = keeper("ss-node-a");
        ClusterLeases nodeB = keeper("ss-node-b");
        Lease a = nodeA.lease("ss-crm", "poll");
        Lease b = nodeB.lease("ss-crm", "poll");
        assertThat(a.isHeld()).isTrue();
        assertThat(b.isHeld()).isFalse();
        // Renewals keep it with A.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> a.isHeld() && !b.isHeld());

        a.close();
        assertThat(a.isHeld()).isFalse();
        await().atMost(Duration.ofSeconds(3)).until(b::isHeld);

        // A node that died (here: a lease row whose holder no longer renews it) loses it when it expires.
        jdbc.update("UPDATE plugin_leases SET holder = 'ss-dead-node', expires_at = now() + interval '1 second'"
                + " WHERE plugin_id = 'ss-crm'");
        ClusterLeases nodeC = keeper("ss-node-c");
        Lease c = nodeC.lease("ss-crm", "other-work");
        assertThat(c.isHeld()).as("another lease of the plugin is free").isTrue();
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                "SELECT holder FROM plugin_leases WHERE plugin_id = 'ss-crm' AND name = 'poll'", String.class).equals("ss-node-b"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> nodeA.lease("ss-crm", "no spaces")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease name 'no spaces' of plugin 'ss-crm'");
    }

    private ClusterLeases keeper(String node) {
        AtriumProperties p = new AtriumProperties();
        p.getCluster().setNodeName(node);
        p.getCluster().setLeaseTtl(Duration.ofSeconds(1));
        ClusterLeases k = new ClusterLeases(jdbc, new NodeName(p), p);
        keepers.add(k);
        return k;
    }
}
