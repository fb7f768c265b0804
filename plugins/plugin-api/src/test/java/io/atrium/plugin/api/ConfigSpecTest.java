package io.atrium.plugin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigSpecTest {

    private final ConfigSpec spec = ConfigSpec.of(
            ConfigKey.of("api-url", ConfigType.URL).required().description("Base URL of the CRM API"),
            ConfigKey.of("api-token", ConfigType.STRING).required().secret().description("API token"),
            ConfigKey.of("poll-interval", ConfigType.DURATION).defaultValue("30s"),
            ConfigKey.of("batch-size", ConfigType.INT).defaultValue(100),
            ConfigKey.of("mode", ConfigType.STRING).defaultValue("push").allowedValues("push", "pull"),
            ConfigKey.of("tags", ConfigType.LIST),
            ConfigKey.of("enabled", ConfigType.BOOLEAN).defaultValue("true"));

    @Test
    void validConfigurationIsTypedAndDefaulted() {
        var v = spec.validate(Map.of("api-url", "https://crm.example.test/api", "api-token", "t", "tags", "a, b,,c"));
        assertThat(v.problems()).isEmpty();
        PluginConfig c = v.config();
        assertThat(c.getUrl("api-url")).isEqualTo(URI.create("https://crm.example.test/api"));
        assertThat(c.getDuration("poll-interval")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.getInt("batch-size")).isEqualTo(100);
        assertThat(c.getString("mode")).isEqualTo("push");
        assertThat(c.getList("tags")).containsExactly("a", "b", "c");
        assertThat(c.getBoolean("enabled")).isTrue();
    }

    @Test
    void missingRequiredKeyNamesTheKeyAndWhatIsExpected() {
        var v = spec.validate(Map.of("api-token", "t"));
        assertThat(v.isValid()).isFalse();
        assertThat(v.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("api-url");
            assertThat(p.message()).isEqualTo("missing required key 'api-url' (an absolute URL such as https://host:port/path:"
                    + " Base URL of the CRM API) which has no default value");
        });
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        var v = spec.validate(Map.of("api-ur", "x", "batch-size", "lots", "mode", "sideways", "poll-interval", "soon",
                "api-url", "not a url"));
        assertThat(v.problems()).extracting(ConfigProblem::message).containsExactlyInAnyOrder(
                "unknown key 'api-ur' (did you mean 'api-url'?); known keys: api-url, api-token, poll-interval, batch-size, mode, tags, enabled",
                "missing required key 'api-token' (a string: API token) which has no default value",
                "key 'batch-size' expects an integer but got 'lots', which is not (For input string: \"lots\")",
                "key 'mode' must be one of [push, pull] but got 'sideways'",
                "key 'poll-interval' expects a duration such as 30s, 5m, 2h or PT30S but got 'soon', which is not (Text cannot be parsed to a Duration)",
                "key 'api-url' expects an absolute URL such as https://host:port/path but got 'not a url', which is not (Illegal character in path at index 3: not a url)");
    }

    @Test
    void secretValuesNeverAppearInMessagesOrDumps() {
        ConfigSpec s = ConfigSpec.of(ConfigKey.of("pin", ConfigType.INT).secret().required());
        var v = s.validate(Map.of("pin", "hunter2"));
        assertThat(v.problems()).singleElement().satisfies(p -> assertThat(p.message()).doesNotContain("hunter2"));
        assertThat(s.mask(Map.of("pin", "1234", "password-unknown", "x"))).containsEntry("pin", ConfigSpec.MASK)
                .containsEntry("password-unknown", ConfigSpec.MASK);
        var ok = spec.validate(Map.of("api-url", "http://h", "api-token", "very-secret"));
        assertThat(ok.config().toString()).doesNotContain("very-secret").contains("api-token=******");
    }

    @Test
    void jsonSchemaDescribesEveryKey() {
        Map<String, Object> schema = spec.toJsonSchema();
        assertThat(schema).containsEntry("type", "object").containsEntry("additionalProperties", false);
        assertThat(schema.get("required")).isEqualTo(List.of("api-url", "api-token"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> props = (Map<String, Map<String, Object>>) schema.get("properties");
        assertThat(props.get("api-token")).containsEntry("format", "password").containsEntry("writeOnly", true);
        assertThat(props.get("mode")).containsEntry("enum", List.of("push", "pull")).containsEntry("default", "push");
        assertThat(props.get("batch-size")).containsEntry("type", "integer");
    }

    @Test
    void aKeyDeclaredTwiceIsAProgrammingError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigSpec.of(ConfigKey.of("a", ConfigType.STRING),
                ConfigKey.of("a", ConfigType.INT))).hasMessageContaining("'a' is declared twice");
    }
    @Test
    void requiredWhenAndOnlyWhenGiveTheProblemToTheDependentKey() {
        PluginConfig pull = spec.validate(Map.of("api-url", "http://a.test", "api-token", "t", "mode", "pull",
                "poll-interval", "")).config();
        // poll-interval has a default, so it is set: no problem.
        assertThat(ConfigSpec.requiredWhen(pull, "poll-interval", "mode", "pull", "how often to poll")).isEmpty();
        assertThat(ConfigSpec.requiredWhen(pull, "tags", "mode", "pull", "the tags to poll")).hasValueSatisfying(p -> {
            assertThat(p.key()).isEqualTo("tags");
            assertThat(p.message()).isEqualTo("key 'tags' is required when 'mode' is 'pull': set it to the tags to poll");
        });
        PluginConfig push = spec.validate(Map.of("api-url", "http://a.test", "api-token", "t", "tags", "x")).config();
        assertThat(ConfigSpec.requiredWhen(push, "tags", "mode", "pull", "")).isEmpty();
        assertThat(ConfigSpec.onlyWhen(push, "tags", "mode", "pull")).hasValueSatisfying(p -> {
            assertThat(p.key()).isEqualTo("tags");
            assertThat(p.message()).isEqualTo("key 'tags' only applies when 'mode' is 'pull', but 'mode' is 'push'; "
                    + "set that or remove 'tags'");
        });
        assertThat(ConfigSpec.onlyWhen(pull, "tags", "mode", "pull")).isEmpty();

        // A list key "holds" a value it lists; the dependent secret's value is never quoted.
        PluginConfig listed = spec.validate(Map.of("api-url", "http://a.test", "api-token", "s3cret-value", "tags", "a, pull")).config();
        assertThat(ConfigSpec.requiredWhen(listed, "poll-interval", "tags", "pull", "")).isEmpty();
        assertThat(ConfigSpec.onlyWhen(listed, "api-token", "tags", "push")).hasValueSatisfying(p -> {
            assertThat(p.message()).isEqualTo("key 'api-token' only applies when 'tags' lists 'push', but 'tags' does not "
                    + "list it; set that or remove 'api-token'");
            assertThat(p.message()).doesNotContain("s3cret-value");
        });
        assertThat(ConfigSpec.isSet(push, "tags")).isTrue();
        assertThat(ConfigSpec.isSet(pull, "tags")).isFalse();
    }

    /** What a connector's checks look like: every rule between keys adds its problem; the settings only when none. */
    private static String pollTags(PluginConfig config, List<ConfigProblem> problems) {
        ConfigSpec.requiredWhen(config, "tags", "mode", "pull", "the tags to poll").ifPresent(problems::add);
        if (config.getInt("batch-size") > 1000) {
            problems.add(new ConfigProblem("batch-size", "key 'batch-size' must be 1000 or less"));
        }
        return problems.isEmpty() ? config.getString("mode") + " " + config.getList("tags") : null;
    }

    @Test
    void settingsAndProblemsRunTheSameChecks() {
        PluginConfig good = spec.validate(Map.of("api-url", "http://a.test", "api-token", "t", "mode", "pull", "tags", "a")).config();
        assertThat(ConfigSpec.settings(good, "configuration of plugin 'x'", ConfigSpecTest::pollTags)).isEqualTo("pull [a]");
        assertThat(ConfigSpec.problems(good, ConfigSpecTest::pollTags)).isEmpty();

        PluginConfig bad = spec.validate(Map.of("api-url", "http://a.test", "api-token", "t", "mode", "pull", "batch-size", 5000)).config();
        assertThat(ConfigSpec.problems(bad, ConfigSpecTest::pollTags)).extracting(ConfigProblem::key).containsExactly("tags", "batch-size");
        assertThatThrownBy(() -> ConfigSpec.settings(bad, "configuration of plugin 'x'", ConfigSpecTest::pollTags))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration of plugin 'x': key 'tags' is required when 'mode' is 'pull': set it to the tags to poll; "
                        + "key 'batch-size' must be 1000 or less");
    }
}
