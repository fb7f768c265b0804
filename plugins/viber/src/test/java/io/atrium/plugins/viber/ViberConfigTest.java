package io.atrium.plugins.viber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;

import org.junit.jupiter.api.Test;

class ViberConfigTest {

    static final String TOKEN = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f";

    static Map<String, Object> minimal() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("auth-token", TOKEN);
        raw.put("sender-name", "Acme Shop");
        return raw;
    }

    static PluginConfig valid(Map<String, Object> raw) {
        ConfigSpec.Validation v = ViberConnector.SPEC.validate(raw);
        assertThat(v.problems()).isEmpty();
        return v.config();
    }

    @Test
    void theTwoRequiredKeysAreEnoughAndTheDefaultsAreTheDocumentedOnes() {
        ViberSettings s = ViberSettings.from(valid(minimal()));
        assertThat(s.authToken()).isEqualTo(TOKEN);
        assertThat(s.apiUrl()).isEqualTo(URI.create("https://chatapi.viber.com/pa"));
        assertThat(s.senderName()).isEqualTo("Acme Shop");
        assertThat(s.senderAvatar()).isNull();
        assertThat(s.minApiVersion()).isEqualTo(1);
        assertThat(s.webhookPath()).isEqualTo("/hooks/viber");
        assertThat(s.registerWebhook()).isTrue();
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.ratePerSecond()).isEqualTo(50.0);
    }

    @Test
    void missingRequiredKeysAreReportedTogetherByName() {
        ConfigSpec.Validation v = ViberConnector.SPEC.validate(Map.of());
        assertThat(v.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder("auth-token", "sender-name");
        assertThat(v.problems()).extracting(ConfigProblem::message)
                .anySatisfy(m -> assertThat(m).contains("missing required key 'auth-token'"))
                .anySatisfy(m -> assertThat(m).contains("missing required key 'sender-name'"));
    }

    @Test
    void theTokenIsSecretAndNeverShown() {
        assertThat(ViberConnector.SPEC.key("auth-token").isSecret()).isTrue();
        assertThat(ViberConnector.SPEC.keys()).filteredOn(k -> k.isSecret()).hasSize(1);
        PluginConfig config = valid(minimal());
        assertThat(config.masked().get("auth-token")).isEqualTo(ConfigSpec.MASK);
        assertThat(ViberSettings.from(config).toString()).doesNotContain(TOKEN).contains(ConfigSpec.MASK);
        @SuppressWarnings("unchecked")
        Map<String, Object> token = (Map<String, Object>) ((Map<String, Object>) ViberConnector.SPEC.toJsonSchema()
                .get("properties")).get("auth-token");
        assertThat(token).containsEntry("format", "password").doesNotContainKey("default");
    }

    @Test
    void valuesOfTheWrongTypeNameTheirKeys() {
        Map<String, Object> raw = minimal();
        raw.put("rate-per-second", "fast");
        raw.put("register-webhook", "yes");
        raw.put("min-api-version", "seven");
        raw.put("request-timeout", "soon");
        raw.put("api-url", "chatapi.viber.com");
        ConfigSpec.Validation v = ViberConnector.SPEC.validate(raw);
        assertThat(v.problems()).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("rate-per-second", "register-webhook", "min-api-version", "request-timeout", "api-url");
    }

    @Test
    void anUnknownKeyGetsASuggestion() {
        Map<String, Object> raw = minimal();
        raw.put("sender-nme", "x");
        ConfigSpec.Validation v = ViberConnector.SPEC.validate(raw);
        assertThat(v.problems()).singleElement().satisfies(p ->
                assertThat(p.message()).contains("unknown key 'sender-nme'", "did you mean 'sender-name'"));
    }

    @Test
    void checksBeyondTheTypesAreCollectedAndNameEachKey() {
        Map<String, Object> raw = minimal();
        raw.put("sender-name", "A sender name that is far too long for Viber");
        raw.put("webhook-path", "hooks/viber");
        raw.put("min-api-version", 0);
        raw.put("rate-per-second", -1);
        raw.put("request-timeout", "0s");
        raw.put("api-url", "ftp://chatapi.viber.com/pa");
        raw.put("sender-avatar", "file://host/avatar.png");
        assertThatThrownBy(() -> ViberSettings.from(valid(raw)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration of plugin 'viber': ")
                .hasMessageContaining("key 'sender-name' expects at most 28 characters")
                .hasMessageContaining("key 'webhook-path' expects a path starting with '/'")
                .hasMessageContaining("key 'min-api-version' expects an integer of at least 1")
                .hasMessageContaining("key 'rate-per-second' expects a number >= 0")
                .hasMessageContaining("key 'request-timeout' expects a positive duration")
                .hasMessageContaining("key 'api-url' expects an http or https URL")
                .hasMessageContaining("key 'sender-avatar' expects an http or https URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    }

    @Test
    void aBlankTokenIsRefusedWithoutShowingIt() {
        Map<String, Object> raw = minimal();
        raw.put("auth-token", "   ");
        assertThatThrownBy(() -> ViberSettings.from(valid(raw))).hasMessageContaining("key 'auth-token' must not be blank");
    }

    @Test
    void twentyEightCharactersIsStillANameViberShows() {
        Map<String, Object> raw = minimal();
        raw.put("sender-name", "x".repeat(28));
        assertThat(ViberSettings.from(valid(raw)).senderName()).hasSize(28);
    }

    @Test
    void methodUrlsAreJoinedWithOneSlash() {
        Map<String, Object> raw = minimal();
        raw.put("api-url", "http://127.0.0.1:8080/pa/");
        assertThat(ViberSettings.from(valid(raw)).method("send_message"))
                .isEqualTo(URI.create("http://127.0.0.1:8080/pa/send_message"));
        assertThat(ViberSettings.from(valid(minimal())).method("set_webhook"))
                .isEqualTo(URI.create("https://chatapi.viber.com/pa/set_webhook"));
    }
}
