package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import org.awaitility.core.ConditionTimeoutException;

/** What the e2e tests need to know about the hub's plugins. */
final class Plugins {

    private Plugins() {
    }

    /** {@link #awaitStarted(Hub, String, Duration)} for each of {@code ids}. */
    static void awaitStarted(Hub hub, Duration atMost, String... ids) {
        for (String id : ids) {
            awaitStarted(hub, id, atMost);
        }
    }

    /**
     * Waits until {@code GET /api/v1/plugins} lists the connector {@code id} STARTED (a connector
     * need not have a channel, or one named after it); if it does not, fails with its entry and the
     * tail of the hub's log.
     */
    static void awaitConnectorStarted(Hub hub, String id, Duration atMost) {
        try {
            await(id + " STARTED").atMost(atMost).ignoreExceptions().untilAsserted(() -> {
                JsonNode found = entry(hub, id);
                assertThat(found).as("plugin " + id + " in /api/v1/plugins").isNotNull();
                assertThat(found.path("state").asText()).as(found.toString()).isEqualTo("STARTED");
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n---- hub log tail ----\n" + hub.tail(), e);
        }
    }

    /**
     * Waits until {@code GET /api/v1/plugins} lists the plugin {@code id} STARTED with its channel;
     * if it does not, fails with the plugin's entry (its error) and the tail of the hub's log.
     */
    static void awaitStarted(Hub hub, String id, Duration atMost) {
        try {
            awaitStartedOrThrow(hub, id, atMost);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n---- hub log tail ----\n" + hub.tail(), e);
        }
    }

    private static void awaitStartedOrThrow(Hub hub, String id, Duration atMost) {
        await(id + " plugin STARTED").atMost(atMost).ignoreExceptions().untilAsserted(() -> {
            JsonNode found = entry(hub, id);
            assertThat(found).as("plugin " + id + " in /api/v1/plugins").isNotNull();
            assertThat(found.path("state").asText()).as(found.toString()).isEqualTo("STARTED");
            assertThat(found.path("channels").toString()).as(found.toString()).contains(id);
        });
    }

    /** The plugin's entry in {@code GET /api/v1/plugins}, or null. */
    static JsonNode entry(Hub hub, String id) throws java.io.IOException {
        JsonNode found = null;
        for (JsonNode p : hub.getJson("/api/v1/plugins")) {
            if (id.equals(p.path("id").asText())) {
                found = p;
            }
        }
        return found;
    }
}
