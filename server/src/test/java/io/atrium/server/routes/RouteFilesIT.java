package io.atrium.server.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import io.atrium.server.support.Fixtures;
import io.atrium.server.support.HubTestSupport;
import io.atrium.server.support.TestPlugins;

import org.junit.jupiter.api.Test;

class RouteFilesIT extends HubTestSupport {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    static String httpRoute(String id, String path, String answer) {
        return """
                - route:
                    id: %s
                    from:
                      uri: platform-http:%s
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(id, path, answer);
    }

    private Map<String, Object> routeEntry(String file, String id) {
        return routes().stream().filter(r -> file.equals(r.get("file")) && java.util.Objects.equals(id, r.get("id")))
                .findFirst().orElse(null);
    }

    @Test
    void addingEditingAndDeletingAFileTakesEffectWithoutRestart() throws Exception {
        writeAtomically(ROUTES.resolve("ping.yaml"), httpRoute("ping", "/ping", "pong"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(get("/ping").body()).isEqualTo("pong"));
        assertThat(routeEntry("ping.yaml", "ping")).containsEntry("state", "STARTED").containsEntry("error", null);

        writeAtomically(ROUTES.resolve("ping.yaml"), httpRoute("ping", "/ping", "pong again"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(get("/ping").body()).isEqualTo("pong again"));

        Files.delete(ROUTES.resolve("ping.yaml"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            assertThat(get("/ping").statusCode()).isEqualTo(404);
            assertThat(routeEntry("ping.yaml", "ping")).isNull();
        });
    }

    @Test
    void aBrokenFileIsReportedWithFileAndLineAndTheOthersKeepRunning() throws Exception {
        writeAtomically(ROUTES.resolve("good.yaml"), httpRoute("good", "/good", "fine"));
        // line 5 opens a flow sequence that never closes
        writeAtomically(ROUTES.resolve("broken.yaml"), """
                - route:
                    id: broken
                    from:
                      uri: timer:tick
                      steps: [
                """);
        // a well-formed file whose endpoint does not exist (line 6)
        writeAtomically(ROUTES.resolve("unknown.yaml"), """
                - route:
                    id: unknown-endpoint
                    from:
                      uri: timer:tick?period=60000
                      steps:
                        - to: nosuchcomponent:thing
                """);

        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            Map<String, Object> broken = routeEntry("broken.yaml", null);
            assertThat(broken).isNotNull().containsEntry("state", "FAILED");
            assertThat((Integer) broken.get("line")).isGreaterThanOrEqualTo(5);
            assertThat((String) broken.get("error")).isNotBlank();
            Map<String, Object> unknown = routeEntry("unknown.yaml", null);
            assertThat(unknown).isNotNull().containsEntry("state", "FAILED").containsEntry("line", 6);
            assertThat((String) unknown.get("error")).contains("nosuchcomponent");
        });
        assertThat(get("/good").body()).isEqualTo("fine");
        assertThat(readJson(get("/actuator/health").body()).path("components").path("routes").path("status").asText())
                .isEqualTo("UP");
        assertThat(readJson(get("/actuator/health").body()).path("components").path("routes").path("details")
                .path("failedFiles").path("broken.yaml").asText()).startsWith("line ");
    }

    @Test
    void aBrokenEditKeepsThePreviousVersionRunningAndSaysSo() throws Exception {
        writeAtomically(ROUTES.resolve("keep.yaml"), httpRoute("keep", "/keep", "v1"));
        await().atMost(FIVE_SECONDS).until(() -> "v1".equals(get("/keep").body()));

        writeAtomically(ROUTES.resolve("keep.yaml"), "- route:\n    id: keep\n    from: [\n");
        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            Map<String, Object> keep = routeEntry("keep.yaml", "keep");
            assertThat(keep).isNotNull().containsEntry("state", "STARTED");
            assertThat((String) keep.get("error")).contains("latest edit of this file failed", "previous version");
        });
        assertThat(get("/keep").body()).isEqualTo("v1");

        writeAtomically(ROUTES.resolve("keep.yaml"), httpRoute("keep", "/keep", "v2"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            assertThat(get("/keep").body()).isEqualTo("v2");
            assertThat(routeEntry("keep.yaml", "keep")).containsEntry("error", null);
        });
    }

    @Test
    void aRouteIdAlreadyTakenByAnotherFileIsRefused() throws Exception {
        writeAtomically(ROUTES.resolve("first.yaml"), httpRoute("shared-id", "/first", "first"));
        await().atMost(FIVE_SECONDS).until(() -> "first".equals(get("/first").body()));
        writeAtomically(ROUTES.resolve("second.yaml"), httpRoute("shared-id", "/second", "second"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(routeEntry("second.yaml", null)).isNotNull()
                .extracting(r -> (String) r.get("error")).asString()
                .contains("route id 'shared-id' is already used by route file first.yaml"));
        assertThat(get("/first").body()).isEqualTo("first");
    }

    @Test
    void routesUsePluginComponentsAndFollowThePluginComingAndGoing() throws Exception {
        writeAtomically(ROUTES.resolve("uses-plugin.yaml"), """
                - route:
                    id: uses-plugin
                    from:
                      uri: platform-http:/uses-plugin
                      steps:
                        - setBody:
                            constant: "world"
                        - to: greet:visitor
                """);
        await().atMost(FIVE_SECONDS).untilAsserted(() ->
                assertThat(routeEntry("uses-plugin.yaml", null)).isNotNull().containsEntry("state", "FAILED"));

        TestPlugins.install(Fixtures.greeter(BUILD, "1.0.0"), PLUGINS, "greeter-1.0.0.zip");
        await().atMost(FIVE_SECONDS).untilAsserted(() ->
                assertThat(get("/uses-plugin").body()).isEqualTo("greeted visitor: world"));

        Files.delete(PLUGINS.resolve("greeter-1.0.0.zip"));
        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            Map<String, Object> failed = routeEntry("uses-plugin.yaml", null);
            assertThat(failed).isNotNull().containsEntry("state", "FAILED").containsEntry("line", 8);
            assertThat((String) failed.get("error")).contains("greet");
            assertThat(get("/uses-plugin").statusCode()).isEqualTo(404);
        });
    }

    @Test
    void aRouteHandsEventsToTheHubIntake() throws Exception {
        writeAtomically(ROUTES.resolve("to-intake.yaml"), """
                - route:
                    id: to-intake
                    from:
                      uri: platform-http:/to-intake
                      steps:
                        - setBody:
                            constant: '{"type":"track","event":"order_status_changed","userId":"erp-1001","properties":{"status":"ready"}}'
                        - to: atrium:events
                        - setBody:
                            simple: "accepted ${header.AtriumEventCount}"
                """);
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(get("/to-intake").body()).isEqualTo("accepted 1"));
        // The profile stage consumes the events queue: the event shows up on the person's profile.
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(adminGet("/api/v1/profiles/user_id/erp-1001/events").body())
                .contains("\"event\":\"order_status_changed\"", "\"status\":\"ready\""));
    }
}
