package io.atrium.server.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/** What browser SDKs ask before they send: their settings, and CORS preflights. */
class BrowserSdkIT extends CollectorTestSupport {

    @Test
    void segmentAnalyticsNextGetsSettingsPointingAtThisHubWithItsWriteKey() {
        TestSource source = newSource("next");
        HttpResponse<String> settings = get("/v1/projects/" + source.writeKey() + "/settings");
        assertThat(settings.statusCode()).isEqualTo(200);
        JsonNode segmentIo = readJson(settings.body()).path("integrations").path("Segment.io");
        assertThat(segmentIo.path("apiKey").asText()).isEqualTo(source.writeKey());
        assertThat(segmentIo.path("apiHost").asText()).isEqualTo("127.0.0.1:" + port + "/v1");
        assertThat(segmentIo.path("protocol").asText()).isEqualTo("http");
        assertThat(readJson(settings.body()).path("plan").path("track").path("__default").path("enabled").asBoolean()).isTrue();

        HttpResponse<String> unknown = get("/v1/projects/no-such-key/settings");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(readJson(unknown.body()).path("error").asText()).isEqualTo("unauthorized");
    }

    @Test
    void rudderStackAnalyticsJsGetsItsSourceConfig() {
        TestSource source = newSource("rudder-js");
        HttpResponse<String> config = get("/sourceConfig/?p=npm&v=3.0.0&build=modern&writeKey=" + source.writeKey());
        assertThat(config.statusCode()).isEqualTo(200);
        JsonNode s = readJson(config.body()).path("source");
        assertThat(s.path("id").asText()).isEqualTo(source.id());
        assertThat(s.path("name").asText()).isEqualTo(source.name());
        assertThat(s.path("writeKey").asText()).isEqualTo(source.writeKey());
        assertThat(s.path("enabled").asBoolean()).isTrue();
        assertThat(s.path("workspaceId").isTextual()).isTrue();
        assertThat(s.path("config").isObject()).isTrue();
        assertThat(s.path("destinations").isArray()).isTrue();

        HttpResponse<String> byBasic = send(HttpRequest.newBuilder(uri("/sourceConfig/")).header("Authorization", basic(source.writeKey()))
                .GET().build());
        assertThat(byBasic.statusCode()).isEqualTo(200);
        assertThat(get("/sourceConfig/?writeKey=nope").statusCode()).isEqualTo(401);
    }

    @Test
    void preflightsFromAnyOriginAreAllowedWithTheHeadersSdksSend() {
        for (String path : new String[] {"/v1/batch", "/v1/t", "/v1/track", "/sourceConfig/"}) {
            HttpResponse<String> preflight = send(HttpRequest.newBuilder(uri(path))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://shop.example.com")
                    .header("Access-Control-Request-Method", path.startsWith("/v1") ? "POST" : "GET")
                    .header("Access-Control-Request-Headers", "authorization, anonymousid, sentat, content-type, content-encoding")
                    .build());
            assertThat(preflight.statusCode()).as(path).isEqualTo(200);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue("https://shop.example.com");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                    .as(path).contains("authorization", "anonymousid", "sentat", "content-type", "content-encoding");
        }
        TestSource source = newSource("cors");
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/v1/t")).header("Origin", "https://shop.example.com")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"" + source.writeKey()
                        + "\",\"anonymousId\":\"a\",\"event\":\"Viewed\"}")).build());
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://shop.example.com");
    }
}
