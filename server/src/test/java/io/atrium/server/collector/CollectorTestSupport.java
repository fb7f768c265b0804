package io.atrium.server.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.broker.BrokerStatus;
import io.atrium.server.support.EventsQueueCopy;
import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.core.JmsTemplate;

/** Helpers for the collector's tests: sources through the admin API, posts as SDKs send them, and what reached the events queue. */
abstract class CollectorTestSupport extends HubTestSupport {

    @Autowired
    protected JmsTemplate jms;

    @Autowired
    protected BrokerStatus broker;

    @BeforeEach
    void copyTheEventsQueue() {
        EventsQueueCopy.ensure(broker);
    }

    /** A source made through the admin API, as an admin would. */
    protected record TestSource(String id, String name, String writeKey) {
    }

    protected TestSource newSource(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = adminPost("/api/v1/sources", "{\"name\":\"" + name + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode json = readJson(created.body());
        return new TestSource(json.path("id").asText(), name, json.path("writeKey").asText());
    }

    protected HttpResponse<String> adminPost(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    protected HttpResponse<String> adminDelete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).DELETE().build());
    }

    protected static String basic(String writeKey) {
        return "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    /** POST of a JSON body with HTTP Basic auth, as the Segment server SDKs send it. */
    protected HttpResponse<String> post(String path, String writeKey, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", basic(writeKey))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** POST with no Authorization header (the key, if any, is in the body). */
    protected HttpResponse<String> postNoAuth(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    protected static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Every event sent to the events queue since this test class started (read from a copy: the profile stage consumes the queue). */
    protected List<JsonNode> queuedEvents() {
        List<JsonNode> events = new ArrayList<>();
        for (String body : EventsQueueCopy.bodies(jms)) {
            try {
                json.readTree(body).forEach(events::add);
            } catch (IOException e) {
                // another test's deliberately broken message (the profile stage's poison-message test)
            }
        }
        return events;
    }

    /** The queued events whose messageId starts with {@code prefix}, in queue order. */
    protected List<JsonNode> queuedWithMessageIdPrefix(String prefix) {
        return queuedEvents().stream().filter(e -> e.path("messageId").asText().startsWith(prefix)).toList();
    }

    /** The queued events that carry {@code marker} as their {@code properties.marker} or {@code traits.marker}. */
    protected List<JsonNode> queuedWithMarker(String marker) {
        return queuedEvents().stream().filter(e -> marker.equals(e.path("properties").path("marker").asText())
                || marker.equals(e.path("traits").path("marker").asText())).toList();
    }

    protected static String marker() {
        return "m-" + UUID.randomUUID();
    }
}
