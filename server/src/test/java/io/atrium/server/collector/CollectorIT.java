package io.atrium.server.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

class CollectorIT extends CollectorTestSupport {

    @Test
    void everySingleEventEndpointAndItsShortFormAcceptsItsTypeWithBasicAuth() {
        TestSource source = newSource("server");
        String run = marker();
        Map<String, String> bodies = Map.of(
                "track", "{\"userId\":\"u-1\",\"event\":\"Order Completed\",\"properties\":{\"total\":42.5}",
                "identify", "{\"userId\":\"u-1\",\"traits\":{\"email\":\"ann@example.com\"}",
                "page", "{\"anonymousId\":\"a-1\",\"name\":\"Pricing\",\"category\":\"Docs\",\"properties\":{\"path\":\"/pricing\"}",
                "screen", "{\"userId\":\"u-1\",\"name\":\"Home\"",
                "group", "{\"userId\":\"u-1\",\"groupId\":\"acme\",\"traits\":{\"plan\":\"pro\"}",
                "alias", "{\"userId\":\"u-1\",\"previousId\":\"a-1\"");
        Map<String, String> shortForms = Map.of("track", "t", "identify", "i", "page", "p", "screen", "s", "group", "g", "alias", "a");
        for (var entry : bodies.entrySet()) {
            String type = entry.getKey();
            for (String path : List.of("/v1/" + type, "/v1/" + shortForms.get(type))) {
                String body = entry.getValue() + ",\"messageId\":\"" + run + path + "\"}";
                HttpResponse<String> answer = post(path, source.writeKey(), body);
                assertThat(answer.statusCode()).as(path + " " + answer.body()).isEqualTo(200);
                assertThat(readJson(answer.body()).path("success").asBoolean()).isTrue();
            }
        }

        Map<String, JsonNode> byId = new java.util.HashMap<>();
        queuedWithMessageIdPrefix(run).forEach(e -> byId.put(e.path("messageId").asText().substring(run.length()), e));
        assertThat(byId).hasSize(12);
        for (String type : bodies.keySet()) {
            assertThat(byId.get("/v1/" + type).path("type").asText()).isEqualTo(type);
            assertThat(byId.get("/v1/" + shortForms.get(type)).path("type").asText()).isEqualTo(type);
        }
        assertThat(byId.values()).allSatisfy(e -> {
            assertThat(e.path("source").asText()).isEqualTo(source.id());
            assertThat(e.path("receivedAt").isNull()).isFalse();
            assertThat(e.path("timestamp").asText()).isEqualTo(e.path("receivedAt").asText());
        });
        JsonNode track = byId.get("/v1/track");
        assertThat(track.path("event").asText()).isEqualTo("Order Completed");
        assertThat(track.path("properties").path("total").asDouble()).isEqualTo(42.5);
        assertThat(byId.get("/v1/i").path("traits").path("email").asText()).isEqualTo("ann@example.com");
        JsonNode page = byId.get("/v1/page");
        assertThat(page.path("name").asText()).isEqualTo("Pricing");
        assertThat(page.path("anonymousId").asText()).isEqualTo("a-1");
        assertThat(page.path("properties").path("category").asText()).isEqualTo("Docs");
        assertThat(byId.get("/v1/s").path("name").asText()).isEqualTo("Home");
        assertThat(byId.get("/v1/group").path("groupId").asText()).isEqualTo("acme");
        assertThat(byId.get("/v1/group").path("traits").path("plan").asText()).isEqualTo("pro");
        assertThat(byId.get("/v1/alias").path("previousId").asText()).isEqualTo("a-1");
    }

    @Test
    void aGzippedTextPlainBrowserBatchWithTheKeyInTheBodyArrivesAsOneMessageWithSkewCorrected() {
        TestSource source = newSource("browser");
        String run = marker();
        // The sender's clock is one hour ahead: it stamped the click 5 s before it sent the batch.
        Instant senderNow = Instant.now().plus(Duration.ofHours(1));
        String batch = """
                {"writeKey": "%s", "sentAt": "%s",
                 "context": {"library": {"name": "analytics.js", "version": "5.0.0"}, "locale": "uk-UA"},
                 "batch": [
                   {"type": "page", "anonymousId": "anon-7", "name": "Home", "messageId": "%s-0",
                    "timestamp": "%s", "context": {"page": {"path": "/"}, "library": {"version": "5.1.0"}}},
                   {"type": "track", "anonymousId": "anon-7", "event": "Added To Cart", "messageId": "%s-1",
                    "properties": {"sku": "A-1"}},
                   {"type": "identify", "userId": "user-7", "anonymousId": "anon-7", "messageId": "%s-2",
                    "traits": {"email": "ann@example.com"}, "originalTimestamp": "%s"}
                 ]}
                """.formatted(source.writeKey(), senderNow, run, senderNow.minusSeconds(5), run, run, senderNow.minusSeconds(5));
        Instant before = Instant.now();
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/v1/b"))
                .header("Content-Type", "text/plain;charset=UTF-8").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(batch))).build());
        Instant after = Instant.now();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(readJson(answer.body()).path("success").asBoolean()).isTrue();

        List<JsonNode> events = queuedWithMessageIdPrefix(run);
        assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("page", "track", "identify");
        JsonNode page = events.get(0);
        // The envelope's context is under each event's own: the event's values win, the rest is kept.
        assertThat(page.path("context").path("library").path("name").asText()).isEqualTo("analytics.js");
        assertThat(page.path("context").path("library").path("version").asText()).isEqualTo("5.1.0");
        assertThat(page.path("context").path("locale").asText()).isEqualTo("uk-UA");
        assertThat(page.path("context").path("page").path("path").asText()).isEqualTo("/");
        assertThat(events.get(1).path("context").path("library").path("version").asText()).isEqualTo("5.0.0");
        // timestamp = receivedAt - (sentAt - timestamp): 5 s before the hub received it, not an hour ahead.
        for (JsonNode e : List.of(page, events.get(2))) {
            Instant receivedAt = Instant.parse(e.path("receivedAt").asText());
            assertThat(receivedAt).isBetween(before.minusMillis(1), after.plusMillis(1));
            assertThat(Instant.parse(e.path("timestamp").asText())).isEqualTo(receivedAt.minusSeconds(5));
            assertThat(Instant.parse(e.path("originalTimestamp").asText())).isEqualTo(senderNow.minusSeconds(5));
            assertThat(Instant.parse(e.path("sentAt").asText())).isEqualTo(senderNow);
        }
        assertThat(events.get(1).path("timestamp").asText()).isEqualTo(events.get(1).path("receivedAt").asText());
        assertThat(events).allSatisfy(e -> assertThat(e.path("source").asText()).isEqualTo(source.id()));
        assertThat(answer.body()).doesNotContain(source.writeKey());
        assertThat(events.toString()).doesNotContain(source.writeKey());
    }

    @Test
    void aRudderStackNodeBatchGzippedAndLabelledAsAFormIsRead() {
        TestSource source = newSource("rudder");
        String run = marker();
        String batch = """
                {"batch": [{"type": "track", "event": "Signed Up", "userId": "r-1", "channel": "server",
                            "messageId": "%s", "originalTimestamp": "2026-01-02T03:04:05.678Z",
                            "properties": {"plan": "free"}}],
                 "sentAt": "2026-01-02T03:04:06.678Z"}
                """.formatted(run);
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/v1/batch"))
                .header("Authorization", basic(source.writeKey())).header("Content-Encoding", "gzip")
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Retry-Count", "0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(batch))).build());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

        JsonNode event = queuedWithMessageIdPrefix(run).get(0);
        assertThat(event.path("event").asText()).isEqualTo("Signed Up");
        assertThat(event.path("context").path("channel").asText()).isEqualTo("server");
        assertThat(Instant.parse(event.path("originalTimestamp").asText())).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));
        assertThat(Instant.parse(event.path("timestamp").asText()))
                .isEqualTo(Instant.parse(event.path("receivedAt").asText()).minusSeconds(1));
    }

    @Test
    void theWriteKeyMayComeAsBasicUserOrInTheBodyAndAWrongOneIs401() {
        TestSource source = newSource("keys");
        String run = marker();
        String body = "{\"userId\":\"k-1\",\"event\":\"Tested\",\"messageId\":\"" + run + "-%s\"%s}";

        assertThat(post("/v1/track", source.writeKey(), body.formatted("basic", "")).statusCode()).isEqualTo(200);
        assertThat(postNoAuth("/v1/track", "application/json",
                body.formatted("body", ",\"writeKey\":\"" + source.writeKey() + "\"")).statusCode()).isEqualTo(200);

        HttpResponse<String> none = postNoAuth("/v1/track", "application/json", body.formatted("none", ""));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(readJson(none.body()).path("error").asText()).isEqualTo("unauthorized");
        assertThat(readJson(none.body()).path("detail").asText()).contains("writeKey", "Basic");

        HttpResponse<String> wrong = post("/v1/track", "not-a-key-of-ours", body.formatted("wrong", ""));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(readJson(wrong.body()).path("error").asText()).isEqualTo("unauthorized");
        HttpResponse<String> wrongInBody = postNoAuth("/v1/track", "application/json",
                body.formatted("wrong-body", ",\"writeKey\":\"not-a-key-of-ours\""));
        assertThat(wrongInBody.statusCode()).isEqualTo(401);

        assertThat(queuedWithMessageIdPrefix(run)).extracting(e -> e.path("messageId").asText())
                .containsExactlyInAnyOrder(run + "-basic", run + "-body");
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnce() {
        TestSource source = newSource("revoked");
        String run = marker();
        assertThat(post("/v1/identify", source.writeKey(), "{\"userId\":\"x\",\"messageId\":\"" + run + "-1\"}").statusCode())
                .isEqualTo(200);

        assertThat(adminDelete("/api/v1/sources/" + source.id()).statusCode()).isEqualTo(204);

        HttpResponse<String> refused = post("/v1/identify", source.writeKey(), "{\"userId\":\"x\",\"messageId\":\"" + run + "-2\"}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(readJson(refused.body()).path("detail").asText()).contains("revoked");
        assertThat(queuedWithMessageIdPrefix(run)).extracting(e -> e.path("messageId").asText()).containsExactly(run + "-1");
    }

    @Test
    void anEventWithoutAMessageIdGetsAGeneratedOneAndTheSendersIsKept() {
        TestSource source = newSource("ids");
        String run = marker();
        String batch = """
                {"batch": [
                  {"type": "track", "userId": "i-1", "event": "One", "properties": {"marker": "%s"}},
                  {"type": "track", "userId": "i-1", "event": "Two", "properties": {"marker": "%s"}},
                  {"type": "track", "userId": "i-1", "event": "Three", "messageId": "%s-kept", "properties": {"marker": "%s"}}
                ]}""".formatted(run, run, run, run);
        assertThat(post("/v1/import/", source.writeKey(), batch).statusCode()).isEqualTo(200);

        List<JsonNode> events = queuedWithMarker(run);
        assertThat(events).hasSize(3);
        assertThat(events.get(0).path("messageId").asText()).matches("[0-9a-f-]{36}");
        assertThat(events.get(1).path("messageId").asText()).matches("[0-9a-f-]{36}")
                .isNotEqualTo(events.get(0).path("messageId").asText());
        assertThat(events.get(2).path("messageId").asText()).isEqualTo(run + "-kept");
    }

    @Test
    void theCollectorCountsAcceptedAndRejectedEventsAndTimesRequestsByEndpoint() {
        TestSource source = newSource("metrics");
        assertThat(post("/v1/track", source.writeKey(), "{\"userId\":\"m\",\"event\":\"Measured\"}").statusCode()).isEqualTo(200);
        assertThat(post("/v1/track", source.writeKey(), "{\"event\":\"Measured\"}").statusCode()).isEqualTo(400);

        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics)
                .containsPattern("atrium_collector_events_total\\{[^}]*endpoint=\"track\"[^}]*result=\"accepted\"")
                .containsPattern("atrium_collector_events_total\\{[^}]*endpoint=\"track\"[^}]*reason=\"invalid\"[^}]*result=\"rejected\"")
                .containsPattern("atrium_collector_requests_seconds_count\\{[^}]*endpoint=\"track\"[^}]*status=\"200\"")
                .containsPattern("atrium_collector_requests_seconds_count\\{[^}]*endpoint=\"track\"[^}]*status=\"400\"");
    }
}
