package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;

class SegmentsApiIT extends HubTestSupport {

    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
        return send((body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))).build());
    }

    private static List<String> paths(JsonNode error) {
        List<String> out = new ArrayList<>();
        error.path("detail").path("problems").forEach(p -> out.add(p.path("path").asText()));
        return out;
    }

    @Test
    void aMarketerSavesReadsChangesAndDeletesTheAbandonedCartSegment() {
        String name = "Abandoned cart " + UUID.randomUUID();
        String rule = """
                {"all": [
                  {"event": "added_to_cart", "where": [{"property": "total", "op": "gt", "value": 50000}],
                   "within": "24h", "notFollowedBy": {"event": "order_completed", "within": "1h"}},
                  {"consent": {"channel": "email", "purpose": "marketing"}}
                ]}""";
        HttpResponse<String> created = call("POST", "/api/v1/segments",
                "{\"name\": \"" + name + "\", \"description\": \"carts left for an hour\", \"rule\": " + rule + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode segment = readJson(created.body());
        long id = segment.path("id").asLong();
        assertThat(segment.path("rule").path("all").get(0).path("notFollowedBy").path("within").asText()).isEqualTo("1h");

        assertThat(readJson(call("GET", "/api/v1/segments/" + id, null).body()).path("name").asText()).isEqualTo(name);
        assertThat(call("GET", "/api/v1/segments", null).body()).contains(name);
        // Its members are computed in the background; computedAt says when they follow the rule.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                readJson(call("GET", "/api/v1/segments/" + id, null).body()).path("computedAt").asText()).isNotEmpty());

        HttpResponse<String> updated = call("PUT", "/api/v1/segments/" + id,
                "{\"name\": \"" + name + "\", \"rule\": {\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}}");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(readJson(updated.body()).path("rule").path("trait").asText()).isEqualTo("city");
        assertThat(readJson(updated.body()).path("computedAt").isNull()).as("an edited rule is not computed yet").isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                readJson(call("GET", "/api/v1/segments/" + id, null).body()).path("computedAt").asText()).isNotEmpty());
        assertThat(adminGet("/api/v1/audit").body()).contains("segment.create", "segment.update");

        assertThat(call("DELETE", "/api/v1/segments/" + id, null).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/segments/" + id, null).statusCode()).isEqualTo(404);
    }

    @Test
    void anInvalidRuleIsRefusedWithThePathOfEveryBadNodeAndNothingIsSaved() {
        String name = "Broken " + UUID.randomUUID();
        HttpResponse<String> refused = call("POST", "/api/v1/segments", "{\"name\": \"" + name + "\", \"rule\": {\"all\": ["
                + "{\"trait\": \"city\", \"op\": \"equals\", \"value\": \"Kyiv\"},"
                + "{\"event\": \"added_to_cart\", \"count\": {\"atLeast\": \"many\"}}]}}");
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = readJson(refused.body());
        assertThat(error.path("error").asText()).isEqualTo("invalid_segment");
        assertThat(paths(error)).containsExactlyInAnyOrder("$.rule.all[0].op", "$.rule.all[1].count.atLeast");
        assertThat(call("GET", "/api/v1/segments", null).body()).doesNotContain(name);

        HttpResponse<String> noName = call("POST", "/api/v1/segments", "{\"rule\": {\"identity\": \"email\"}}");
        assertThat(paths(readJson(noName.body()))).containsExactly("$.name");

        HttpResponse<String> validation = call("POST", "/api/v1/segments/validate",
                "{\"name\": \"x\", \"rule\": {\"not\": {\"segment\": \"no such segment\"}}}");
        assertThat(validation.statusCode()).isEqualTo(200);
        assertThat(readJson(validation.body()).path("valid").asBoolean()).isFalse();
        assertThat(validation.body()).contains("$.rule.not.segment", "no segment named 'no such segment'");
    }

    @Test
    void segmentsReferToEachOtherWithoutCyclesAndAUsedOneCannotBeDeleted() {
        String a = "A " + UUID.randomUUID();
        String b = "B " + UUID.randomUUID();
        long idA = readJson(call("POST", "/api/v1/segments", "{\"name\": \"" + a + "\", \"rule\": {\"identity\": \"email\"}}").body())
                .path("id").asLong();
        HttpResponse<String> createdB = call("POST", "/api/v1/segments", "{\"name\": \"" + b + "\", \"rule\": {\"all\": ["
                + "{\"segment\": " + idA + "}, {\"trait\": \"plan\", \"op\": \"exists\"}]}}");
        assertThat(createdB.statusCode()).as(createdB.body()).isEqualTo(201);
        long idB = readJson(createdB.body()).path("id").asLong();

        HttpResponse<String> cycle = call("PUT", "/api/v1/segments/" + idA, "{\"name\": \"" + a + "\", \"rule\": {\"segment\": \"" + b + "\"}}");
        assertThat(cycle.statusCode()).isEqualTo(400);
        assertThat(cycle.body()).contains("$.rule.segment", "would make a cycle", a + " → " + b + " → " + a);

        HttpResponse<String> inUse = call("DELETE", "/api/v1/segments/" + idA, null);
        assertThat(inUse.statusCode()).isEqualTo(409);
        assertThat(readJson(inUse.body()).path("detail").path("usedBy").get(0).path("id").asLong()).isEqualTo(idB);

        HttpResponse<String> duplicate = call("POST", "/api/v1/segments", "{\"name\": \"" + a + "\", \"rule\": {\"identity\": \"phone\"}}");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(readJson(duplicate.body()).path("detail").path("field").asText()).isEqualTo("name");

        assertThat(call("DELETE", "/api/v1/segments/" + idB, null).statusCode()).isEqualTo(204);
        assertThat(call("DELETE", "/api/v1/segments/" + idA, null).statusCode()).isEqualTo(204);
    }
}
