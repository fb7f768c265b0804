package io.atrium.plugins.webtracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WebTrackerConnectorTest {

    @Test
    void defaultsAreValid() {
        var v = WebTrackerConnector.SPEC.validate(Map.of());
        assertThat(v.problems()).isEmpty();
        assertThat(v.config().getString("script-path")).isEqualTo("/js/atrium.js");
        assertThat(v.config().getDuration("cache-max-age")).hasMinutes(10);
    }

    @Test
    void scriptIsPackagedWithTheApiAPageNeeds() throws Exception {
        String js = new String(WebTrackerConnector.loadScript(), StandardCharsets.UTF_8);
        assertThat(js).contains("track:", "identify:", "page:", "/v1/batch", "sendBeacon", "data-write-key");
    }

    @Test
    void unknownKeyIsRefusedWithASuggestion() {
        var v = WebTrackerConnector.SPEC.validate(Map.of("script-pth", "/t.js"));
        assertThat(v.problems()).singleElement().satisfies(p ->
                assertThat(p.message()).contains("unknown key 'script-pth'", "did you mean 'script-path'"));
    }
}
