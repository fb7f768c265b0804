package io.atrium.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;

class AdminApiIT extends HubTestSupport {

    @Test
    void theAdminApiRefusesRequestsWithoutTheTokenWithAJsonError() {
        HttpResponse<String> none = get("/api/v1/plugins");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(readJson(none.body()).path("error").asText()).isEqualTo("unauthorized");
        assertThat(readJson(none.body()).path("detail").asText()).contains("Authorization: Bearer");

        HttpResponse<String> wrong = send(HttpRequest.newBuilder(uri("/api/v1/routes"))
                .header("Authorization", "Bearer not-the-token").GET().build());
        assertThat(wrong.statusCode()).isEqualTo(401);

        assertThat(adminGet("/api/v1/plugins").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownThingsAnswerJsonErrors() {
        HttpResponse<String> plugin = adminGet("/api/v1/plugins/no-such-plugin");
        assertThat(plugin.statusCode()).isEqualTo(404);
        assertThat(readJson(plugin.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(readJson(plugin.body()).path("detail").asText()).contains("no-such-plugin");

        HttpResponse<String> path = adminGet("/api/v1/nothing-here");
        assertThat(path.statusCode()).isEqualTo(404);
        assertThat(readJson(path.body()).has("error")).isTrue();

        HttpResponse<String> limit = adminGet("/api/v1/audit?limit=0");
        assertThat(limit.statusCode()).isEqualTo(400);
        assertThat(readJson(limit.body()).path("detail").path("field").asText()).isEqualTo("limit");
    }

    @Test
    void healthHasTheHubsComponentsAndIsOpen() {
        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode json = readJson(health.body());
        assertThat(json.path("status").asText()).isEqualTo("UP");
        for (String component : new String[] {"db", "broker", "plugins", "routes"}) {
            assertThat(json.path("components").path(component).path("status").asText()).as(component).isEqualTo("UP");
        }
        assertThat(json.path("components").path("broker").path("details").path("mode").asText()).isEqualTo("embedded");
    }

    @Test
    void prometheusShowsJvmCamelRouteArtemisAndIntakeMetrics() throws Exception {
        writeAtomically(ROUTES.resolve("metrics-probe.yaml"), """
                - route:
                    id: metrics-probe
                    from:
                      uri: platform-http:/metrics-probe
                      steps:
                        - setBody:
                            constant: "ok"
                """);
        await().atMost(Duration.ofSeconds(5)).until(() -> "ok".equals(get("/metrics-probe").body()));

        HttpResponse<String> metrics = get("/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("jvm_memory_used_bytes")
                .contains("camel_routes_running_routes")
                .containsPattern("camel_exchanges_total\\{[^}]*routeId=\"metrics-probe\"")
                .contains("artemis_message_count{", "queue=\"atrium.events\"")
                .contains("atrium_intake_events_total");
    }

    @Test
    void queuesListTheDurableEventQueue() {
        HttpResponse<String> queues = adminGet("/api/v1/queues");
        assertThat(queues.statusCode()).isEqualTo(200);
        assertThat(readJson(queues.body()).findValuesAsText("name")).contains("atrium.events");
    }
}
