package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bounce-mode webhook: a SendGrid-style event webhook on the hub's HTTP server. */
class EventWebhookIT {

    static final String TOKEN = "wh-0123456789abcdef-token";

    private final HttpClient http = HttpClient.newHttpClient();
    private TestConnectorContext ctx;

    @BeforeEach
    void start() throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("smtp-host", "127.0.0.1");
        c.put("from", "news@atrium.test");
        c.put("bounce-mode", "webhook");
        c.put("webhook-token", TOKEN);
        ctx = TestConnectorContext.forPlugin("email", c);
        ctx.start(new EmailConnector());
    }

    @AfterEach
    void stop() throws Exception {
        ctx.close();
    }

    private HttpResponse<String> post(String query, String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ctx.httpUrl() + EventWebhookRoute.PATH + query))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSendGridBatchWithTheTokenInTheQueryBecomesStatusesAndOptOuts() throws Exception {
        HttpResponse<String> r = post("?token=" + TOKEN, null, ProviderEventsTest.SENDGRID_BATCH);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"statuses\":7,\"optOuts\":2,\"ignored\":4}");
        assertThat(r.headers().firstValue("token")).isEmpty();
        assertThat(ctx.statuses("email")).extracting(s -> s.status()).containsExactly(
                MessageStatus.DELIVERED, MessageStatus.OPENED, MessageStatus.CLICKED, MessageStatus.BOUNCED,
                MessageStatus.BOUNCED, MessageStatus.FAILED, MessageStatus.UNSUBSCRIBED);
        assertThat(ctx.statuses("email").get(2).attributes()).containsEntry("url", "https://shop.example.com/cart");
        assertThat(ctx.optOuts("email")).containsExactly("eve@example.org", "max@example.org");
    }

    @Test
    void theTokenMayComeAsTheBasicAuthPassword() throws Exception {
        HttpResponse<String> r = post("", basic("sendgrid", TOKEN),
                "[{\"event\":\"open\",\"email\":\"jane@example.org\",\"timestamp\":1764583300,\"atrium_message_id\":\"m-9\"}]");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ctx.statuses("email")).singleElement().satisfies(s -> {
            assertThat(s.messageId()).isEqualTo("m-9");
            assertThat(s.status()).isEqualTo(MessageStatus.OPENED);
        });
    }

    @Test
    void aWrongOrMissingTokenIs401AndRecordsNothing() throws Exception {
        String body = "[{\"event\":\"open\",\"atrium_message_id\":\"m-9\"}]";
        for (HttpResponse<String> r : new HttpResponse[] {
                post("?token=wrong-token-0123456789", null, body),
                post("", basic("sendgrid", "wrong-token-0123456789"), body),
                post("", basic(TOKEN, ""), body),
                post("", null, body)}) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(r.body()).doesNotContain(TOKEN);
        }
        assertThat(ctx.statuses("email")).isEmpty();
        assertThat(ctx.optOuts("email")).isEmpty();
    }

    @Test
    void aBodyThatIsNotAnEventArrayIs400WithTheReason() throws Exception {
        HttpResponse<String> broken = post("?token=" + TOKEN, null, "[{\"event\": \"open\", ");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("not JSON");
        HttpResponse<String> object = post("?token=" + TOKEN, null, "{\"event\":\"open\"}");
        assertThat(object.statusCode()).isEqualTo(400);
        assertThat(object.body()).contains("expected a JSON array of events");
        HttpResponse<String> empty = post("?token=" + TOKEN, null, "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(ctx.statuses("email")).isEmpty();
    }

    @Test
    void onlyPostIsServed() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create(ctx.httpUrl() + EventWebhookRoute.PATH + "?token=" + TOKEN)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }
}
