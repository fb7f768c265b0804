package io.atrium.plugins.crm;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.ConfigSpec;

/**
 * JSON over HTTP to the CRM with Java's HTTP client: the authentication header, timeouts, and
 * errors turned into {@link ApiException}s that say how far a call got and what the CRM said
 * (HubSpot's error body is {@code {"status":"error","message":...,"category":...}}). Nothing it
 * throws or logs holds a secret.
 */
final class ApiClient {

    /** One 2xx answer: its status, its JSON (null when the body is empty or not JSON) and its text. */
    record Answer(int status, JsonNode json, String text) {
    }

    private final String crmName;
    private final URI apiUrl;
    private final Duration timeout;
    private final String authName;
    private final String authValue;
    private final List<String> secrets;
    private final HttpClient http;

    /**
     * @param authName  the header carrying the credentials, or null for none
     * @param authValue its value
     * @param secrets   texts scrubbed from every message (token, client secret)
     */
    ApiClient(String crmName, URI apiUrl, Duration timeout, String authName, String authValue, List<String> secrets) {
        this.crmName = crmName;
        this.apiUrl = apiUrl;
        this.timeout = timeout;
        this.authName = authName;
        this.authValue = authValue;
        this.secrets = secrets;
        this.http = HttpClient.newBuilder()
                // The JVM's proxy settings (-Dhttps.proxyHost, ...): a hub often reaches the internet through one.
                .proxy(ProxySelector.getDefault())
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The client of HubSpot's API: {@code Authorization: Bearer <access token>}. */
    static ApiClient hubspot(CrmSettings s) {
        return new ApiClient("HubSpot", s.apiUrl(), s.requestTimeout(), "Authorization", "Bearer " + s.accessToken(),
                s.secrets());
    }

    /** The client of the generic mode, authenticated as {@code generic-auth} says. */
    static ApiClient generic(CrmSettings s) {
        CrmSettings.Generic g = s.generic();
        String name = null;
        String value = null;
        switch (g.auth()) {
            case "bearer" -> {
                name = "Authorization";
                value = "Bearer " + s.accessToken();
            }
            case "basic" -> {
                name = "Authorization";
                value = "Basic " + Base64.getEncoder().encodeToString((g.username() + ":" + s.accessToken())
                        .getBytes(StandardCharsets.UTF_8));
            }
            case "header" -> {
                name = g.authHeader();
                value = s.accessToken();
            }
            default -> {
            }
        }
        List<String> secrets = new java.util.ArrayList<>(s.secrets());
        if (value != null && g.auth().equals("basic")) {
            secrets.add(value.substring("Basic ".length()));
        }
        return new ApiClient("the CRM", s.apiUrl(), s.requestTimeout(), name, value, List.copyOf(secrets));
    }

    /** {@code api-url} + {@code path} (which starts with '/'). */
    URI uri(String path) {
        String base = apiUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + path);
    }

    String crmName() {
        return crmName;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Sends one request and returns its 2xx answer.
     *
     * @param body JSON to send, or null for none
     * @throws ApiException for a status other than 2xx ({@link ApiException.Kind#HTTP}), for a call that never
     *                      reached the CRM ({@link ApiException.Kind#NOT_SENT}: connection refused, connect timeout,
     *                      TLS handshake), and for one that went out and got no answer
     *                      ({@link ApiException.Kind#NO_ANSWER}: answer timeout, connection dropped)
     */
    Answer send(String method, URI uri, Object body) throws ApiException {
        String what = method + " " + uri.getRawPath();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (authName != null) {
            b.header(authName, authValue);
        }
        if (body != null) {
            byte[] bytes;
            try {
                bytes = Json.MAPPER.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("could not write the JSON of " + what, e);
            }
            b.header("Content-Type", "application/json; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw new ApiException(ApiException.Kind.NOT_SENT, 0, null, null,
                    "could not connect to " + crmName + " for " + what + " within " + Json.human(timeout), e);
        } catch (HttpTimeoutException e) {
            throw new ApiException(ApiException.Kind.NO_ANSWER, 0, null, null,
                    crmName + " did not answer " + what + " within " + Json.human(timeout), e);
        } catch (ConnectException | SSLHandshakeException | java.nio.channels.UnresolvedAddressException e) {
            throw new ApiException(ApiException.Kind.NOT_SENT, 0, null, null,
                    "could not connect to " + crmName + " for " + what + ": " + describe(e), e);
        } catch (IOException e) {
            // A pooled connection found closed before anything was read back: the JDK's own test for
            // "the request did not get through" (it retries idempotent requests on it).
            boolean expired = e.getClass().getSimpleName().contains("ConnectionExpired");
            throw new ApiException(expired ? ApiException.Kind.NOT_SENT : ApiException.Kind.NO_ANSWER, 0, null, null,
                    (expired ? "the connection to " + crmName + " had closed before " : "the connection to " + crmName
                            + " dropped without an answer to ") + what + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiException.Kind.NOT_SENT, 0, null, null, "interrupted before " + what, e);
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        JsonNode json = null;
        if (!text.isBlank()) {
            try {
                json = Json.MAPPER.readTree(response.body());
            } catch (IOException notJson) {
                json = null;
            }
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            String category = json == null ? null : firstText(json, "category", "errorType", "code");
            String message = json == null ? null : firstText(json, "message", "error", "detail");
            if (message == null && json == null && !text.isBlank()) {
                message = Json.abbreviate(text, 200);
            }
            message = scrub(message);
            throw new ApiException(ApiException.Kind.HTTP, status, category, message,
                    crmName + " answered " + what + " with HTTP " + status
                            + (category == null ? "" : " (" + category + ")") + (message == null ? "" : ": " + message),
                    null);
        }
        return new Answer(status, json, text);
    }

    /** {@code send}, requiring a JSON object back. */
    JsonNode sendForJson(String method, URI uri, Object body) throws ApiException {
        Answer a = send(method, uri, body);
        if (a.json() == null || !a.json().isObject()) {
            throw new ApiException(ApiException.Kind.BAD_ANSWER, a.status(), null, null,
                    crmName + "'s answer to " + method + " " + uri.getRawPath() + " is not a JSON object (HTTP "
                            + a.status() + "): " + scrub(Json.abbreviate(a.text(), 200)), null);
        }
        return a.json();
    }

    /** {@code text} with every secret replaced by the mask. */
    String scrub(String text) {
        if (text == null) {
            return null;
        }
        String t = text;
        for (String s : secrets) {
            t = t.replace(s, ConfigSpec.MASK);
        }
        return t;
    }

    private String describe(Exception e) {
        String m = e.getMessage();
        return scrub(e.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }

    private static String firstText(JsonNode json, String... fields) {
        if (!json.isObject()) {
            return null;
        }
        for (String f : fields) {
            String v = Json.text(json.get(f));
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
