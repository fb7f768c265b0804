package io.atrium.server.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every bad request gets a 4xx that names the field or the limit, and nothing of it is stored. */
class CollectorValidationIT extends CollectorTestSupport {

    private TestSource source;
    private String run;

    @BeforeEach
    void source() {
        source = newSource("validation");
        run = marker();
    }

    private JsonNode refused(HttpResponse<String> answer, int status, String error) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        JsonNode json = readJson(answer.body());
        assertThat(json.path("error").asText()).isEqualTo(error);
        assertThat(queuedWithMarker(run)).as("nothing of a refused request is stored").isEmpty();
        return json;
    }

    @Test
    void malformedJsonIs400NamingThePosition() {
        JsonNode json = refused(post("/v1/track", source.writeKey(),
                "{\"userId\": \"u\", \"event\": \"x\", \"properties\": {\"marker\": \"" + run + "\",}}"), 400, "malformed_body");
        assertThat(json.path("detail").asText()).contains("not valid JSON", "line 1, column");

        refused(post("/v1/track", source.writeKey(), "{\"userId\": \"u\"} trailing"), 400, "malformed_body");
        refused(post("/v1/track", source.writeKey(), ""), 400, "malformed_body");
        JsonNode array = refused(post("/v1/track", source.writeKey(), "[1, 2]"), 400, "invalid_event");
        assertThat(array.path("detail").path("message").asText()).contains("JSON object");
    }

    @Test
    void anEventWithNeitherUserIdNorAnonymousIdIs400NamingBoth() {
        JsonNode json = refused(post("/v1/track", source.writeKey(),
                "{\"event\": \"Clicked\", \"userId\": \"\", \"properties\": {\"marker\": \"" + run + "\"}}"), 400, "invalid_event");
        assertThat(json.path("detail").path("field").asText()).isEqualTo("userId");
        assertThat(json.path("detail").path("message").asText()).contains("userId", "anonymousId");
    }

    @Test
    void wrongTypesAre400NamingTheFieldPath() {
        JsonNode traits = refused(post("/v1/identify", source.writeKey(),
                "{\"userId\": \"u\", \"traits\": 5, \"properties\": {\"marker\": \"" + run + "\"}}"), 400, "invalid_event");
        assertThat(traits.path("detail").path("field").asText()).isEqualTo("traits");
        assertThat(traits.path("detail").path("message").asText()).contains("JSON object", "number");

        JsonNode timestamp = refused(post("/v1/track", source.writeKey(),
                "{\"userId\": \"u\", \"event\": \"e\", \"timestamp\": \"yesterday\", \"properties\": {\"marker\": \"" + run + "\"}}"),
                400, "invalid_event");
        assertThat(timestamp.path("detail").path("field").asText()).isEqualTo("timestamp");
        assertThat(timestamp.path("detail").path("message").asText()).contains("ISO-8601");

        JsonNode event = refused(post("/v1/track", source.writeKey(),
                "{\"userId\": \"u\", \"properties\": {\"marker\": \"" + run + "\"}}"), 400, "invalid_event");
        assertThat(event.path("detail").path("field").asText()).isEqualTo("event");
    }

    @Test
    void aBatchWithOneBadEventIsRefusedWholeListingEveryProblem() {
        String batch = """
                {"batch": [
                  {"type": "track", "userId": "u", "event": "Fine", "properties": {"marker": "%s"}},
                  {"type": "track", "userId": "u", "event": "Fine too", "properties": {"marker": "%s"}},
                  {"type": "purchase", "userId": "u", "properties": {"marker": "%s"}},
                  {"type": "identify", "userId": "u", "traits": 5},
                  {"type": "track", "event": "No one", "timestamp": "31/01/2025"}
                ]}""".formatted(run, run, run);
        JsonNode json = refused(post("/v1/batch", source.writeKey(), batch), 400, "invalid_event");
        JsonNode detail = json.path("detail");
        assertThat(detail.path("field").asText()).isEqualTo("batch[2].type");
        assertThat(detail.path("message").asText()).contains("nothing was stored");
        assertThat(detail.path("problems").findValuesAsText("field"))
                .containsExactly("batch[2].type", "batch[3].traits", "batch[4].timestamp", "batch[4].userId");
        assertThat(detail.path("problems").get(0).path("message").asText()).contains("track", "purchase");

        JsonNode notArray = refused(post("/v1/batch", source.writeKey(), "{\"batch\": {\"type\": \"track\"}}"), 400, "invalid_event");
        assertThat(notArray.path("detail").path("field").asText()).isEqualTo("batch");
        JsonNode noType = refused(post("/v1/batch", source.writeKey(),
                "{\"batch\": [{\"userId\": \"u\", \"event\": \"e\"}]}"), 400, "invalid_event");
        assertThat(noType.path("detail").path("field").asText()).isEqualTo("batch[0].type");
    }

    @Test
    void aNulCharacterInAnyStringIs400NamingItsPathAndNothingIsStored() {
        // Valid JSON, but PostgreSQL cannot store U+0000: accepted, it would only fail later in the profile stage.
        JsonNode single = refused(post("/v1/track", source.writeKey(),
                "{\"userId\": \"u\", \"event\": \"e\", \"properties\": {\"marker\": \"" + run + "\", \"note\": \"a\\u0000b\"}}"),
                400, "invalid_event");
        assertThat(single.path("detail").path("field").asText()).isEqualTo("properties.note");
        assertThat(single.path("detail").path("message").asText()).contains("NUL character (U+0000)");

        String batch = """
                {"batch": [
                  {"type": "track", "userId": "u", "event": "Fine", "properties": {"marker": "%s"}},
                  {"type": "identify", "userId": "u", "traits": {"marker": "%s", "tags": ["ok", "bad\\u0000"]}}
                ],
                 "context": {"library": {"name": "x\\u0000"}}}""".formatted(run, run);
        JsonNode many = refused(post("/v1/batch", source.writeKey(), batch), 400, "invalid_event");
        assertThat(many.path("detail").path("problems").findValuesAsText("field"))
                .containsExactly("context.library.name", "batch[1].traits.tags[1]");
        // An escaped backslash before "u0000" is an ordinary string, and is taken.
        HttpResponse<String> fine = post("/v1/track", source.writeKey(),
                "{\"userId\": \"u\", \"event\": \"e\", \"properties\": {\"path\": \"C:\\\\u0000\"}}");
        assertThat(fine.statusCode()).as(fine.body()).isEqualTo(200);
    }

    @Test
    void anEventOverThePerEventLimitIs413NamingTheLimitAndTheIndex() {
        String big = "x".repeat(33 * 1024);
        JsonNode single = refused(post("/v1/track", source.writeKey(),
                "{\"userId\": \"u\", \"event\": \"e\", \"properties\": {\"marker\": \"" + run + "\", \"blob\": \"" + big + "\"}}"),
                413, "payload_too_large");
        assertThat(single.path("detail").asText()).contains("32 KB per event limit (atrium.collector.max-event-size)");

        String batch = """
                {"batch": [
                  {"type": "track", "userId": "u", "event": "small", "properties": {"marker": "%s"}},
                  {"type": "track", "userId": "u", "event": "big", "properties": {"marker": "%s", "blob": "%s"}}
                ]}""".formatted(run, run, big);
        JsonNode inBatch = refused(post("/v1/batch", source.writeKey(), batch), 413, "payload_too_large");
        assertThat(inBatch.path("detail").asText())
                .contains("batch[1] (index 1)", "32 KB per event limit (atrium.collector.max-event-size)", "nothing was stored");
    }

    @Test
    void aRequestOverThePerRequestLimitIs413EvenWhenGzipped() {
        StringBuilder events = new StringBuilder();
        String blob = "y".repeat(20 * 1024);
        for (int i = 0; i < 30; i++) {
            events.append(i == 0 ? "" : ",").append("{\"type\": \"track\", \"userId\": \"u\", \"event\": \"e\", \"properties\": {\"marker\": \"")
                    .append(run).append("\", \"blob\": \"").append(blob).append("\"}}");
        }
        String batch = "{\"batch\": [" + events + "]}";
        JsonNode plain = refused(post("/v1/batch", source.writeKey(), batch), 413, "payload_too_large");
        assertThat(plain.path("detail").asText()).contains("500 KB per request limit (atrium.collector.max-request-size)");

        byte[] zipped = gzip(batch);
        assertThat(zipped.length).isLessThan(50 * 1024);
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/v1/batch"))
                .header("Authorization", basic(source.writeKey())).header("Content-Encoding", "gzip")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(zipped)).build());
        JsonNode decompressed = refused(answer, 413, "payload_too_large");
        assertThat(decompressed.path("detail").asText()).contains("decompressed", "atrium.collector.max-request-size");
    }

    @Test
    void aBodyThatSaysGzipButIsNotIs400() {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/v1/track"))
                .header("Authorization", basic(source.writeKey())).header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"u\", \"event\": \"e\", \"properties\": {\"marker\": \""
                        + run + "\"}}")).build());
        JsonNode json = refused(answer, 400, "malformed_body");
        assertThat(json.path("detail").asText()).contains("gzip");
    }
}
