package io.atrium.plugins.viber;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToIgnoreCase;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Start (set_webhook) and sending (send_message) against a local server speaking Viber's documented API. */
class ViberChannelIT {

    FakeViber viber;
    TestConnectorContext ctx;

    @BeforeEach
    void setUp() {
        viber = new FakeViber();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ctx != null) {
            ctx.close();
        }
        viber.close();
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("auth-token", FakeViber.TOKEN);
        c.put("api-url", viber.apiUrl());
        c.put("sender-name", "Acme Shop");
        c.put("sender-avatar", "https://cdn.acme.example/avatar.jpg");
        c.put("request-timeout", "1s");
        return c;
    }

    TestConnectorContext start(Map<String, Object> config) throws Exception {
        return start(config, new ViberConnector());
    }

    TestConnectorContext start(Map<String, Object> config, ViberConnector connector) throws Exception {
        ctx = TestConnectorContext.forPlugin("viber", config);
        ctx.start(connector);
        return ctx;
    }

    static OutboundMessage message(String id, String to, String text) {
        return new OutboundMessage(id, "viber", "profile-1", to, OutboundMessage.TRANSACTIONAL, null, text, null, null,
                Map.of("campaignId", "c-1"));
    }

    @Test
    void startRegistersTheHubsWebhookUrlWithTheTokenAfterTheRouteIsUp() throws Exception {
        start(config());
        viber.server.verify(1, postRequestedFor(urlEqualTo("/pa/set_webhook"))
                .withHeader("X-Viber-Auth-Token", equalTo(FakeViber.TOKEN))
                .withHeader("Content-Type", equalToIgnoreCase("application/json; charset=utf-8"))
                .withRequestBody(equalToJson("""
                        {"url": "%s/hooks/viber",
                         "event_types": ["delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started"]}
                        """.formatted(ctx.httpUrl()))));
        // Viber's check of the URL reached the plugin's route, signed, and got 200.
        assertThat(viber.webhookChecks).containsExactly(200);
        assertThat(ctx.statuses("viber")).isEmpty();
        ChannelOptions options = ctx.channelOptions("viber");
        assertThat(options.addressType()).isEqualTo("viber_id");
        assertThat(options.ratePerSecond()).isEqualTo(50.0);
        assertThat(options.idempotent()).isFalse();
    }

    @Test
    void theWebhookPathAndRateAreConfigurable() throws Exception {
        Map<String, Object> c = config();
        c.put("webhook-path", "/in/viber-bot");
        c.put("rate-per-second", "2.5");
        start(c);
        viber.server.verify(postRequestedFor(urlEqualTo("/pa/set_webhook"))
                .withRequestBody(equalToJson("{\"url\":\"" + ctx.httpUrl() + "/in/viber-bot\"}", true, true)));
        assertThat(viber.webhookChecks).containsExactly(200);
        assertThat(ctx.channelOptions("viber").ratePerSecond()).isEqualTo(2.5);
    }

    @Test
    void aNonZeroSetWebhookStatusFailsTheStartNamingStatusAndMessageButNeverTheToken() throws Exception {
        Map<String, Object> c = config();
        c.put("auth-token", "revoked-0123456789-token");
        ctx = TestConnectorContext.forPlugin("viber", c);
        assertThatThrownBy(() -> ctx.start(new ViberConnector()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set_webhook")
                .hasMessageContaining("status 2 (invalidAuthToken): invalidAuthToken")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("revoked-0123456789-token"));
    }

    @Test
    void aWebhookViberCannotReachFailsTheStartWithStatus1() throws Exception {
        viber.server.stubFor(post(urlEqualTo("/pa/set_webhook")).atPriority(1)
                .willReturn(okJson("{\"status\":1,\"status_message\":\"Result[HttpResponse[404], response: , endpoint: x]\"}")));
        ctx = TestConnectorContext.forPlugin("viber", config());
        assertThatThrownBy(() -> ctx.start(new ViberConnector()))
                .hasMessageContaining("status 1 (invalidUrl)")
                .hasMessageContaining(ctx.httpUrl() + "/hooks/viber")
                .hasMessageContaining("https");
    }

    @Test
    void aWrongApiUrlFailsTheStartNamingTheKey() throws Exception {
        Map<String, Object> c = config();
        c.put("api-url", viber.apiUrl() + "/v9");
        ctx = TestConnectorContext.forPlugin("viber", c);
        assertThatThrownBy(() -> ctx.start(new ViberConnector()))
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("key 'api-url'")
                .hasMessageContaining(viber.apiUrl() + "/v9/set_webhook");
    }

    @Test
    void withRegisterWebhookFalseNothingIsRegistered() throws Exception {
        Map<String, Object> c = config();
        c.put("register-webhook", false);
        start(c);
        viber.server.verify(0, postRequestedFor(urlEqualTo("/pa/set_webhook")));
        assertThat(ctx.channelOptions("viber")).isNotNull();
    }

    @Test
    void whenViberCannotBeReachedOnStartItStartsAndRegistersLater() throws Exception {
        viber.server.stubFor(post(urlEqualTo("/pa/set_webhook")).atPriority(1)
                .inScenario("outage").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("back"));
        start(config(), new ViberConnector(Duration.ofMillis(100)));
        assertThat(viber.webhookChecks).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(viber.webhookChecks).containsExactly(200));
        viber.server.verify(2, postRequestedFor(urlEqualTo("/pa/set_webhook")));
    }

    @ParameterizedTest(name = "token {0}")
    @ValueSource(strings = {"5741311803571721087", "9007199254740993", "9223372036854775807"})
    void aSendCarriesTheDocumentedJsonAndHeaderAndReturnsTheExactToken(String token) throws Exception {
        start(config());
        viber.sendMessageAnswers(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":" + token
                + ",\"chat_hostname\":\"SN-CHAT-15_\",\"billing_status\":1}"));
        var result = ctx.sender("viber").send(message("msg-1", "01234567890A=", "Your order 1042 has shipped ✓"));
        assertThat(result.providerMessageId()).isEqualTo(token);
        viber.server.verify(1, postRequestedFor(urlEqualTo("/pa/send_message"))
                .withHeader("X-Viber-Auth-Token", equalTo(FakeViber.TOKEN))
                .withHeader("Content-Type", equalToIgnoreCase("application/json; charset=utf-8"))
                .withRequestBody(equalToJson("""
                        {"receiver": "01234567890A=",
                         "min_api_version": 1,
                         "sender": {"name": "Acme Shop", "avatar": "https://cdn.acme.example/avatar.jpg"},
                         "tracking_data": "msg-1",
                         "type": "text",
                         "text": "Your order 1042 has shipped ✓"}
                        """)));
    }

    @Test
    void withoutAnAvatarTheSenderHasOnlyItsNameAndMinApiVersionIsTheConfiguredOne() throws Exception {
        Map<String, Object> c = config();
        c.remove("sender-avatar");
        c.put("min-api-version", 7);
        start(c);
        viber.sendMessageAnswers(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":1}"));
        ctx.sender("viber").send(message("msg-2", "u2", "hi"));
        viber.server.verify(postRequestedFor(urlEqualTo("/pa/send_message")).withRequestBody(equalToJson("""
                {"receiver": "u2", "min_api_version": 7, "sender": {"name": "Acme Shop"}, "tracking_data": "msg-2",
                 "type": "text", "text": "hi"}
                """)));
    }

    @ParameterizedTest(name = "status {0}")
    @ValueSource(ints = {5, 6})
    void notRegisteredOrNotSubscribedIsPermanentNotAUser(int status) throws Exception {
        start(config());
        viber.sendMessageAnswers(okJson("{\"status\":" + status + ",\"status_message\":\"receiver is not subscribed\"}"));
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-3", "u3", "hi")));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.NOT_A_USER);
        assertThat(e.getMessage()).contains("status " + status, "receiver is not subscribed");
    }

    @Test
    void tooManyRequestsIsTransient() throws Exception {
        start(config());
        viber.sendMessageAnswers(okJson("{\"status\":12,\"status_message\":\"tooManyRequests\"}"));
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-4", "u4", "hi")));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("status 12 (tooManyRequests)");
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {500, 502, 503, 429})
    void serverErrorsAreTransient(int http) throws Exception {
        start(config());
        viber.sendMessageAnswers(aResponse().withStatus(http).withBody("<html>Service Unavailable</html>"));
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-5", "u5", "hi")));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("HTTP " + http);
    }

    @Test
    void anAnswerThatNeverComesIsFinalSoThePersonIsNotMessagedTwice() throws Exception {
        start(config());
        viber.sendMessageAnswers(okJson("{\"status\":0,\"message_token\":1}").withFixedDelay(3000));
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-6", "u6", "hi")));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);
        assertThat(e.getMessage()).contains("did not answer");
    }

    @Test
    void anUnreachableViberIsTransient() throws Exception {
        Map<String, Object> c = config();
        c.put("register-webhook", false);
        start(c);
        viber.close();
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-7", "u7", "hi")));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
    }

    @Test
    void aRevokedTokenIsPermanentRejectedWithoutShowingIt() throws Exception {
        start(config());
        // Viber answers status 2 to a token it does not know (the fake's fallback stub).
        viber.server.stubFor(post(urlEqualTo("/pa/send_message")).atPriority(1)
                .willReturn(okJson("{\"status\":2,\"status_message\":\"invalidAuthToken\"}")));
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-8", "u8", "hi")));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(e.getMessage()).contains("status 2 (invalidAuthToken)").doesNotContain(FakeViber.TOKEN);
    }

    @Test
    void aBlockedAccountIsPermanentRejectedWithViberMessage() throws Exception {
        start(config());
        viber.sendMessageAnswers(okJson("{\"status\":7,\"status_message\":\"The account is blocked\"}"));
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-9", "u9", "hi")));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(e.getMessage()).contains("status 7 (publicAccountBlocked): The account is blocked");
    }

    @Test
    void aWrongApiUrlIsPermanentRejected() throws Exception {
        Map<String, Object> c = config();
        c.put("register-webhook", false);
        c.put("api-url", viber.apiUrl() + "/v9");
        start(c);
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-10", "u10", "hi")));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(e.getMessage()).contains("HTTP 404");
    }

    @Test
    void anAnswerThatIsNotViberJsonIsTransient() throws Exception {
        start(config());
        viber.sendMessageAnswers(aResponse().withStatus(200).withBody("<html>captive portal</html>"));
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-11", "u11", "hi")));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.getMessage()).contains("not JSON");
    }

    @Test
    void anEmptyTextIsRefusedBeforeCallingViber() throws Exception {
        start(config());
        SendException e = catchThrowableOfType(SendException.class,
                () -> ctx.sender("viber").send(message("msg-12", "u12", "")));
        assertThat(e.isPermanent()).isTrue();
        viber.server.verify(0, postRequestedFor(urlEqualTo("/pa/send_message")));
    }
}
