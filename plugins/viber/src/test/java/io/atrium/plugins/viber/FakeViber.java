package io.atrium.plugins.viber;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A local stand-in for {@code https://chatapi.viber.com/pa}, speaking the documented REST Bot API:
 * every call is a POST with header {@code X-Viber-Auth-Token}, answered HTTP 200 with a JSON
 * {@code status}; a wrong token gets status 2. {@code set_webhook} does what Viber does before it
 * answers: it posts a signed {@code webhook} event to the URL and answers status 0 only if that got
 * HTTP 200. Loopback only.
 */
final class FakeViber implements AutoCloseable {

    static final String TOKEN = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f";
    static final String CHECK = "viber-webhook-check";

    final WireMockServer server;
    /** The HTTP status each webhook check of set_webhook got, in order. */
    final List<Integer> webhookChecks = new CopyOnWriteArrayList<>();

    FakeViber() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().extensions(new WebhookCheck()));
        server.start();
        reset();
    }

    /** The stubs of a healthy bot: set_webhook with its check, and a wrong token answered status 2. */
    void reset() {
        server.resetAll();
        webhookChecks.clear();
        // Any call without the right token: what Viber answers.
        server.stubFor(post(urlEqualTo("/pa/set_webhook")).atPriority(9)
                .willReturn(okJson("{\"status\":2,\"status_message\":\"invalidAuthToken\"}")));
        server.stubFor(post(urlEqualTo("/pa/send_message")).atPriority(9)
                .willReturn(okJson("{\"status\":2,\"status_message\":\"invalidAuthToken\"}")));
        server.stubFor(post(urlEqualTo("/pa/set_webhook")).atPriority(5)
                .withHeader(ViberClient.AUTH_HEADER, equalTo(TOKEN))
                .willReturn(aResponse().withTransformers(CHECK)));
    }

    /** {@code {api-url}} for the plugin's configuration. */
    String apiUrl() {
        return "http://127.0.0.1:" + server.port() + "/pa";
    }

    /** Answers send_message (with the right token) with {@code json}. */
    void sendMessageAnswers(ResponseDefinitionBuilder answer) {
        server.stubFor(post(urlEqualTo("/pa/send_message")).atPriority(5)
                .withHeader(ViberClient.AUTH_HEADER, equalTo(TOKEN))
                .willReturn(answer));
    }

    /** The hex HMAC-SHA256 of {@code body} keyed by {@code key}, computed here rather than by the plugin. */
    static String sign(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs a callback to {@code url} the way Viber does; {@code signature} null sends no signature header. */
    static HttpResponse<String> callback(String url, String json, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (signature != null) {
            b.header("X-Viber-Content-Signature", signature);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A callback signed with the bot's token. */
    static HttpResponse<String> signedCallback(String url, String json) throws Exception {
        return callback(url, json, sign(TOKEN, json.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        server.stop();
    }

    /** set_webhook: Viber checks the URL with a signed "webhook" event and answers 0 only on HTTP 200. */
    final class WebhookCheck implements ResponseDefinitionTransformerV2 {
        private final ObjectMapper json = new ObjectMapper();

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            try {
                JsonNode request = json.readTree(serveEvent.getRequest().getBodyAsString());
                String url = request.path("url").asText("");
                if (url.isEmpty()) {
                    return okJson("{\"status\":4,\"status_message\":\"missingData\"}").build();
                }
                String event = "{\"event\":\"webhook\",\"timestamp\":" + System.currentTimeMillis()
                        + ",\"chat_hostname\":\"SN-CHAT-05_\",\"message_token\":5741311803571721087}";
                int code;
                try {
                    code = signedCallback(url, event).statusCode();
                } catch (Exception unreachable) {
                    code = -1;
                }
                webhookChecks.add(code);
                if (code != 200) {
                    return okJson("{\"status\":1,\"status_message\":\"Result[HttpResponse[" + code
                            + "], response: , endpoint: " + url + "]\"}").build();
                }
                return okJson("{\"status\":0,\"status_message\":\"ok\",\"chat_hostname\":\"SN-CHAT-05_\","
                        + "\"event_types\":" + request.path("event_types") + "}").build();
            } catch (Exception e) {
                return okJson("{\"status\":3,\"status_message\":\"badData\"}").build();
            }
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return CHECK;
        }
    }
}
