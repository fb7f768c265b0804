package io.atrium.server.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;

/** What the console's routes page reads: per-route throughput from Camel's own statistics, and a file's YAML. */
class RouteApiIT extends HubTestSupport {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    private static final String PROBE = """
            # answers "ok" after 30 ms, or fails when asked to
            - route:
                id: stats-probe
                from:
                  uri: platform-http:/stats-probe
                  steps:
                    - delay:
                        constant: 30
                    - choice:
                        when:
                          - simple: "${header.fail} == 'yes'"
                            steps:
                              - throwException:
                                  exceptionType: java.lang.IllegalStateException
                                  message: asked to fail
                    - setBody:
                        constant: ok
            """;

    private JsonNode route(String id) {
        for (JsonNode r : readJson(adminGet("/api/v1/routes").body())) {
            if (id.equals(r.path("id").asText())) {
                return r;
            }
        }
        return null;
    }

    @Test
    void eachRouteShowsCamelsCountsAndProcessingTimes() throws Exception {
        writeAtomically(ROUTES.resolve("stats-probe.yaml"), PROBE);
        await().atMost(FIVE_SECONDS).until(() -> "ok".equals(get("/stats-probe").body()));
        Instant afterFirst = Instant.now();
        assertThat(get("/stats-probe").body()).isEqualTo("ok");
        assertThat(get("/stats-probe?fail=yes").statusCode()).isEqualTo(500);
        assertThat(get("/stats-probe?fail=yes").statusCode()).isEqualTo(500);

        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            JsonNode stats = route("stats-probe").path("stats");
            assertThat(stats.path("exchangesTotal").asLong()).as(stats.toString()).isEqualTo(4);
            assertThat(stats.path("exchangesFailed").asLong()).isEqualTo(2);
        });
        JsonNode stats = route("stats-probe").path("stats");
        assertThat(stats.path("exchangesInflight").asInt()).isZero();
        assertThat(stats.path("meanProcessingMillis").asDouble()).isBetween(30.0, 5_000.0);
        assertThat(stats.path("maxProcessingMillis").asDouble()).isGreaterThanOrEqualTo(stats.path("meanProcessingMillis").asDouble());
        assertThat(stats.path("lastProcessingMillis").asLong()).isBetween(30L, 5_000L);
        assertThat(Instant.parse(stats.path("lastExchangeAt").asText())).isAfter(afterFirst).isBefore(Instant.now().plusSeconds(1));

        // Reloading the file starts the route's statistics afresh, as Camel's meters do.
        writeAtomically(ROUTES.resolve("stats-probe.yaml"), PROBE.replace("constant: ok", "constant: ok2"));
        await().atMost(FIVE_SECONDS).until(() -> "ok2".equals(get("/stats-probe").body()));
        await().atMost(FIVE_SECONDS).untilAsserted(() ->
                assertThat(route("stats-probe").path("stats").path("exchangesTotal").asLong()).isEqualTo(1));
        assertThat(route("stats-probe").path("stats").path("exchangesFailed").asLong()).isZero();
    }

    @Test
    void aRouteFilesYamlIsServedAsItIsOnDiskBrokenOrNot() throws Exception {
        writeAtomically(ROUTES.resolve("stats-probe.yaml"), PROBE);
        String broken = "- route:\n    id: half\n    from:\n      uri: [platform-http:/half\n";
        writeAtomically(ROUTES.resolve("half.yml"), broken);
        await().atMost(FIVE_SECONDS).until(() -> route("stats-probe") != null);

        HttpResponse<String> text = adminGet("/api/v1/routes/files/stats-probe.yaml");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/yaml"));
        assertThat(text.body()).isEqualTo(PROBE);
        assertThat(adminGet("/api/v1/routes/files/half.yml").body()).isEqualTo(broken);

        HttpResponse<String> unknown = adminGet("/api/v1/routes/files/nothing.yaml");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(readJson(unknown.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(readJson(unknown.body()).path("detail").asText()).contains("nothing.yaml");
        assertThat(adminGet("/api/v1/routes/files/notes.txt").statusCode()).isEqualTo(404);

        Map<String, String> sneaky = Map.of("..%2Fconfig%2Fapplication.yml", "../config/application.yml",
                "..%5Capplication.yml", "..\\application.yml", "%2E%2E", "..", "a%2F..%2F..%2Fb.yaml", "a/../../b.yaml",
                "x%3B.yaml", "x;.yaml");
        sneaky.forEach((sent, file) -> {
            HttpResponse<String> refused = adminGet("/api/v1/routes/files/" + sent);
            // Refused in the API's JSON shape, naming the file, whether the firewall or the app refused it.
            assertThat(refused.statusCode()).as(sent + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type")).as(sent).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            JsonNode error = readJson(refused.body());
            assertThat(error.path("error").asText()).as(sent).isEqualTo("bad_request");
            assertThat(error.path("detail").path("field").asText()).as(sent).isEqualTo("file");
            assertThat(error.path("detail").path("message").asText()).as(sent)
                    .isEqualTo("must be the name of a file in routes/, without a path, not '" + file + "'");
            assertThat(refused.body()).doesNotContain("atrium:");
        });
        // Another API path refused by the firewall answers in the same shape.
        HttpResponse<String> other = adminGet("/api/v1/plugins/..%2F..%2Fetc");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(400);
        assertThat(readJson(other.body()).path("error").asText()).isEqualTo("bad_request");
        assertThat(readJson(other.body()).path("detail").asText()).startsWith("the request path was refused");
        assertThat(get("/api/v1/routes/files/stats-probe.yaml").statusCode()).isEqualTo(401);
    }
}
