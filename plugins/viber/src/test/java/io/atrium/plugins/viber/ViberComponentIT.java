package io.atrium.plugins.viber;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The viber: component, used from Camel routes. */
class ViberComponentIT {

    FakeViber viber;
    TestConnectorContext ctx;
    ProducerTemplate template;

    @BeforeEach
    void setUp() throws Exception {
        viber = new FakeViber();
        Map<String, Object> c = new HashMap<>();
        c.put("auth-token", FakeViber.TOKEN);
        c.put("api-url", viber.apiUrl());
        c.put("sender-name", "Ops Bot");
        c.put("register-webhook", "false");
        ctx = TestConnectorContext.forPlugin("viber", c);
        ctx.start(new ViberConnector());
        template = ctx.camelContext().createProducerTemplate();
    }

    @AfterEach
    void tearDown() throws Exception {
        template.close();
        ctx.close();
        viber.close();
    }

    @Test
    void aYamlRouteLikeTheReadmesSends() throws Exception {
        viber.sendMessageAnswers(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":9007199254740993}"));
        String yaml = """
                - route:
                    id: viber-ops-alert
                    from:
                      uri: direct:ops-check
                      steps:
                        - setBody:
                            constant: "Nightly import finished"
                        - to: viber:send?receiver=01234567890A=
                """;
        PluginHelper.getRoutesLoader(ctx.camelContext()).loadRoutes(ResourceHelper.fromString("ops.yaml", yaml));
        Exchange out = template.request("direct:ops-check", e -> { });
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getHeader(ViberConstants.MESSAGE_TOKEN)).isEqualTo("9007199254740993");
        viber.server.verify(1, postRequestedFor(urlEqualTo("/pa/send_message")).withRequestBody(equalToJson(
                "{\"receiver\":\"01234567890A=\",\"text\":\"Nightly import finished\",\"type\":\"text\"}", false, true)));
    }

    @Test
    void aRouteSendsTheBodyToTheReceiverOfTheUriAndGetsTheToken() throws Exception {
        viber.sendMessageAnswers(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":5741311803571721087}"));
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:alert").routeId("alert").to("viber:send?receiver=ops-user-1%3D");
            }
        });
        Exchange out = template.request("direct:alert", e -> e.getMessage().setBody("Nightly import finished"));
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getHeader(ViberConstants.MESSAGE_TOKEN)).isEqualTo("5741311803571721087");
        viber.server.verify(1, postRequestedFor(urlEqualTo("/pa/send_message"))
                .withHeader("X-Viber-Auth-Token", equalTo(FakeViber.TOKEN))
                .withRequestBody(equalToJson("""
                        {"receiver": "ops-user-1=", "min_api_version": 1, "sender": {"name": "Ops Bot"},
                         "type": "text", "text": "Nightly import finished"}
                        """)));
    }

    @Test
    void theReceiverHeaderOverridesTheUriAndTrackingDataIsSent() throws Exception {
        viber.sendMessageAnswers(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":42}"));
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:alert2").to("viber:send?receiver=someone-else");
            }
        });
        template.sendBodyAndHeaders("direct:alert2", "Disk 91% full",
                Map.of(ViberConstants.RECEIVER, "ops-user-2", ViberConstants.TRACKING_DATA, "alert-7"));
        viber.server.verify(1, postRequestedFor(urlEqualTo("/pa/send_message")).withRequestBody(equalToJson(
                "{\"receiver\":\"ops-user-2\",\"tracking_data\":\"alert-7\",\"text\":\"Disk 91% full\"}", false, true)));
    }

    @Test
    void aReceiverIdWithPlusAndSlashSurvivesTheUriInRaw() throws Exception {
        viber.sendMessageAnswers(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":43}"));
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:alert5").to("viber:send?receiver=RAW(pttm25kSGUo1919sBORWyA+b/c==)");
            }
        });
        template.sendBody("direct:alert5", "hi");
        viber.server.verify(1, postRequestedFor(urlEqualTo("/pa/send_message")).withRequestBody(equalToJson(
                "{\"receiver\":\"pttm25kSGUo1919sBORWyA+b/c==\"}", false, true)));
    }

    @Test
    void aViberFailureIsTheExchangesSendException() throws Exception {
        viber.sendMessageAnswers(okJson("{\"status\":6,\"status_message\":\"receiver is not subscribed\"}"));
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:alert3").to("viber:send?receiver=gone");
            }
        });
        Exchange out = template.request("direct:alert3", e -> e.getMessage().setBody("hi"));
        assertThat(out.getException()).isInstanceOfSatisfying(SendException.class, e -> {
            assertThat(e.reason()).isEqualTo(FailureReason.NOT_A_USER);
            assertThat(e.isPermanent()).isTrue();
        });
    }

    @Test
    void noReceiverAtAllIsAClearError() throws Exception {
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:alert4").to("viber:send");
            }
        });
        Exchange out = template.request("direct:alert4", e -> e.getMessage().setBody("hi"));
        assertThat(out.getException()).hasMessageContaining("needs a receiver");
        viber.server.verify(0, postRequestedFor(urlEqualTo("/pa/send_message")));
    }

    @Test
    void anUnknownOptionOrOperationFailsTheRoute() {
        assertThatThrownBy(() -> ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bad1").to("viber:send?reciever=x");
            }
        })).hasStackTraceContaining("Unknown parameters").hasStackTraceContaining("reciever=x");
        assertThatThrownBy(() -> ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bad2").to("viber:broadcast?receiver=x");
            }
        })).hasStackTraceContaining("unknown operation 'broadcast'");
    }
}
