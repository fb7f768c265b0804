package io.atrium.server.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.broker.BrokerStatus;
import io.atrium.server.support.EventsQueueCopy;
import io.atrium.server.support.HubTestSupport;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.core.JmsTemplate;

/** {@code atrium:events} reads route bodies with the same validation as the collector. */
class AtriumEndpointIT extends HubTestSupport {

    @Autowired
    JmsTemplate jms;

    @Autowired
    CamelContext camel;

    @Autowired
    BrokerStatus broker;

    @BeforeEach
    void copyTheEventsQueue() {
        EventsQueueCopy.ensure(broker);
    }

    private List<JsonNode> queuedWithMarker(String marker) {
        List<JsonNode> events = new ArrayList<>();
        // Other tests put deliberately broken messages on the events queue: only ours carry the marker.
        EventsQueueCopy.bodies(jms).stream().filter(b -> b.contains(marker)).forEach(b -> readJson(b).forEach(events::add));
        return events.stream().filter(e -> marker.equals(e.path("properties").path("marker").asText())).toList();
    }

    @Test
    void aRoutesEventsGetAMessageIdReceivedAtAndTheRouteAsSourceAndMayBeKeyedByIdentities() throws Exception {
        String marker = "m-" + UUID.randomUUID();
        writeAtomically(ROUTES.resolve("intake-probe.yaml"), """
                - route:
                    id: intake-probe
                    from:
                      uri: platform-http:/intake-probe
                      steps:
                        - convertBodyTo:
                            type: String
                        - to: atrium:events
                        - setBody:
                            simple: "accepted ${header.AtriumEventCount}"
                """);
        String body = """
                [{"type": "identify", "identities": {"email": "ann@example.com"}, "traits": {"city": "Kyiv"}, "properties": {"marker": "%s"}},
                 {"type": "track", "event": "order_shipped", "userId": "erp-7", "messageId": "%s-kept", "source": "erp",
                  "properties": {"marker": "%s"}}]""".formatted(marker, marker, marker);
        await().atMost(Duration.ofSeconds(5)).until(() -> routes().stream()
                .anyMatch(r -> "intake-probe".equals(r.get("id")) && "STARTED".equals(r.get("state"))));
        var answer = send(HttpRequest.newBuilder(uri("/intake-probe")).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(answer.body()).isEqualTo("accepted 2");

        List<JsonNode> events = queuedWithMarker(marker);
        assertThat(events).hasSize(2);
        JsonNode identify = events.get(0);
        assertThat(identify.path("identities").path("email").asText()).isEqualTo("ann@example.com");
        assertThat(identify.path("messageId").asText()).hasSize(36);
        assertThat(identify.path("source").asText()).isEqualTo("route:intake-probe");
        assertThat(identify.path("receivedAt").isNull()).isFalse();
        assertThat(identify.path("timestamp").asText()).isEqualTo(identify.path("receivedAt").asText());
        assertThat(events.get(1).path("messageId").asText()).isEqualTo(marker + "-kept");
        assertThat(events.get(1).path("source").asText()).isEqualTo("erp");
    }

    @Test
    void aBadEventFailsTheExchangeNamingEveryFieldAndNothingIsStored() {
        String marker = "m-" + UUID.randomUUID();
        String body = """
                [{"type": "track", "event": "ok", "userId": "u", "properties": {"marker": "%s"}},
                 {"type": "purchase", "userId": "u", "properties": {"marker": "%s"}},
                 {"type": "identify", "traits": 5, "properties": {"marker": "%s"}}]""".formatted(marker, marker, marker);
        assertThatThrownBy(() -> camel.createProducerTemplate().sendBody("atrium:events", body))
                .isInstanceOf(CamelExecutionException.class)
                .rootCause().hasMessageContaining("took none of the events")
                .hasMessageContaining("[1].type").hasMessageContaining("[2].traits").hasMessageContaining("[2].userId");
        assertThat(queuedWithMarker(marker)).isEmpty();
    }
}
