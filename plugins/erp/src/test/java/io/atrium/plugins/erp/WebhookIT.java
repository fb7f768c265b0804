package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook through the test kit's real platform-http server on loopback, with Java's HTTP client. */
class WebhookIT {

    static final String TOKEN = "erp-hook-0123456789abcdef";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Running running;

    static Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("sources", "webhook");
        c.put("webhook.token", TOKEN);
        c.put("mapping.event", List.of("order_created when status = new", "skip when status = draft", "order_status_changed"));
        c.put("mapping.identities.erp_id", "customer.id?");
        c.put("mapping.identities.email", "customer.email?");
        c.put("mapping.properties", List.of("order_id", "status", "total:number"));
        c.put("mapping.timestamp", "updated_at");
        c.put("mapping.message-id", List.of("order_id", "updated_at"));
        return c;
    }

    @BeforeEach
    void start() throws Exception {
        running = Running.start(config());
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
    }

    HttpResponse<String> post(String pathAndQuery, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(running.ctx.httpUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postAuthorized(String body) throws Exception {
        return post("/hooks/erp", body, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JsonRecords.MAPPER.readTree(r.body());
    }

    static String order(String id, String status, String customer) {
        return "{\"order_id\":\"" + id + "\",\"status\":\"" + status + "\",\"total\":12.5,"
                + "\"updated_at\":\"2026-03-01T10:00:00Z\",\"customer\":{\"id\":" + customer + ",\"email\":\"ann@example.com\"}}";
    }

    @Test
    void oneRecordIsAcceptedWith202OnceItsEventIsSubmitted() throws Exception {
        HttpResponse<String> r = postAuthorized(order("1001", "new", "\"C-7\""));
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("accepted").asInt()).isEqualTo(1);
        List<Event> events = running.ctx.submittedEvents();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("order_created");
            assertThat(e.identities()).containsEntry("erp_id", "C-7").containsEntry("email", "ann@example.com");
            assertThat(e.messageId()).isEqualTo("erp:order_created:1001:2026-03-01T10%3A00%3A00Z");
            assertThat(e.context()).containsEntry("erp", Map.of("source", "webhook", "position", "webhook record [0]"));
        });
        assertThat(r.headers().map().toString()).doesNotContain(TOKEN);
    }

    @Test
    void anArrayIsAcceptedWholeAndSkipRulesAreCounted() throws Exception {
        HttpResponse<String> r = postAuthorized("[" + order("1", "new", "1") + "," + order("2", "draft", "2") + ","
                + order("3", "ready", "3") + "]");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("accepted").asInt()).isEqualTo(2);
        assertThat(json(r).get("skipped").asInt()).isEqualTo(1);
        assertThat(running.ctx.submittedEvents()).extracting(Event::event).containsExactly("order_created", "order_status_changed");
    }

    @Test
    void theTokenMayComeAsBearerAsHeaderOrAsQueryAndAnythingElseIs401() throws Exception {
        String body = order("1", "new", "1");
        assertThat(post("/hooks/erp", body, WebhookRoute.TOKEN_HEADER, TOKEN).statusCode()).isEqualTo(202);
        assertThat(post("/hooks/erp?token=" + TOKEN, body).statusCode()).isEqualTo(202);
        HttpResponse<String> none = post("/hooks/erp", body);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"atrium-erp\"");
        assertThat(post("/hooks/erp", body, "Authorization", "Bearer " + TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(post("/hooks/erp?token=nope", body).statusCode()).isEqualTo(401);
        assertThat(running.ctx.submittedEvents()).hasSize(2);
    }

    @Test
    void badInputIs400NamingTheRecordAndTheFieldAndNothingIsStored() throws Exception {
        HttpResponse<String> r = postAuthorized("[" + order("1", "new", "1") + ","
                + "{\"order_id\":\"2\",\"status\":\"new\",\"total\":\"lots\",\"updated_at\":\"2026-03-01T10:00:00Z\","
                + "\"customer\":{\"id\":\"C-2\"}}]");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode detail = json(r).get("detail");
        assertThat(json(r).get("error").asText()).isEqualTo("bad_request");
        assertThat(detail.get("record").asInt()).isEqualTo(1);
        assertThat(detail.get("field").asText()).isEqualTo("total");
        assertThat(detail.get("message").asText()).isEqualTo("'lots' is not a number");

        HttpResponse<String> nobody = postAuthorized("{\"order_id\":\"3\",\"status\":\"new\",\"total\":1,"
                + "\"updated_at\":\"2026-03-01T10:00:00Z\",\"customer\":{\"id\":null}}");
        assertThat(nobody.statusCode()).isEqualTo(400);
        assertThat(json(nobody).get("detail").get("field").asText()).isEqualTo("customer.id, customer.email");

        HttpResponse<String> notJson = postAuthorized("{\"order_id\": ");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).get("detail").get("field").asText()).isEqualTo("(body)");
        assertThat(json(notJson).get("detail").get("message").asText()).startsWith("is not JSON");

        assertThat(postAuthorized("\"just text\"").statusCode()).isEqualTo(400);
        assertThat(postAuthorized("").statusCode()).isEqualTo(400);
        assertThat(running.ctx.submittedEvents()).isEmpty();
    }

    @Test
    void aHubThatRefusesForNowIs503AndTheSameBodyLaterIsStoredOnce() throws Exception {
        running.ctx.failEvents(new EventRejectedException("the broker is down", true, null));
        String body = "[" + order("1", "new", "1") + "," + order("2", "ready", "2") + "]";
        HttpResponse<String> r = postAuthorized(body);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(running.ctx.submittedEvents()).isEmpty();

        running.ctx.failEvents(null);
        assertThat(postAuthorized(body).statusCode()).isEqualTo(202);
        assertThat(running.ctx.submittedEvents()).hasSize(2);
    }

    @Test
    void eventsTheHubRefusesForGoodAre400() throws Exception {
        running.ctx.failEvents(new EventRejectedException("[0].identities.erp_id: must be at most 512 characters", false, null));
        HttpResponse<String> r = postAuthorized(order("1", "new", "1"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").get("message").asText()).contains("must be at most 512 characters");
    }

    @Test
    void onlyPostIsServed() throws Exception {
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(running.ctx.httpUrl() + "/hooks/erp?token=" + TOKEN))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    void recordsMayBeWrappedInAField() throws Exception {
        running.close();
        Map<String, Object> c = config();
        c.put("webhook.records-field", "data.items");
        c.put("webhook.path", "/hooks/erp/orders");
        running = Running.start(c);
        HttpResponse<String> r = post("/hooks/erp/orders", "{\"event\":\"orders\",\"data\":{\"items\":[" + order("1", "new", "1")
                + "]}}", "Authorization", "Bearer " + TOKEN);
        assertThat(r.statusCode()).isEqualTo(202);
        HttpResponse<String> missing = post("/hooks/erp/orders", "{\"data\":{}}", "Authorization", "Bearer " + TOKEN);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).get("detail").get("field").asText()).isEqualTo("data.items");
        assertThat(running.ctx.submittedEvents()).hasSize(1);
    }
}
