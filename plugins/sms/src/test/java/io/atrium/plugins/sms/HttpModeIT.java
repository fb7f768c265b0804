package io.atrium.plugins.sms;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin in http mode against WireMock playing a Kannel-style gateway and a JSON REST API, on loopback. */
class HttpModeIT {

    static final String TOKEN = "cb-0123456789abcdef";
    static final String GATEWAY_PASSWORD = "kann&l pw";
    static final String KANNEL_URL = "/cgi-bin/sendsms?username={username}&password={password}&from={from}&to={to}"
            + "&text={text}&dlr-mask=31&dlr-url={dlrUrl}&charset=UTF-8&coding={coding}";

    WireMockServer gateway;
    TestConnectorContext ctx;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void gateway() {
        gateway = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        gateway.start();
        gateway.stubFor(get(urlPathEqualTo("/cgi-bin/sendsms"))
                .willReturn(aResponse().withStatus(202).withBody("0: Accepted for delivery")));
    }

    @AfterEach
    void close() throws Exception {
        if (ctx != null) {
            ctx.close();
        }
        gateway.stop();
    }

    Map<String, Object> kannel() {
        Map<String, Object> c = new HashMap<>();
        c.put("mode", "http");
        c.put("http-url", "http://127.0.0.1:" + gateway.port() + KANNEL_URL);
        c.put("http-username", "atrium");
        c.put("http-password", GATEWAY_PASSWORD);
        c.put("source-address", "ATRIUM");
        c.put("callback-token", TOKEN);
        return c;
    }

    TestConnectorContext started(Map<String, Object> config) throws Exception {
        ctx = TestConnectorContext.forPlugin("sms", config);
        ctx.start(new SmsConnector());
        return ctx;
    }

    static OutboundMessage message(String id, String text) {
        return new OutboundMessage(id, "sms", "42", "+380501112233", null, null, text, null, null, null);
    }

    HttpResponse<String> call(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKannelSendCarriesTheEncodedParametersAndADlrUrlNamingTheHubMessage() throws Exception {
        started(kannel());
        SendResult result = ctx.sender("sms").send(message("m-1", "Привіт & до зустрічі +1"));

        assertThat(result.providerMessageId()).isNull();
        List<LoggedRequest> requests = gateway.findAll(getRequestedFor(urlPathEqualTo("/cgi-bin/sendsms")));
        assertThat(requests).hasSize(1);
        LoggedRequest r = requests.get(0);
        assertThat(r.queryParameter("username").firstValue()).isEqualTo("atrium");
        assertThat(r.queryParameter("password").firstValue()).isEqualTo(GATEWAY_PASSWORD);
        assertThat(r.queryParameter("from").firstValue()).isEqualTo("ATRIUM");
        assertThat(r.queryParameter("to").firstValue()).isEqualTo("+380501112233");
        assertThat(r.queryParameter("text").firstValue()).isEqualTo("Привіт & до зустрічі +1");
        assertThat(r.queryParameter("dlr-mask").firstValue()).isEqualTo("31");
        assertThat(r.queryParameter("coding").firstValue()).isEqualTo("2");
        assertThat(r.queryParameter("dlr-url").firstValue())
                .isEqualTo(ctx.httpUrl() + "/hooks/sms/dlr?message=m-1&status=%d&token=" + TOKEN);
        // Encoded on the wire: '+' as %2B, spaces as %20, '&' inside a value as %26.
        assertThat(r.getUrl()).contains("to=%2B380501112233", "password=kann%26l%20pw", "%2B1&dlr-mask=31");
    }

    @Test
    void theGatewayCallingTheDlrUrlLikeKannelReportsDeliveredForTheHubMessage() throws Exception {
        started(kannel());
        ctx.sender("sms").send(message("m-1", "Hello"));
        String dlrUrl = gateway.findAll(getRequestedFor(urlPathEqualTo("/cgi-bin/sendsms"))).get(0)
                .queryParameter("dlr-url").firstValue();

        HttpResponse<String> accepted = call(dlrUrl.replace("%d", "8"));
        HttpResponse<String> delivered = call(dlrUrl.replace("%d", "1"));

        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(delivered.statusCode()).isEqualTo(200);
        assertThat(delivered.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("token"));
        assertThat(ctx.statuses("sms")).singleElement().satisfies(s -> {
            assertThat(s.messageId()).isEqualTo("m-1");
            assertThat(s.providerMessageId()).isNull();
            assertThat(s.status()).isEqualTo(MessageStatus.DELIVERED);
            assertThat(s.detail()).isEqualTo("dlr:1");
        });
    }

    @Test
    void aRejectedDlrAndAGenericFailedStatusBecomeFailed() throws Exception {
        started(kannel());
        String base = ctx.httpUrl() + "/hooks/sms/dlr?token=" + TOKEN;

        assertThat(call(base + "&message=m-1&status=16").statusCode()).isEqualTo(200);
        assertThat(call(base + "&message=m-2&status=expired").statusCode()).isEqualTo(200);
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(ctx.httpUrl() + "/hooks/sms/dlr"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN + "&message=m-3&MessageStatus=undelivered"
                        + "&ErrorCode=30003")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(200);

        assertThat(ctx.statuses("sms")).hasSize(3);
        assertThat(ctx.statuses("sms").get(0).status()).isEqualTo(MessageStatus.FAILED);
        assertThat(ctx.statuses("sms").get(0).reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(ctx.statuses("sms").get(1).reason()).isEqualTo(FailureReason.EXPIRED);
        assertThat(ctx.statuses("sms").get(2).messageId()).isEqualTo("m-3");
        assertThat(ctx.statuses("sms").get(2).status()).isEqualTo(MessageStatus.FAILED);
        assertThat(ctx.statuses("sms").get(2).detail()).isEqualTo("status:undelivered err:30003");
    }

    @Test
    void aCallbackWithAWrongOrNoTokenIsRefusedWith401() throws Exception {
        started(kannel());
        HttpResponse<String> wrong = call(ctx.httpUrl() + "/hooks/sms/dlr?message=m-1&status=1&token=not-the-token-at-all");
        HttpResponse<String> none = call(ctx.httpUrl() + "/hooks/sms/dlr?message=m-1&status=1");
        HttpResponse<String> inbound = call(ctx.httpUrl() + "/hooks/sms/inbound?from=%2B380501112233&text=STOP&token=x");

        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(inbound.statusCode()).isEqualTo(401);
        assertThat(ctx.statuses("sms")).isEmpty();
        assertThat(ctx.inbound("sms")).isEmpty();
    }

    @Test
    void badCallbackParametersAreRefusedWith400NamingTheParameter() throws Exception {
        started(kannel());
        String base = ctx.httpUrl() + "/hooks/sms/dlr?token=" + TOKEN;

        HttpResponse<String> noMessage = call(base + "&status=1");
        HttpResponse<String> noStatus = call(base + "&message=m-1");
        HttpResponse<String> badStatus = call(base + "&message=m-1&status=exploded");
        HttpResponse<String> noFrom = call(ctx.httpUrl() + "/hooks/sms/inbound?text=STOP&token=" + TOKEN);

        assertThat(noMessage.statusCode()).isEqualTo(400);
        assertThat(noMessage.body()).contains("parameter 'message'");
        assertThat(noStatus.statusCode()).isEqualTo(400);
        assertThat(noStatus.body()).contains("parameter 'status'");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(badStatus.body()).contains("parameter 'status'", "exploded");
        assertThat(noFrom.statusCode()).isEqualTo(400);
        assertThat(noFrom.body()).contains("parameter 'from'");
        assertThat(ctx.statuses("sms")).isEmpty();
    }

    @Test
    void aReplyOnTheInboundUrlBecomesAnInboundMessage() throws Exception {
        started(kannel());
        HttpResponse<String> r = call(ctx.httpUrl() + "/hooks/sms/inbound?from=%2B380501112233&to=4242&text=STOP&id=k-77"
                + "&token=" + TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ctx.inbound("sms")).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo("+380501112233");
            assertThat(m.to()).isEqualTo("4242");
            assertThat(m.text()).isEqualTo("STOP");
            assertThat(m.providerMessageId()).isEqualTo("k-77");
        });
    }

    @Test
    void aGatewayThatIsUnavailableFailsTransientlyAndA4xxFailsForGood() throws Exception {
        started(kannel());
        gateway.stubFor(get(urlPathEqualTo("/cgi-bin/sendsms")).withQueryParam("text", equalTo("busy"))
                .willReturn(aResponse().withStatus(503).withBody("Temporal failure, try again later.")));
        gateway.stubFor(get(urlPathEqualTo("/cgi-bin/sendsms")).withQueryParam("text", equalTo("slow down"))
                .willReturn(aResponse().withStatus(429)));
        gateway.stubFor(get(urlPathEqualTo("/cgi-bin/sendsms")).withQueryParam("text", equalTo("bad"))
                .willReturn(aResponse().withStatus(403).withBody("Authorization failed for sendsms, password "
                        + GATEWAY_PASSWORD)));

        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-1", "busy")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isFalse();
                    assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("503", "Temporal failure", "/cgi-bin/sendsms")
                            .doesNotContain(GATEWAY_PASSWORD, "kann%26l");
                });
        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-2", "slow down")))
                .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.isPermanent()).isFalse());
        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-3", "bad")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isTrue();
                    assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
                    assertThat(e.getMessage()).contains("403").doesNotContain(GATEWAY_PASSWORD);
                });
    }

    @Test
    void aCredentialInTheUrlPathStaysOutOfTheErrorMessage() throws Exception {
        gateway.stubFor(get(urlPathEqualTo("/rest/7/tok-SECRET-1/sms.send")).willReturn(aResponse().withStatus(500)));
        Map<String, Object> c = new HashMap<>();
        c.put("mode", "http");
        c.put("http-url", "http://127.0.0.1:" + gateway.port() + "/rest/7/{token}/sms.send?to={to}&text={text}");
        c.put("http-token", "tok-SECRET-1");
        c.put("callback-token", TOKEN);
        started(c);

        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-1", "Hello")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isFalse();
                    assertThat(e.getMessage()).contains("500", "/rest/7/******/sms.send").doesNotContain("tok-SECRET-1");
                });
    }

    @Test
    void aGatewayThatCannotBeReachedFailsTransiently() throws Exception {
        Map<String, Object> c = kannel();
        int port = gateway.port();
        gateway.stop();
        c.put("http-url", "http://127.0.0.1:" + port + KANNEL_URL);
        started(c);

        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-1", "Hello")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isFalse();
                    assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                    assertThat(e.getMessage()).doesNotContain(GATEWAY_PASSWORD);
                });
    }

    @Test
    void aJsonRestGatewayGetsAnEscapedBodyWithBearerAuthAndItsIdIsFound() throws Exception {
        gateway.stubFor(post(urlPathEqualTo("/v1/messages")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"messages\":[{\"id\":9223372036854775807,\"status\":\"queued\"}]}")));
        Map<String, Object> c = new HashMap<>();
        c.put("mode", "http");
        c.put("http-url", "http://127.0.0.1:" + gateway.port() + "/v1/messages");
        c.put("http-method", "POST");
        c.put("http-auth", "bearer");
        c.put("http-token", "rest-token-1");
        c.put("http-body", "{\"to\":\"{to}\",\"text\":\"{text}\",\"ref\":\"{id}\",\"callback\":\"{callbackUrl}\"}");
        c.put("http-accepted-status", "200,201,202");
        c.put("http-id-pattern", "/messages/0/id");
        c.put("callback-token", TOKEN);
        started(c);

        SendResult result = ctx.sender("sms").send(message("m-1", "He said \"hi\"\nthen left\\"));

        assertThat(result.providerMessageId()).isEqualTo("9223372036854775807");
        LoggedRequest r = gateway.findAll(postRequestedFor(urlPathEqualTo("/v1/messages"))).get(0);
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer rest-token-1");
        assertThat(r.getHeader("Content-Type")).startsWith("application/json");
        JsonNode body = new ObjectMapper().readTree(r.getBodyAsString());
        assertThat(body.get("to").asText()).isEqualTo("+380501112233");
        assertThat(body.get("text").asText()).isEqualTo("He said \"hi\"\nthen left\\");
        assertThat(body.get("ref").asText()).isEqualTo("m-1");
        assertThat(body.get("callback").asText()).isEqualTo(ctx.httpUrl() + "/hooks/sms/dlr?message=m-1&token=" + TOKEN);
    }

    @Test
    void aFormPostWithBasicAuthIsUrlEncoded() throws Exception {
        gateway.stubFor(post(urlPathEqualTo("/2010-04-01/Accounts/AC1/Messages.json")).willReturn(aResponse()
                .withStatus(201).withBody("{\"sid\":\"SM123\",\"status\":\"queued\"}")));
        Map<String, Object> c = new HashMap<>();
        c.put("mode", "http");
        c.put("http-url", "http://127.0.0.1:" + gateway.port() + "/2010-04-01/Accounts/AC1/Messages.json");
        c.put("http-method", "POST");
        c.put("http-auth", "basic");
        c.put("http-username", "AC1");
        c.put("http-password", "auth-token");
        c.put("http-body", "To={to}&From={from}&Body={text}&StatusCallback={callbackUrl}");
        c.put("http-id-pattern", "\"sid\":\"([^\"]+)\"");
        c.put("source-address", "+15005550006");
        c.put("callback-token", TOKEN);
        started(c);

        SendResult result = ctx.sender("sms").send(message("m-1", "a&b=c d"));

        assertThat(result.providerMessageId()).isEqualTo("SM123");
        LoggedRequest r = gateway.findAll(postRequestedFor(urlPathEqualTo("/2010-04-01/Accounts/AC1/Messages.json"))).get(0);
        assertThat(r.getHeader("Authorization")).isEqualTo("Basic QUMxOmF1dGgtdG9rZW4=");
        assertThat(r.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(r.formParameter("To").getValues()).containsExactly("+380501112233");
        assertThat(r.formParameter("From").getValues()).containsExactly("+15005550006");
        assertThat(r.formParameter("Body").getValues()).containsExactly("a&b=c d");
        assertThat(r.formParameter("StatusCallback").getValues())
                .containsExactly(ctx.httpUrl() + "/hooks/sms/dlr?message=m-1&token=" + TOKEN);
    }

    @Test
    void theSmsComponentSendsThroughTheGatewayToo() throws Exception {
        started(kannel());
        var out = ctx.camelContext().createProducerTemplate().request("sms:send?to=+380671112233", e -> {
            e.getMessage().setBody("From a route");
            e.getMessage().setHeader(SmsConstants.MESSAGE_ID, "route-1");
        });

        assertThat(out.getException()).isNull();
        LoggedRequest r = gateway.findAll(getRequestedFor(urlPathEqualTo("/cgi-bin/sendsms"))).get(0);
        assertThat(r.queryParameter("to").firstValue()).isEqualTo("+380671112233");
        assertThat(r.queryParameter("text").firstValue()).isEqualTo("From a route");
        assertThat(r.queryParameter("dlr-url").firstValue()).contains("message=route-1");
    }
}
