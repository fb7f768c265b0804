package io.atrium.server.profile;

import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.HubTestSupport;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Feeds events through the real intake and reads profiles back through the API. */
abstract class ProfileTestSupport extends HubTestSupport {

    @Autowired
    protected EventIntake intake;

    @Autowired
    protected JdbcTemplate jdbc;

    /** A suffix that keeps a test's identities and message ids apart from every other test's. */
    protected static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Submits the events as one batch and waits until the profile stage has stored them. */
    protected void submitAndWait(Event... events) {
        intake.submit(List.of(events));
        awaitStored(List.of(events).stream().map(Event::messageId).toList());
    }

    protected void awaitStored(Collection<String> messageIds) {
        String[] ids = messageIds.toArray(String[]::new);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id = ANY(?)", Long.class, (Object) ids) == ids.length);
    }

    protected static String path(String type, String value) {
        return "/api/v1/profiles/" + type + "/" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    protected JsonNode profile(String type, String value) {
        HttpResponse<String> r = adminGet(path(type, value));
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path(type, value) + " answered " + r.statusCode() + ": " + r.body());
        }
        return readJson(r.body());
    }

    protected HttpResponse<String> adminSend(String method, String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }
}
