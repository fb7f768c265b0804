package io.atrium.plugins.crm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * A local stand-in for {@code https://api.hubapi.com} that speaks the documented CRM v3 shapes:
 * objects {@code {id, properties, createdAt, updatedAt, archived}}, search answers
 * {@code {total, results, paging: {next: {after}}}}, errors {@code {status: "error", message,
 * correlationId, category}}, and 401 INVALID_AUTHENTICATION for any call without the right bearer
 * token. Loopback only. Also signs webhooks the way HubSpot does (v3), with its own HMAC code.
 */
final class FakeHubSpot implements AutoCloseable {

    static final String TOKEN = "pat-eu1-11111111-2222-3333-4444-555555555555";
    static final String CLIENT_SECRET = "a1b2c3d4-e5f6-4711-8899-aabbccddeeff";
    static final ObjectMapper MAPPER = new ObjectMapper();

    final WireMockServer server;

    FakeHubSpot() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        reset();
    }

    /** The stubs every test starts with: 401 without the token, and the start's access check. */
    void reset() {
        server.resetAll();
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(error(401, "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
                        + "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")));
        server.stubFor(any(anyUrl()).atPriority(9).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(error(404, "OBJECT_NOT_FOUND", "resource not found")));
        server.stubFor(get(urlEqualTo("/crm/v3/objects/contacts?limit=1&archived=false")).atPriority(5)
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(okJson("{\"results\":[],\"paging\":{\"next\":{\"after\":\"1\"}}}")));
    }

    String apiUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** HubSpot's error body. */
    static ResponseDefinitionBuilder error(int status, String category, String message) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("status", "error");
        n.put("message", message);
        n.put("correlationId", "aeb5f871-7f07-4993-9211-075dc63e7cbf");
        n.put("category", category);
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json;charset=utf-8")
                .withBody(n.toString());
    }

    /** The 429 HubSpot answers when a limit is reached. */
    static ResponseDefinitionBuilder rateLimited() {
        return aResponse().withStatus(429).withHeader("Content-Type", "application/json;charset=utf-8")
                .withBody("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\","
                        + "\"errorType\":\"RATE_LIMIT\",\"correlationId\":\"c0ffee00-0000-4000-8000-000000000000\","
                        + "\"policyName\":\"SECONDLY\"}");
    }

    /** A CRM object as HubSpot returns it. */
    static ObjectNode object(String id, String created, String modified, Map<String, String> properties) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", id);
        ObjectNode p = o.putObject("properties");
        properties.forEach(p::put);
        p.put("hs_object_id", id);
        o.put("createdAt", created);
        o.put("updatedAt", modified);
        o.put("archived", false);
        return o;
    }

    static ObjectNode contact(String id, String email, String first, String last, String modified) {
        java.util.LinkedHashMap<String, String> p = new java.util.LinkedHashMap<>();
        p.put("email", email);
        p.put("firstname", first);
        p.put("lastname", last);
        p.put("createdate", "2025-01-02T00:00:00.000Z");
        p.put("lastmodifieddate", modified);
        return object(id, "2025-01-02T00:00:00.000Z", modified, p);
    }

    static ObjectNode deal(String id, String stage, String amount, String created, String modified) {
        java.util.LinkedHashMap<String, String> p = new java.util.LinkedHashMap<>();
        p.put("dealname", "Deal " + id);
        p.put("amount", amount);
        p.put("dealstage", stage);
        p.put("pipeline", "default");
        p.put("createdate", created);
        p.put("hs_lastmodifieddate", modified);
        return object(id, created, modified, p);
    }

    /** A search answer: {@code {total, results, paging?}}. */
    static String searchAnswer(String nextAfter, JsonNode... results) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("total", results.length);
        ArrayNode r = n.putArray("results");
        for (JsonNode o : results) {
            r.add(o);
        }
        if (nextAfter != null) {
            n.putObject("paging").putObject("next").put("after", nextAfter)
                    .put("link", "?after=" + nextAfter);
        }
        return n.toString();
    }

    /** A batch read answer: {@code {status: COMPLETE, results, startedAt, completedAt}}. */
    static String batchAnswer(JsonNode... results) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("status", "COMPLETE");
        ArrayNode r = n.putArray("results");
        for (JsonNode o : results) {
            r.add(o);
        }
        n.put("startedAt", "2025-02-01T10:00:00.000Z");
        n.put("completedAt", "2025-02-01T10:00:00.050Z");
        return n.toString();
    }

    /** A v4 associations batch read answer: each from id to contact ids. */
    static String associationsAnswer(Map<String, List<Long>> fromTo) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("status", "COMPLETE");
        ArrayNode r = n.putArray("results");
        fromTo.forEach((from, tos) -> {
            ObjectNode e = r.addObject();
            e.putObject("from").put("id", from);
            ArrayNode to = e.putArray("to");
            for (Long t : tos) {
                ObjectNode x = to.addObject();
                x.put("toObjectId", t);
                x.putArray("associationTypes").addObject().put("category", "HUBSPOT_DEFINED").put("typeId", 3)
                        .putNull("label");
            }
        });
        n.put("startedAt", "2025-02-01T10:00:00.000Z");
        n.put("completedAt", "2025-02-01T10:00:00.050Z");
        return n.toString();
    }

    /** The JSON body of a recorded request. */
    static JsonNode body(LoggedRequest r) {
        try {
            return MAPPER.readTree(r.getBodyAsString());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.getBodyAsString(), e);
        }
    }

    List<JsonNode> bodies(String method, String path) {
        List<JsonNode> out = new ArrayList<>();
        for (var e : server.getAllServeEvents()) {
            if (e.getRequest().getMethod().getName().equals(method) && e.getRequest().getUrl().equals(path)) {
                out.add(0, body(e.getRequest()));
            }
        }
        return out;
    }

    /** HubSpot's v3 signature, computed here independently of the plugin. */
    static String sign(String secret, String method, String uri, String body, String timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(
                    mac.doFinal((method + uri + body + timestamp).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs {@code body} to {@code url} as HubSpot would, signed with {@code secret} at {@code timestampMs}. */
    static HttpResponse<String> postWebhook(String url, String body, String secret, long timestampMs) throws Exception {
        String ts = Long.toString(timestampMs);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .header("X-HubSpot-Signature-v3", sign(secret, "POST", url, body, ts))
                        .header("X-HubSpot-Request-Timestamp", ts)
                        .header("X-HubSpot-Signature-Version", "v3")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop();
    }
}
