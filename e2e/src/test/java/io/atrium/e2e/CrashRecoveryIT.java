package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Accepted means stored": the hub is killed with SIGKILL while clients are sending batches.
 * After a restart, every event that got a 2xx is in PostgreSQL exactly once, and a client that
 * retries a batch it never got an answer for does not create duplicates.
 */
class CrashRecoveryIT {

    private static final int USERS = 8;
    private static final int BATCH = 25;
    private static final int MAX_REQUESTS = 240;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEventSurvivesAKillNineExactlyOnce() throws Exception {
        try (Hub hub = Hub.start(dir)) {
            String auth = "Basic " + Base64.getEncoder().encodeToString((hub.createSource("load") + ":").getBytes(StandardCharsets.UTF_8));
            Map<String, String> acknowledged = new ConcurrentHashMap<>();   // messageId -> userId
            List<String> unanswered = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger sent = new AtomicInteger();

            ExecutorService clients = Executors.newFixedThreadPool(4);
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.submit(() -> {
                    for (int r = 0; ; r++) {
                        int n = sent.incrementAndGet();
                        if (n > MAX_REQUESTS || !hub.isAlive()) {
                            return null;
                        }
                        String user = "crash-user-" + (n % USERS);
                        List<String> ids = new ArrayList<>();
                        StringBuilder batch = new StringBuilder("{\"batch\":[");
                        for (int i = 0; i < BATCH; i++) {
                            String id = "crash-" + client + "-" + r + "-" + i;
                            ids.add(id);
                            batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"load_test\",\"userId\":\"")
                                    .append(user).append("\",\"messageId\":\"").append(id)
                                    .append("\",\"timestamp\":\"").append(Instant.now()).append("\",\"properties\":{\"seq\":").append(i).append("}}");
                        }
                        batch.append("]}");
                        try {
                            HttpResponse<String> answer = hub.send(HttpRequest.newBuilder(hub.uri("/v1/batch"))
                                    .timeout(Duration.ofSeconds(10)).header("Authorization", auth)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build());
                            if (answer.statusCode() / 100 == 2) {
                                ids.forEach(id -> acknowledged.put(id, user));
                            } else {
                                unanswered.add(batch.toString());
                            }
                        } catch (RuntimeException e) {
                            unanswered.add(batch.toString());   // connection refused or reset: the hub is gone
                        }
                    }
                });
            }
            // Kill the hub in the middle of the load, once a good part of it has been acknowledged.
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= (MAX_REQUESTS / 3) * BATCH);
            hub.kill9();
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertThat(acknowledged).isNotEmpty();

            hub.launch();   // same data directory: its PostgreSQL was left running by the kill and is taken over

            // A client retries what it never got an answer for: same messageIds, so no duplicates.
            for (String batch : unanswered.subList(0, Math.min(5, unanswered.size()))) {
                HttpResponse<String> retry = hub.send(HttpRequest.newBuilder(hub.uri("/v1/batch")).header("Authorization", auth)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(batch)).build());
                assertThat(retry.statusCode()).isEqualTo(200);
            }

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Map<String, Integer> stored = new java.util.HashMap<>();
                for (int u = 0; u < USERS; u++) {
                    for (int page = 0; ; page++) {
                        JsonNode answer = hub.getJson("/api/v1/profiles/user_id/crash-user-" + u + "/events?size=500&page=" + page);
                        JsonNode events = answer.path("events");
                        events.forEach(e -> stored.merge(e.path("messageId").asText(), 1, Integer::sum));
                        if (events.size() < 500) {
                            break;
                        }
                    }
                }
                Set<String> missing = new HashSet<>(acknowledged.keySet());
                missing.removeAll(stored.keySet());
                assertThat(missing).as("acknowledged events missing after the crash").isEmpty();
                assertThat(stored.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                        .as("events stored twice").isEmpty();
            });
        }
    }
}
