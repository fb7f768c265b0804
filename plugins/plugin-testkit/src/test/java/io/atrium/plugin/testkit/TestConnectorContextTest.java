package io.atrium.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.ConfigType;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendResult;
import io.atrium.plugin.api.StatusUpdate;

import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

class TestConnectorContextTest {

    /** Serves a webhook that reports a status, and sends by echoing the message id. */
    static final class Echo implements Connector {
        @Override
        public ConfigSpec configSpec() {
            return ConfigSpec.of(ConfigKey.of("greeting", ConfigType.STRING).required().description("what to say"));
        }

        @Override
        public void start(ConnectorContext ctx) throws Exception {
            var feedback = ctx.registerChannel("echo", ChannelOptions.addressedBy("phone"),
                    m -> SendResult.accepted("p-" + m.id()));
            String greeting = ctx.config().getString("greeting");
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("platform-http:/hooks/echo").routeId("echo-hook")
                            .process(e -> feedback.status(StatusUpdate.ofProviderMessage(
                                    e.getMessage().getHeader("id", String.class), MessageStatus.DELIVERED)))
                            .setBody(constant(greeting));
                }
            });
        }
    }

    @Test
    void runsAConnectorWithARealHttpServerAndRecordsItsFeedback() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("echo", Map.of("greeting", "hi"))) {
            ctx.start(new Echo());
            assertThat(ctx.sender("echo").send(new OutboundMessage("m1", "echo", "1", "+380501112233", null,
                    null, "text", null, null, null)).providerMessageId()).isEqualTo("p-m1");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(ctx.httpUrl() + "/hooks/echo?id=p-m1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hi");
            assertThat(ctx.statuses("echo")).singleElement().satisfies(s -> {
                assertThat(s.providerMessageId()).isEqualTo("p-m1");
                assertThat(s.status()).isEqualTo(MessageStatus.DELIVERED);
            });
        }
    }

    @Test
    void aConfigurationProblemFailsTheStartLikeTheHub() throws Exception {
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("echo", Map.of())) {
            assertThatThrownBy(() -> ctx.start(new Echo())).hasMessageContaining("missing required key 'greeting'");
        }
    }
}
