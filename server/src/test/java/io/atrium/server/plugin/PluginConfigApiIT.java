package io.atrium.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.support.HubTestSupport;
import io.atrium.server.support.TestPlugins;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The console's plugin form through the API: PUT and validate a configuration (the spec's checks
 * and the plugin's own), enable and disable, each recorded in the audit log without secrets.
 */
@ExtendWith(OutputCaptureExtension.class)
class PluginConfigApiIT extends HubTestSupport {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    /**
     * {@code checked}: requires {@code api-url} and a secret {@code api-token}; its own checks say
     * that pull mode needs a {@code poll-interval}, {@code batch-size} is 1–1000, and a token has no
     * spaces (a message that quotes the token, which the hub must mask). Serves GET /checked with
     * what it was started with.
     */
    static Path checkedPlugin(Path dir) throws IOException {
        String connector = """
                package fixture.checked;

                import java.util.*;
                import io.atrium.plugin.api.*;
                import org.apache.camel.builder.RouteBuilder;
                import org.pf4j.Extension;

                @Extension
                public class CheckedConnector implements Connector {
                    public ConfigSpec configSpec() {
                        return ConfigSpec.of(
                                ConfigKey.of("api-url", ConfigType.URL).required().description("Base URL of the API"),
                                ConfigKey.of("api-token", ConfigType.STRING).required().secret().description("API token"),
                                ConfigKey.of("mode", ConfigType.STRING).defaultValue("push").allowedValues("push", "pull"),
                                ConfigKey.of("poll-interval", ConfigType.DURATION).description("How often to poll in pull mode"),
                                ConfigKey.of("batch-size", ConfigType.INT).defaultValue("100"));
                    }
                    public List<ConfigProblem> validate(PluginConfig c) {
                        List<ConfigProblem> p = new ArrayList<>();
                        if (c.getString("mode").equals("pull") && c.get("poll-interval").isEmpty()) {
                            p.add(new ConfigProblem("poll-interval", "key 'poll-interval' is required in pull mode"));
                        }
                        int batch = c.getInt("batch-size");
                        if (batch < 1 || batch > 1000) {
                            p.add(new ConfigProblem("batch-size", "key 'batch-size' must be between 1 and 1000, got " + batch));
                        }
                        if (c.getString("api-token").contains(" ")) {
                            p.add(new ConfigProblem("api-token", "key 'api-token' must not contain spaces: " + c.getString("api-token")));
                        }
                        return p;
                    }
                    public void start(ConnectorContext ctx) throws Exception {
                        String answer = ctx.config().getUrl("api-url") + " " + ctx.config().getString("mode") + " "
                                + ctx.config().getInt("batch-size") + " token of " + ctx.config().getString("api-token").length();
                        ctx.addRoutes(new RouteBuilder() {
                            public void configure() {
                                from("platform-http:/checked").routeId("checked-http").setBody(constant(answer));
                            }
                        });
                    }
                }
                """;
        return TestPlugins.zip(dir, "checked", "1.0.0", Map.of("fixture.checked.CheckedConnector", connector),
                List.of("fixture.checked.CheckedConnector"));
    }

    private void installChecked() throws IOException {
        TestPlugins.install(checkedPlugin(BUILD), PLUGINS, "checked-1.0.0.zip");
        await().atMost(FIVE_SECONDS).until(() -> pluginFromFile("checked-1.0.0.zip") != null
                && "DISABLED".equals(pluginFromFile("checked-1.0.0.zip").get("state")));
    }

    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return send(b.build());
    }

    private static Map<String, String> problemsByKey(JsonNode problems) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (JsonNode p : problems) {
            out.merge(p.path("key").asText(), p.path("message").asText(), (a, b) -> a + " | " + b);
        }
        return out;
    }

    @Test
    void aBadConfigurationIsRefusedNamingEveryKeyAndNothingIsWritten(CapturedOutput output) throws Exception {
        installChecked(); // no configuration file: required keys are missing
        String secret = "tok-" + UUID.randomUUID();
        long auditedBefore = readJson(adminGet("/api/v1/audit?limit=1").body()).path(0).path("id").asLong();

        HttpResponse<String> refused = call("PUT", "/api/v1/plugins/checked/config", """
                {"api-tokn": "%s", "mode": "sideways", "batch-size": "lots", "colour": "red"}""".formatted(secret));

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode body = readJson(refused.body());
        assertThat(body.path("error").asText()).isEqualTo("invalid_config");
        Map<String, String> problems = problemsByKey(body.path("detail").path("problems"));
        assertThat(problems.keySet()).containsExactlyInAnyOrder("api-tokn", "colour", "api-url", "api-token", "mode", "batch-size");
        assertThat(problems.get("api-tokn")).contains("unknown key 'api-tokn'", "did you mean 'api-token'");
        assertThat(problems.get("api-url")).contains("missing required key 'api-url'");
        assertThat(problems.get("mode")).contains("must be one of [push, pull]", "'sideways'");
        assertThat(problems.get("batch-size")).contains("expects an integer but got 'lots'");
        assertThat(body.path("detail").path("message").asText()).contains("6 problems", "nothing was saved");
        assertThat(refused.body()).doesNotContain(secret);
        assertThat(PLUGIN_CONFIG.resolve("checked.yml")).doesNotExist();
        assertThat(readJson(adminGet("/api/v1/audit?limit=1").body()).path(0).path("id").asLong()).isEqualTo(auditedBefore);

        // The spec passes, the plugin's own checks do not: those problems come with their keys too.
        HttpResponse<String> ownChecks = call("PUT", "/api/v1/plugins/checked/config", """
                {"api-url": "http://crm.test", "api-token": "has a space %s", "mode": "pull", "batch-size": 5000}""".formatted(secret));
        assertThat(ownChecks.statusCode()).as(ownChecks.body()).isEqualTo(400);
        Map<String, String> own = problemsByKey(readJson(ownChecks.body()).path("detail").path("problems"));
        assertThat(own.keySet()).containsExactlyInAnyOrder("poll-interval", "batch-size", "api-token");
        assertThat(own.get("poll-interval")).isEqualTo("key 'poll-interval' is required in pull mode");
        assertThat(own.get("batch-size")).contains("between 1 and 1000, got 5000");
        assertThat(own.get("api-token")).contains("must not contain spaces: ******");
        assertThat(ownChecks.body()).doesNotContain(secret);
        assertThat(PLUGIN_CONFIG.resolve("checked.yml")).doesNotExist();
        assertThat(output.getAll()).doesNotContain(secret);

        HttpResponse<String> unknown = call("PUT", "/api/v1/plugins/no-such-plugin/config", "{}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(readJson(unknown.body()).path("error").asText()).isEqualTo("not_found");
        HttpResponse<String> notAnObject = call("PUT", "/api/v1/plugins/checked/config", "[1, 2]");
        assertThat(notAnObject.statusCode()).isEqualTo(400);
        assertThat(readJson(notAnObject.body()).path("error").asText()).isEqualTo("malformed_body");
    }

    @Test
    void validateAnswersTheProblemsWhileTypingAndWritesNothing() throws Exception {
        installChecked();

        HttpResponse<String> bad = call("POST", "/api/v1/plugins/checked/config/validate", """
                {"api-url": "not a url", "api-token": "t0k3n-value"}""");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(200);
        JsonNode verdict = readJson(bad.body());
        assertThat(verdict.path("valid").asBoolean()).isFalse();
        assertThat(problemsByKey(verdict.path("problems"))).containsOnlyKeys("api-url")
                .hasEntrySatisfying("api-url", m -> assertThat(m).contains("expects an absolute URL"));

        HttpResponse<String> good = call("POST", "/api/v1/plugins/checked/config/validate", """
                {"api-url": "http://crm.test", "api-token": "t0k3n-value", "mode": "pull", "poll-interval": "30s"}""");
        assertThat(readJson(good.body()).path("valid").asBoolean()).as(good.body()).isTrue();
        assertThat(readJson(good.body()).path("problems").size()).isZero();

        assertThat(PLUGIN_CONFIG.resolve("checked.yml")).doesNotExist();
        assertThat(pluginFromFile("checked-1.0.0.zip")).containsEntry("state", "DISABLED");
        assertThat(call("POST", "/api/v1/plugins/nope/config/validate", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aGoodConfigurationIsWrittenAndRestartsThePluginAndAMaskedSecretKeepsTheStoredOne(CapturedOutput output) throws Exception {
        installChecked();
        String secret = "tok-" + UUID.randomUUID();

        HttpResponse<String> saved = call("PUT", "/api/v1/plugins/checked/config", """
                {"api-url": "http://crm.test", "api-token": "%s", "batch-size": 50}""".formatted(secret));
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        JsonNode entry = readJson(saved.body());
        assertThat(entry.path("state").asText()).isEqualTo("STARTED");
        assertThat(entry.path("error").isNull()).isTrue();
        assertThat(entry.path("config").path("api-token").asText()).isEqualTo("******");
        assertThat(get("/checked").body()).isEqualTo("http://crm.test push 50 token of " + secret.length());
        String file = Files.readString(PLUGIN_CONFIG.resolve("checked.yml"));
        assertThat(file).contains("api-url: http://crm.test", "api-token: " + secret, "batch-size: 50");

        // The form sends the secret back masked: the stored token is kept; mode changes.
        HttpResponse<String> again = call("PUT", "/api/v1/plugins/checked/config", """
                {"api-url": "http://crm.test", "api-token": "******", "mode": "pull", "poll-interval": "1m", "batch-size": 50}""");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        await().atMost(FIVE_SECONDS).untilAsserted(() ->
                assertThat(get("/checked").body()).isEqualTo("http://crm.test pull 50 token of " + secret.length()));
        assertThat(Files.readString(PLUGIN_CONFIG.resolve("checked.yml"))).contains("api-token: " + secret, "mode: pull");

        List<Map<String, Object>> audit = json.readValue(adminGet("/api/v1/audit?limit=20").body(), List.class);
        List<Map<String, Object>> changes = new ArrayList<>(audit.stream().filter(a -> "plugin.config".equals(a.get("action"))).toList());
        assertThat(changes).hasSizeGreaterThanOrEqualTo(2);
        assertThat(changes.get(0)).containsEntry("target", "checked");
        assertThat((Map<String, Object>) changes.get(0).get("detail")).containsEntry("changedKeys", List.of("mode", "poll-interval"))
                .containsEntry("state", "STARTED");
        assertThat((Map<String, Object>) changes.get(1).get("detail")).containsEntry("changedKeys",
                List.of("api-token", "api-url", "batch-size"));
        assertThat(adminGet("/api/v1/audit?limit=1000").body()).doesNotContain(secret);
        assertThat(adminGet("/api/v1/plugins").body()).doesNotContain(secret);
        assertThat(output.getAll()).contains("Configuration of plugin 'checked' saved through the API").doesNotContain(secret);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPlaceholderIsShownAsWrittenAndSavingTheFormUnchangedKeepsIt() throws Exception {
        installChecked();
        HttpResponse<String> saved = call("PUT", "/api/v1/plugins/checked/config", """
                {"api-url": "${ATRIUM_TEST_CHECKED_URL:http://crm-default.test}",
                 "api-token": "${ATRIUM_TEST_CHECKED_TOKEN:t0k3n-default}", "batch-size": 7}""");
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        // The plugin runs with the resolved values ...
        assertThat(get("/checked").body()).isEqualTo("http://crm-default.test push 7 token of " + "t0k3n-default".length());
        // ... while the form (GET) shows what is written: the placeholder, and the secret masked.
        JsonNode config = readJson(call("GET", "/api/v1/plugins/checked", null).body()).path("config");
        assertThat(config.path("api-url").asText()).isEqualTo("${ATRIUM_TEST_CHECKED_URL:http://crm-default.test}");
        assertThat(config.path("api-token").asText()).isEqualTo("******");
        assertThat(readJson(saved.body()).path("config").path("api-url").asText())
                .isEqualTo("${ATRIUM_TEST_CHECKED_URL:http://crm-default.test}");
        assertThat(adminGet("/api/v1/plugins").body()).doesNotContain("t0k3n-default");

        // Saving the form as it was shown changes no key and keeps both placeholders in the file.
        HttpResponse<String> again = call("PUT", "/api/v1/plugins/checked/config", json.writeValueAsString(config));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        String file = Files.readString(PLUGIN_CONFIG.resolve("checked.yml"));
        assertThat(file).contains("${ATRIUM_TEST_CHECKED_URL:http://crm-default.test}", "${ATRIUM_TEST_CHECKED_TOKEN:t0k3n-default}")
                .doesNotContain("api-url: http://crm-default.test");
        List<Map<String, Object>> audit = json.readValue(adminGet("/api/v1/audit?limit=5").body(), List.class);
        Map<String, Object> last = audit.stream().filter(a -> "plugin.config".equals(a.get("action"))).findFirst().orElseThrow();
        assertThat((Map<String, Object>) last.get("detail")).containsEntry("changedKeys", List.of());
        assertThat(get("/checked").body()).isEqualTo("http://crm-default.test push 7 token of " + "t0k3n-default".length());
    }

    @Test
    void aMaskedSecretWithNoStoredValueIsAProblemOfThatKey() throws Exception {
        installChecked();
        HttpResponse<String> refused = call("PUT", "/api/v1/plugins/checked/config", """
                {"api-url": "http://crm.test", "api-token": "******"}""");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(problemsByKey(readJson(refused.body()).path("detail").path("problems")))
                .containsOnlyKeys("api-token")
                .hasEntrySatisfying("api-token", m -> assertThat(m).contains("no stored value"));
    }

    @Test
    void aDisabledPluginStopsItsRoutesStaysStoppedUntilEnabledAndBothAreAudited() throws Exception {
        installChecked();
        assertThat(call("PUT", "/api/v1/plugins/checked/config", """
                {"api-url": "http://crm.test", "api-token": "t0k3n-value"}""").statusCode()).isEqualTo(200);
        assertThat(get("/checked").statusCode()).isEqualTo(200);

        HttpResponse<String> disabled = call("POST", "/api/v1/plugins/checked/disable", null);
        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
        JsonNode entry = readJson(disabled.body());
        assertThat(entry.path("state").asText()).isEqualTo("DISABLED");
        assertThat(entry.path("enabled").asBoolean()).isFalse();
        assertThat(entry.path("error").asText()).startsWith("disabled by admin at ").contains("/enable");
        assertThat(entry.path("disabledBy").asText()).isEqualTo("admin");
        assertThat(java.time.Instant.parse(entry.path("disabledAt").asText())).isCloseTo(java.time.Instant.now(),
                org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));
        assertThat(entry.path("routes").size()).isZero();
        assertThat(get("/checked").statusCode()).isEqualTo(404);
        assertThat(routes()).noneMatch(r -> "checked-http".equals(r.get("id")));

        // Saving its configuration, or a new copy of its file, does not start it while it is disabled.
        assertThat(call("PUT", "/api/v1/plugins/checked/config", """
                {"api-url": "http://crm2.test", "api-token": "t0k3n-value"}""").statusCode()).isEqualTo(200);
        TestPlugins.install(checkedPlugin(BUILD), PLUGINS, "checked-1.0.0.zip");
        await().during(Duration.ofMillis(800)).atMost(FIVE_SECONDS).until(() -> get("/checked").statusCode() == 404);
        assertThat(pluginFromFile("checked-1.0.0.zip")).containsEntry("state", "DISABLED").containsEntry("enabled", false);
        // Its spec is still there for the form.
        assertThat(pluginFromFile("checked-1.0.0.zip").get("configSpec").toString()).contains("api-url", "batch-size");

        HttpResponse<String> enabled = call("POST", "/api/v1/plugins/checked/enable", null);
        assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
        assertThat(readJson(enabled.body()).path("state").asText()).isEqualTo("STARTED");
        assertThat(readJson(enabled.body()).path("enabled").asBoolean()).isTrue();
        assertThat(readJson(enabled.body()).path("disabledBy").isNull()).isTrue();
        assertThat(get("/checked").body()).startsWith("http://crm2.test push");

        String audit = adminGet("/api/v1/audit?limit=20").body();
        assertThat(audit).contains("\"action\":\"plugin.disable\"", "\"action\":\"plugin.enable\"").doesNotContain("t0k3n-value");
        assertThat(call("POST", "/api/v1/plugins/nope/disable", null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/plugins/nope/enable", null).statusCode()).isEqualTo(404);
    }
}
