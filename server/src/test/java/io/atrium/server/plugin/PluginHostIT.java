package io.atrium.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.Fixtures;
import io.atrium.server.support.HubTestSupport;
import io.atrium.server.support.TestPlugins;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
@SuppressWarnings("unchecked")
class PluginHostIT extends HubTestSupport {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @Autowired
    EventIntake intake;

    @Test
    void aPluginDroppedInStartsAndServesItsRouteThenStopsWhenRemoved() throws Exception {
        Path zip = Fixtures.greeter(BUILD, "1.0.0");
        Path installed = TestPlugins.install(zip, PLUGINS, "greeter-1.0.0.zip");

        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(get("/greeter").body()).isEqualTo("hello v1.0.0"));
        Map<String, Object> p = pluginFromFile("greeter-1.0.0.zip");
        assertThat(p).containsEntry("id", "greeter").containsEntry("version", "1.0.0").containsEntry("state", "STARTED")
                .containsEntry("error", null);
        assertThat(p.get("routes")).isEqualTo(List.of("greeter-http"));
        assertThat(p.get("components")).isEqualTo(List.of("greet"));

        Files.delete(installed);
        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            assertThat(get("/greeter").statusCode()).isEqualTo(404);
            assertThat(pluginFromFile("greeter-1.0.0.zip")).isNull();
        });
    }

    @Test
    void aNewerVersionReplacesTheRunningOneWithoutRestart() throws Exception {
        TestPlugins.install(Fixtures.greeter(BUILD, "1.0.0"), PLUGINS, "greeter-1.0.0.zip");
        await().atMost(FIVE_SECONDS).until(() -> get("/greeter").body().equals("hello v1.0.0"));

        TestPlugins.install(Fixtures.greeter(BUILD, "1.1.0"), PLUGINS, "greeter-1.1.0.zip");
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(get("/greeter").body()).isEqualTo("hello v1.1.0"));
        assertThat(pluginFromFile("greeter-1.1.0.zip")).containsEntry("state", "STARTED");
        assertThat(pluginFromFile("greeter-1.0.0.zip")).containsEntry("state", "DISABLED")
                .satisfies(old -> assertThat((String) old.get("error")).contains("superseded by greeter-1.1.0.zip"));

        // The same file name overwritten with other contents is a new version too.
        TestPlugins.install(Fixtures.greeter(BUILD, "1.2.0"), PLUGINS, "greeter-1.1.0.zip");
        await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(get("/greeter").body()).isEqualTo("hello v1.2.0"));
    }

    @Test
    void aCorruptZipIsDisabledWithItsReasonAndTheHubStaysUp() throws Exception {
        TestPlugins.install(Fixtures.greeter(BUILD, "1.0.0"), PLUGINS, "greeter-1.0.0.zip");
        byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte) 7);
        Path tmp = Files.write(BUILD.resolve("junk.zip"), junk);
        TestPlugins.install(tmp, PLUGINS, "broken.zip");

        await().atMost(FIVE_SECONDS).untilAsserted(() -> {
            assertThat(pluginFromFile("broken.zip")).isNotNull().containsEntry("state", "DISABLED");
            assertThat((String) pluginFromFile("broken.zip").get("error")).contains("zip");
        });
        JsonNode health = readJson(get("/actuator/health").body());
        assertThat(health.path("status").asText()).isEqualTo("UP");
        assertThat(health.path("components").path("plugins").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("components").path("plugins").path("details").path("disabled").path("broken.zip").asText())
                .isNotBlank();
        await().atMost(FIVE_SECONDS).until(() -> get("/greeter").statusCode() == 200);
    }

    @Test
    void aStartFailureDisablesThePluginWithItsReasonAndNeverShowsTheSecret(CapturedOutput output) throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID();
        Files.writeString(PLUGIN_CONFIG.resolve("exploding.yml"), "url: https://crm.example.test\npassword: " + secret + "\n");
        TestPlugins.install(Fixtures.exploding(BUILD), PLUGINS, "exploding-1.0.0.zip");

        await().atMost(FIVE_SECONDS).until(() -> pluginFromFile("exploding-1.0.0.zip") != null
                && "DISABLED".equals(pluginFromFile("exploding-1.0.0.zip").get("state")));
        Map<String, Object> p = pluginFromFile("exploding-1.0.0.zip");
        assertThat((String) p.get("error")).contains("refused for password ******").doesNotContain(secret);
        assertThat((Map<String, Object>) p.get("config")).containsEntry("password", "******");
        assertThat(adminGet("/api/v1/plugins").body()).doesNotContain(secret);
        assertThat(output.getAll()).contains("Plugin 'exploding' is DISABLED").doesNotContain(secret);
        assertThat(readJson(get("/actuator/health").body()).path("status").asText()).isEqualTo("UP");
    }

    @Test
    void aConnectorThatNeverFinishesStartingIsDisabledAndDoesNotBlockOthers() throws Exception {
        TestPlugins.install(Fixtures.hanging(BUILD), PLUGINS, "hanging-1.0.0.zip");
        TestPlugins.install(Fixtures.greeter(BUILD, "1.0.0"), PLUGINS, "greeter-1.0.0.zip");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(pluginFromFile("hanging-1.0.0.zip")).isNotNull().containsEntry("state", "DISABLED");
            assertThat((String) pluginFromFile("hanging-1.0.0.zip").get("error")).contains("did not start within 2 s");
            assertThat(get("/greeter").body()).isEqualTo("hello v1.0.0");
        });
    }

    @Test
    void configurationIsValidatedBeforeStartAndAFixedFileRestartsThePlugin() throws Exception {
        Files.writeString(PLUGIN_CONFIG.resolve("configured.yml"), "api-token: ${ATRIUM_TEST_UNSET_TOKEN:t0k3n}\ncolour: red\nmode: sideways\n");
        TestPlugins.install(Fixtures.configured(BUILD), PLUGINS, "configured-1.0.0.zip");

        await().atMost(FIVE_SECONDS).until(() -> pluginFromFile("configured-1.0.0.zip") != null
                && "DISABLED".equals(pluginFromFile("configured-1.0.0.zip").get("state")));
        String error = (String) pluginFromFile("configured-1.0.0.zip").get("error");
        assertThat(error)
                .contains("plugin 'configured'", "config/plugins/configured.yml")
                .contains("missing required key 'api-url' (an absolute URL")
                .contains("unknown key 'colour'")
                .contains("key 'mode' must be one of [push, pull] but got 'sideways'")
                .doesNotContain("t0k3n");
        assertThat(get("/configured").statusCode()).isEqualTo(404);

        writeAtomically(PLUGIN_CONFIG.resolve("configured.yml"), "api-url: http://erp.example.test:8069\napi-token: ${ATRIUM_TEST_UNSET_TOKEN:t0k3n}\nmode: pull\n");
        await().atMost(FIVE_SECONDS).untilAsserted(() ->
                assertThat(get("/configured").body()).isEqualTo("http://erp.example.test:8069 pull"));
        Map<String, Object> p = pluginFromFile("configured-1.0.0.zip");
        assertThat(p).containsEntry("state", "STARTED");
        assertThat((Map<String, Object>) p.get("config")).containsEntry("api-token", "******").containsEntry("mode", "pull");
    }

    @Test
    void aPluginReceivesMessagesToSendAndHandsEventsToTheHub() throws Exception {
        TestPlugins.install(Fixtures.sender(BUILD), PLUGINS, "sender-1.0.0.zip");
        await().atMost(FIVE_SECONDS).until(() -> pluginFromFile("sender-1.0.0.zip") != null
                && "STARTED".equals(pluginFromFile("sender-1.0.0.zip").get("state")));
        assertThat(pluginFromFile("sender-1.0.0.zip").get("channels")).isEqualTo(List.of("test"));

        // A person with a phone number, and a transactional message to them through the hub's message API.
        intake.submit(List.of(Event.identify().userId("profile-42").messageId("p42-" + UUID.randomUUID())
                .trait("phone", "+380501234567").build()));
        await().atMost(Duration.ofSeconds(10)).until(() -> adminGet("/api/v1/profiles/user_id/profile-42").statusCode() == 200);
        HttpResponse<String> queued = send(HttpRequest.newBuilder(uri("/api/v1/messages"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"profile\": {\"idType\": \"user_id\", \"idValue\": \"profile-42\"}, "
                        + "\"channel\": \"test\", \"purpose\": \"transactional\", \"text\": \"Your order is ready\"}")).build());
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
        String id = readJson(queued.body()).path("id").asText();

        // The event the plugin hands to the hub goes through the events queue into the profile store.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> events = adminGet("/api/v1/profiles/user_id/profile-42/events?size=500");
            assertThat(events.statusCode()).isEqualTo(200);
            assertThat(events.body()).contains("\"messageId\":\"sent-" + id + "\"", "\"event\":\"message_sent\"",
                    "Your order is ready");
            JsonNode sent = null;
            for (JsonNode e : readJson(events.body()).path("events")) {
                if (("sent-" + id).equals(e.path("messageId").asText())) {
                    sent = e;
                }
            }
            // The hub completed what the plugin left out: where it came from, and when it arrived.
            assertThat(sent).isNotNull();
            assertThat(sent.path("source").asText()).isEqualTo("plugin:sender");
            assertThat(sent.path("receivedAt").asText()).isNotBlank();
        });
    }

    @Test
    void adminsUploadAndDeletePluginsThroughTheApi() throws Exception {
        Path zip = Fixtures.greeter(BUILD, "2.0.0");
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/api/v1/plugins"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofFile(zip)).build());
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(readJson(created.body()).path("state").asText()).isEqualTo("STARTED");
        assertThat(PLUGINS.resolve("greeter-2.0.0.zip")).exists();
        assertThat(get("/greeter").body()).isEqualTo("hello v2.0.0");
        assertThat(adminGet("/api/v1/audit").body()).contains("plugin.upload", "greeter");

        HttpResponse<String> notAPlugin = send(HttpRequest.newBuilder(uri("/api/v1/plugins"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofString("definitely not a zip")).build());
        assertThat(notAPlugin.statusCode()).isEqualTo(400);
        assertThat(readJson(notAPlugin.body()).path("error").asText()).isEqualTo("invalid_plugin");
        assertThat(readJson(notAPlugin.body()).path("detail").asText()).contains("not an Atrium plugin");
        try (var files = Files.list(PLUGINS)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("greeter-2.0.0.zip");
        }

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("/api/v1/plugins/greeter"))
                .header("Authorization", "Bearer " + TOKEN).DELETE().build());
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(PLUGINS.resolve("greeter-2.0.0.zip")).doesNotExist();
        assertThat(get("/greeter").statusCode()).isEqualTo(404);
        HttpResponse<String> missing = send(HttpRequest.newBuilder(uri("/api/v1/plugins/greeter"))
                .header("Authorization", "Bearer " + TOKEN).DELETE().build());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(readJson(missing.body()).path("error").asText()).isEqualTo("not_found");
    }
}
