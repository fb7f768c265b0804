package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** What a rule looks at decides which changed profiles the segment stage re-checks against it. */
class RuleDependenciesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RuleDependencies of(String rule, Map<String, String> segments) throws Exception {
        Map<String, JsonNode> rules = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : segments.entrySet()) {
            rules.put(e.getKey(), JSON.readTree(e.getValue()));
        }
        return RuleDependencies.of(JSON.readTree(rule), ref -> rules.get(ref.asText()));
    }

    @Test
    void everyKindOfNodeNamesWhatItLooksAt() throws Exception {
        RuleDependencies d = of("{\"all\": [{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}, "
                + "{\"not\": {\"identity\": \"email\"}}, "
                + "{\"any\": [{\"event\": \"Checkout Started\", \"within\": \"1d\", \"notFollowedBy\": {\"event\": \"Order Completed\", \"within\": \"1h\"}}, "
                + "{\"event\": \"page\", \"where\": [{\"property\": \"path\", \"op\": \"eq\", \"value\": \"/\"}], \"count\": {\"atLeast\": 3}}]}]}", Map.of());
        assertThat(d.everything()).isFalse();
        assertThat(d.traits()).containsExactly("city");
        assertThat(d.identities()).containsExactly("email");
        assertThat(d.events()).containsExactlyInAnyOrder("Checkout Started", "Order Completed", "page");
        assertThat(d.consents()).isFalse();

        assertThat(of("{\"consent\": {\"channel\": \"email\", \"purpose\": \"marketing\"}}", Map.of()).consents()).isTrue();
    }

    @Test
    void aSegmentReferenceLooksAtWhatTheOtherSegmentLooksAt() throws Exception {
        RuleDependencies d = of("{\"all\": [{\"segment\": \"buyers\"}, {\"trait\": \"plan\", \"op\": \"exists\"}]}",
                Map.of("buyers", "{\"any\": [{\"event\": \"Order Completed\"}, {\"segment\": \"vip\"}]}",
                        "vip", "{\"trait\": \"vip\", \"op\": \"exists\"}"));
        assertThat(d.everything()).isFalse();
        assertThat(d.traits()).containsExactlyInAnyOrder("plan", "vip");
        assertThat(d.events()).containsExactly("Order Completed");

        // a deleted segment is nobody: it depends on nothing
        RuleDependencies deleted = of("{\"segment\": \"gone\"}", Map.of());
        assertThat(deleted.everything()).isFalse();
        assertThat(deleted.traits()).isEmpty();
        assertThat(deleted.events()).isEmpty();
    }

    @Test
    void referencesInACircleDependOnEverything() throws Exception {
        assertThat(of("{\"segment\": \"a\"}", Map.of("a", "{\"segment\": \"b\"}", "b", "{\"segment\": \"a\"}")).everything()).isTrue();
    }

    @Test
    void onlyTheProfilesWhoseChangeARuleLooksAtAreRechecked() throws Exception {
        SegmentStage.Touched touched = new SegmentStage.Touched();
        touched.add(JSON.readTree("{\"profiles\": [1, 2, 3, 4, 5], \"changed\": {\"everything\": [5], "
                + "\"events\": {\"page\": [1, 2], \"Order Completed\": [2]}, \"traits\": {\"city\": [3]}, \"identities\": {\"email\": [4]}, "
                + "\"consents\": [1]}}"));
        // a message that does not say what changed: anything may have, in each of its profiles
        touched.add(JSON.readTree("{\"profiles\": [6]}"));
        java.util.Set<Long> ids = new java.util.LinkedHashSet<>(java.util.List.of(1L, 2L, 3L, 4L, 5L, 6L));

        assertThat(touched.affected(of("{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}", Map.of()), ids))
                .containsExactly(3L, 5L, 6L);
        assertThat(touched.affected(of("{\"event\": \"Order Completed\", \"within\": \"7d\"}", Map.of()), ids))
                .containsExactly(2L, 5L, 6L);
        assertThat(touched.affected(of("{\"any\": [{\"identity\": \"email\"}, "
                + "{\"consent\": {\"channel\": \"email\", \"purpose\": \"marketing\"}}]}", Map.of()), ids))
                .containsExactly(1L, 4L, 5L, 6L);
        assertThat(touched.affected(of("{\"trait\": \"plan\", \"op\": \"exists\"}", Map.of()), ids)).containsExactly(5L, 6L);
    }
}
