package io.atrium.plugins.viber;

import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;

/**
 * Calls the Viber REST Bot API ({@code POST {api-url}/<method>} with header
 * {@code X-Viber-Auth-Token}, JSON both ways) with Java's HTTP client. Used by the channel's
 * sender and by the {@code viber:} Camel component alike. Nothing it throws names the token.
 */
final class ViberClient {

    static final String AUTH_HEADER = "X-Viber-Auth-Token";

    /** The callbacks {@code set_webhook} asks for ({@code message} is always sent, it cannot be chosen). */
    static final List<String> EVENT_TYPES =
            List.of("delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started");

    /** One answer of the API: HTTP 200 with a JSON {@code status}. */
    record Reply(int status, String statusMessage, JsonNode body) {
        boolean ok() {
            return status == 0;
        }
    }

    /** The API answered with an HTTP status other than 2xx. */
    static final class HttpStatusException extends IOException {
        private final int httpStatus;

        HttpStatusException(String method, int httpStatus) {
            super("Viber answered " + method + " with HTTP " + httpStatus);
            this.httpStatus = httpStatus;
        }

        int httpStatus() {
            return httpStatus;
        }
    }

    private final ViberSettings settings;
    private final HttpClient http;

    ViberClient(ViberSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                // The JVM's proxy settings (-Dhttps.proxyHost, -Dhttp.nonProxyHosts, ...): a hub often reaches the internet through one.
                .proxy(ProxySelector.getDefault())
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Sends a text message and returns Viber's {@code message_token}, as exact decimal text.
     *
     * @param trackingData echoed back in the person's replies; may be null
     * @throws SendException permanent for the statuses that cannot succeed on a retry, transient for
     *                       rate control, HTTP 5xx/429, I/O errors and timeouts
     */
    String sendText(String receiver, String text, String trackingData) throws SendException {
        if (receiver == null || receiver.isBlank()) {
            throw new SendException(FailureReason.NO_ADDRESS, "no Viber receiver id", true);
        }
        if (text == null || text.isEmpty()) {
            throw new SendException(FailureReason.REJECTED, "the message text is empty; Viber sends no empty text messages", true);
        }
        ObjectNode body = ViberJson.MAPPER.createObjectNode();
        body.put("receiver", receiver);
        body.put("min_api_version", settings.minApiVersion());
        ObjectNode sender = body.putObject("sender");
        sender.put("name", settings.senderName());
        if (settings.senderAvatar() != null) {
            sender.put("avatar", settings.senderAvatar().toString());
        }
        if (trackingData != null) {
            body.put("tracking_data", trackingData);
        }
        body.put("type", "text");
        body.put("text", text);

        Reply reply;
        try {
            reply = call("send_message", body);
        } catch (HttpStatusException e) {
            boolean transientStatus = isTransientHttpStatus(e.httpStatus());
            throw new SendException(transientStatus ? FailureReason.UNAVAILABLE : FailureReason.REJECTED,
                    e.getMessage(), !transientStatus, e);
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw new SendException(FailureReason.UNAVAILABLE, "could not connect to Viber within "
                    + settings.requestTimeout(), false, e);
        } catch (HttpTimeoutException e) {
            // The request went out: Viber may have sent it. Retrying could reach the person twice.
            throw new SendException(FailureReason.OUTCOME_UNKNOWN, "Viber did not answer send_message within "
                    + settings.requestTimeout() + "; not retried, since it may have been sent", true, e);
        } catch (IOException e) {
            throw new SendException(FailureReason.UNAVAILABLE, "calling Viber send_message failed: " + describe(e), false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SendException(FailureReason.UNAVAILABLE, "interrupted while calling Viber send_message", false, e);
        }
        if (!reply.ok()) {
            throw ViberStatus.sendFailure(reply.status(), reply.statusMessage());
        }
        // Accepted even without a token (then no callback can be matched to it, but it was sent).
        return ViberJson.tokenText(reply.body().get("message_token"));
    }

    /** 5xx, 429 and 408: Viber (or a proxy before it) may answer otherwise later. */
    static boolean isTransientHttpStatus(int httpStatus) {
        return httpStatus >= 500 || httpStatus == 429 || httpStatus == 408;
    }

    /** Registers {@code url} as the bot's webhook for {@link #EVENT_TYPES}. */
    Reply setWebhook(String url) throws IOException, InterruptedException {
        ObjectNode body = ViberJson.MAPPER.createObjectNode();
        body.put("url", url);
        EVENT_TYPES.forEach(body.putArray("event_types")::add);
        return call("set_webhook", body);
    }

    /**
     * POSTs {@code payload} to {@code {api-url}/method}.
     *
     * @throws HttpStatusException for an HTTP status other than 2xx
     * @throws IOException         for a transport error, a timeout, or an answer that is not Viber's JSON
     */
    Reply call(String method, ObjectNode payload) throws IOException, InterruptedException {
        URI uri = settings.method(method);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header(AUTH_HEADER, settings.authToken())
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ViberJson.MAPPER.writeValueAsBytes(payload)))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw new HttpStatusException(method, response.statusCode());
        }
        JsonNode json;
        try {
            json = ViberJson.MAPPER.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new IOException("Viber's answer to " + method + " is not JSON (HTTP " + response.statusCode() + ", "
                    + response.body().length + " bytes)");
        }
        if (json == null || !json.isObject() || !json.path("status").isIntegralNumber()) {
            throw new IOException("Viber's answer to " + method + " has no numeric 'status': "
                    + abbreviate(new String(response.body(), StandardCharsets.UTF_8)));
        }
        return new Reply(json.get("status").intValue(), ViberJson.text(json, "status_message"), json);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private String abbreviate(String s) {
        String t = s.replace(settings.authToken(), ConfigSpec.MASK).strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }
}
