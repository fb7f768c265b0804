package io.atrium.plugins.viber;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.StatusUpdate;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Viber's callbacks, posted over HTTP to the plugin's platform-http webhook the way Viber posts
 * them (JSON, signed with X-Viber-Content-Signature), after a send whose token they refer to.
 */
class ViberWebhookIT {

    /** Above 2^53: as a double it would be 5741311803571721216. */
    static final String TOKEN_1 = "5741311803571721087";
    static final String TOKEN_2 = "9007199254740993";
    static final String USER = "01234567890A=";

    FakeViber viber;
    TestConnectorContext ctx;
    String hook;

    @BeforeEach
    void setUp() throws Exception {
        viber = new FakeViber();
        Map<String, Object> c = new HashMap<>();
        c.put("auth-token", FakeViber.TOKEN);
        c.put("api-url", viber.apiUrl());
        c.put("sender-name", "Acme Shop");
        ctx = TestConnectorContext.forPlugin("viber", c);
        ctx.start(new ViberConnector());
        hook = ctx.httpUrl() + "/hooks/viber";
    }

    @AfterEach
    void tearDown() throws Exception {
        ctx.close();
        viber.close();
    }

    String send(String id, String token) throws Exception {
        viber.sendMessageAnswers(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":" + token + "}"));
        return ctx.sender("viber").send(new OutboundMessage(id, "viber", "p-1", USER, null, null, "hello", null, null, null))
                .providerMessageId();
    }

    @Test
    void deliveredSeenAndFailedBecomeStatusesOfTheSentMessages() throws Exception {
        assertThat(send("m-1", TOKEN_1)).isEqualTo(TOKEN_1);
        assertThat(send("m-2", TOKEN_2)).isEqualTo(TOKEN_2);

        assertThat(FakeViber.signedCallback(hook, "{\"event\":\"delivered\",\"timestamp\":1457764197627,\"message_token\":"
                + TOKEN_1 + ",\"user_id\":\"" + USER + "\"}").statusCode()).isEqualTo(200);
        assertThat(FakeViber.signedCallback(hook, "{\"event\":\"seen\",\"timestamp\":1457764198627,\"message_token\":"
                + TOKEN_1 + ",\"user_id\":\"" + USER + "\"}").statusCode()).isEqualTo(200);
        assertThat(FakeViber.signedCallback(hook, "{\"event\":\"failed\",\"timestamp\":1457764199627,\"message_token\":"
                + TOKEN_2 + ",\"user_id\":\"" + USER + "\",\"desc\":\"receiver is not subscribed\"}").statusCode())
                .isEqualTo(200);

        assertThat(ctx.statuses("viber")).extracting(StatusUpdate::providerMessageId, StatusUpdate::status,
                        StatusUpdate::at, StatusUpdate::reason, StatusUpdate::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(TOKEN_1, MessageStatus.DELIVERED,
                                Instant.ofEpochMilli(1457764197627L), null, null),
                        org.assertj.core.groups.Tuple.tuple(TOKEN_1, MessageStatus.OPENED,
                                Instant.ofEpochMilli(1457764198627L), null, null),
                        org.assertj.core.groups.Tuple.tuple(TOKEN_2, MessageStatus.FAILED,
                                Instant.ofEpochMilli(1457764199627L), FailureReason.NOT_A_USER, "receiver is not subscribed"));
    }

    @Test
    void aFailureOtherThanSubscriptionIsRejected() throws Exception {
        FakeViber.signedCallback(hook, "{\"event\":\"failed\",\"timestamp\":1,\"message_token\":" + TOKEN_1
                + ",\"user_id\":\"" + USER + "\",\"desc\":\"keyboard is not valid\"}");
        assertThat(ctx.statuses("viber")).singleElement().satisfies(s -> {
            assertThat(s.reason()).isEqualTo(FailureReason.REJECTED);
            assertThat(s.detail()).isEqualTo("keyboard is not valid");
        });
    }

    @Test
    void aPersonsMessageIsInboundWithItsTokenAndNonAsciiTextIntact() throws Exception {
        String json = """
                {"event":"message","timestamp":1457764197627,"chat_hostname":"SN-CHAT-05_","message_token":%s,
                 "sender":{"id":"%s","name":"Олена","avatar":"https://avatar.example.com/a.jpg","country":"UA",
                           "language":"uk","api_version":10},
                 "message":{"type":"text","text":"Де моє замовлення? 📦","tracking_data":"m-1"},"silent":false}
                """.formatted(TOKEN_1, USER);
        assertThat(FakeViber.signedCallback(hook, json).statusCode()).isEqualTo(200);
        assertThat(ctx.inbound("viber")).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(USER);
            assertThat(m.text()).isEqualTo("Де моє замовлення? 📦");
            assertThat(m.at()).isEqualTo(Instant.ofEpochMilli(1457764197627L));
            assertThat(m.providerMessageId()).isEqualTo(TOKEN_1);
            assertThat(m.attributes()).containsEntry("senderName", "Олена").containsEntry("trackingData", "m-1");
        });
        assertThat(ctx.statuses("viber")).isEmpty();
    }

    @Test
    void unsubscribedIsAnOptOut() throws Exception {
        assertThat(FakeViber.signedCallback(hook, "{\"event\":\"unsubscribed\",\"timestamp\":1457764197627,\"user_id\":\""
                + USER + "\",\"message_token\":" + TOKEN_1 + "}").statusCode()).isEqualTo(200);
        assertThat(ctx.optOuts("viber")).containsExactly(USER);
        assertThat(ctx.statuses("viber")).isEmpty();
    }

    @Test
    void subscribedAndConversationStartedAreAcknowledgedWithAnEmptyBody() throws Exception {
        HttpResponse<String> r1 = FakeViber.signedCallback(hook, "{\"event\":\"subscribed\",\"timestamp\":1,\"user\":{\"id\":\""
                + USER + "\",\"name\":\"John\"},\"message_token\":" + TOKEN_1 + "}");
        HttpResponse<String> r2 = FakeViber.signedCallback(hook, "{\"event\":\"conversation_started\",\"timestamp\":1,"
                + "\"message_token\":" + TOKEN_1 + ",\"type\":\"open\",\"context\":\"ctx\",\"user\":{\"id\":\"" + USER
                + "\"},\"subscribed\":false}");
        assertThat(r1.statusCode()).isEqualTo(200);
        assertThat(r2.statusCode()).isEqualTo(200);
        assertThat(r2.body()).isEmpty();
        assertThat(ctx.statuses("viber")).isEmpty();
        assertThat(ctx.inbound("viber")).isEmpty();
        assertThat(ctx.optOuts("viber")).isEmpty();
    }

    @Test
    void unsignedOrWronglySignedCallbacksAre403AndRecordNothing() throws Exception {
        String json = "{\"event\":\"delivered\",\"timestamp\":1,\"message_token\":" + TOKEN_1 + ",\"user_id\":\"" + USER + "\"}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        assertThat(FakeViber.callback(hook, json, null).statusCode()).isEqualTo(403);
        assertThat(FakeViber.callback(hook, json, FakeViber.sign("another-bot-token", body)).statusCode()).isEqualTo(403);
        assertThat(FakeViber.callback(hook, json, "not-a-signature").statusCode()).isEqualTo(403);
        // Signed for another body.
        assertThat(FakeViber.callback(hook, json, FakeViber.sign(FakeViber.TOKEN, (json + " ").getBytes(StandardCharsets.UTF_8)))
                .statusCode()).isEqualTo(403);
        String unsubscribe = "{\"event\":\"unsubscribed\",\"timestamp\":1,\"user_id\":\"" + USER + "\"}";
        assertThat(FakeViber.callback(hook, unsubscribe, null).statusCode()).isEqualTo(403);
        assertThat(ctx.statuses("viber")).isEmpty();
        assertThat(ctx.optOuts("viber")).isEmpty();
        assertThat(ctx.inbound("viber")).isEmpty();
    }

    @Test
    void aSignedBodyThatIsNotJsonIs400() throws Exception {
        assertThat(FakeViber.signedCallback(hook, "{\"event\":\"delivered\",").statusCode()).isEqualTo(400);
        assertThat(ctx.statuses("viber")).isEmpty();
    }

    @Test
    void onlyPostIsServed() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hook)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }
}
