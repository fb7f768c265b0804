package io.atrium.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.HubTestSupport;
import io.atrium.server.support.TestPlugins;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

class DashboardIT extends HubTestSupport {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @Autowired
    EventIntake intake;

    private JsonNode dashboard() {
        var response = adminGet("/api/v1/dashboard");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return readJson(response.body());
    }

    @Test
    void eventsPerMinuteAndProfilesComeFromTheDatabase() {
        JsonNode before = dashboard();
        long lastHourBefore = before.path("events").path("lastHour").asLong();
        String run = UUID.randomUUID().toString();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(Event.track("dashboard_probe").userId("dash-" + run).messageId("dash-" + run + "-" + i).build());
        }
        intake.submit(events);

        await().atMost(TEN_SECONDS).untilAsserted(() ->
                assertThat(dashboard().path("events").path("lastHour").asLong()).isGreaterThanOrEqualTo(lastHourBefore + 7));
        JsonNode d = dashboard();
        JsonNode perMinute = d.path("events").path("perMinute");
        assertThat(perMinute.size()).isEqualTo(60);
        Instant last = Instant.parse(perMinute.get(59).path("minute").asText());
        assertThat(last).isEqualTo(Instant.parse(d.path("generatedAt").asText()).truncatedTo(ChronoUnit.MINUTES));
        assertThat(Instant.parse(perMinute.get(0).path("minute").asText())).isEqualTo(last.minus(59, ChronoUnit.MINUTES));
        long sum = 0;
        for (JsonNode p : perMinute) {
            sum += p.path("count").asLong();
        }
        assertThat(sum).isEqualTo(d.path("events").path("lastHour").asLong());
        assertThat(perMinute.get(59).path("count").asLong() + perMinute.get(58).path("count").asLong()).isGreaterThanOrEqualTo(7);
        assertThat(d.path("messages").path("sentPerMinute").size()).isEqualTo(60);

        assertThat(d.path("profiles").path("count").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(d.path("profiles").path("estimated").asBoolean()).isFalse();
        assertThat(d.path("queues").findValuesAsText("name")).contains("atrium.events");
        assertThat(d.path("unavailable").size()).isZero();
        assertThat(d.path("node").asText()).isNotBlank();
    }

    @Test
    void failingPluginsAndRouteFilesAreListedWithTheirErrorsAndTheLogsErrorsAreThereMasked() throws Exception {
        TestPlugins.install(java.nio.file.Files.write(BUILD.resolve("junk.zip"), new byte[] {1, 2, 3, 4}), PLUGINS, "junk-1.0.0.zip");
        writeAtomically(ROUTES.resolve("dash-broken.yaml"), "- route:\n    id: dash-broken\n    from:\n      uri: [platform-http:/x\n");
        LoggerFactory.getLogger("io.atrium.test.DashboardIT").warn("probe warning with password=hunter22");

        await().atMost(TEN_SECONDS).untilAsserted(() -> {
            JsonNode d = dashboard();
            JsonNode plugins = d.path("plugins");
            assertThat(plugins.path("byState").path("DISABLED").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(plugins.path("failing").findValuesAsText("file")).contains("junk-1.0.0.zip");
            JsonNode routes = d.path("routes");
            JsonNode broken = null;
            for (JsonNode f : routes.path("failing")) {
                if ("dash-broken.yaml".equals(f.path("file").asText())) {
                    broken = f;
                }
            }
            assertThat(broken).as(routes.toString()).isNotNull();
            assertThat(broken.path("state").asText()).isEqualTo("FAILED");
            assertThat(broken.path("line").asInt()).isEqualTo(5);
            assertThat(broken.path("error").asText()).isNotBlank();
            assertThat(routes.path("byState").path("FAILED").asLong()).isGreaterThanOrEqualTo(1);

            JsonNode errors = d.path("recentErrors");
            assertThat(errors.findValuesAsText("message")).anySatisfy(m -> assertThat(m).contains("dash-broken.yaml"))
                    .anySatisfy(m -> assertThat(m).isEqualTo("probe warning with password=******"));
            assertThat(errors.findValuesAsText("logger")).contains("io.atrium.server.routes.RouteFiles");
        });
        assertThat(adminGet("/api/v1/dashboard").body()).doesNotContain("hunter22");
        assertThat(get("/api/v1/dashboard").statusCode()).isEqualTo(401);
    }
}
