package io.atrium.server.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import io.atrium.server.broker.Queues;

import org.apache.activemq.artemis.api.core.ActiveMQAddressFullException;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.junit.jupiter.api.Test;

class CollectorBrokerDownIT extends CollectorTestSupport {

    /** Makes the real broker refuse every send to the events queue, as it does when that address is full. */
    static final class RefuseEvents implements ActiveMQServerMessagePlugin {
        @Override
        public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue)
                throws ActiveMQException {
            if (Queues.EVENTS.equals(message.getAddress())) {
                throw new ActiveMQAddressFullException("test: address " + Queues.EVENTS + " is full");
            }
        }
    }

    @Test
    void whenTheBrokerRefusesTheSendTheCollectorAnswers503WithRetryAfterAndStoresNothing() {
        TestSource source = newSource("broker-down");
        String run = marker();
        String batch = """
                {"batch": [{"type": "track", "userId": "b-1", "event": "Paid", "messageId": "%s-1", "properties": {"marker": "%s"}},
                           {"type": "track", "userId": "b-1", "event": "Shipped", "messageId": "%s-2", "properties": {"marker": "%s"}}]}
                """.formatted(run, run, run, run);
        ActiveMQServer server = broker.embeddedServer().orElseThrow();
        RefuseEvents refuse = new RefuseEvents();
        server.registerBrokerPlugin(refuse);
        HttpResponse<String> down;
        try {
            down = post("/v1/batch", source.writeKey(), batch);
        } finally {
            server.unRegisterBrokerPlugin(refuse);
        }
        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(readJson(down.body()).path("error").asText()).isEqualTo("service_unavailable");
        assertThat(readJson(down.body()).path("detail").asText()).contains("nothing was stored");
        assertThat(queuedWithMarker(run)).isEmpty();

        // The SDK's retry of the same batch, once the broker takes messages again, is stored once.
        HttpResponse<String> retried = post("/v1/batch", source.writeKey(), batch);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(queuedWithMarker(run)).extracting(e -> e.path("messageId").asText()).containsExactly(run + "-1", run + "-2");
        assertThat(get("/actuator/prometheus").body())
                .containsPattern("atrium_collector_events_total\\{[^}]*endpoint=\"batch\"[^}]*reason=\"unavailable\"[^}]*result=\"rejected\"[^}]*\\} 2\\.0");
    }
}
