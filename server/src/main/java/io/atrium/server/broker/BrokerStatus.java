package io.atrium.server.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;

import org.apache.activemq.artemis.api.core.management.QueueControl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/** The broker as the hub sees it: reachable or not, and the depth of each queue. */
@Component("broker")
public class BrokerStatus implements HealthIndicator {

    private final ConnectionFactory connectionFactory;
    private final ObjectProvider<EmbeddedActiveMQ> embedded;

    public BrokerStatus(ConnectionFactory connectionFactory, ObjectProvider<EmbeddedActiveMQ> embedded) {
        this.connectionFactory = connectionFactory;
        this.embedded = embedded;
    }

    public record QueueInfo(String name, String address, long messageCount, int consumerCount, long messagesAdded) {
    }

    /** The embedded server, when this hub runs one. */
    public Optional<ActiveMQServer> embeddedServer() {
        EmbeddedActiveMQ e = embedded.getIfAvailable();
        return e == null ? Optional.empty() : Optional.ofNullable(e.getActiveMQServer());
    }

    /** Queues of the embedded broker; empty for an external broker (use its own console). */
    public List<QueueInfo> queues() {
        List<QueueInfo> out = new ArrayList<>();
        embeddedServer().ifPresent(server -> {
            for (Object o : server.getManagementService().getResources(QueueControl.class)) {
                QueueControl q = (QueueControl) o;
                out.add(new QueueInfo(q.getName(), q.getAddress(), q.getMessageCount(), q.getConsumerCount(), q.getMessagesAdded()));
            }
        });
        out.sort(Comparator.comparing(QueueInfo::name));
        return out;
    }

    public long messageCount(String queue) {
        return embeddedServer().map(s -> s.locateQueue(queue)).map(Queue::getMessageCount).orElse(-1L);
    }

    @Override
    public Health health() {
        Health.Builder b;
        try (Connection c = connectionFactory.createConnection()) {
            b = Health.up();
        } catch (Exception e) {
            return Health.down().withDetail("error", String.valueOf(e.getMessage())).build();
        }
        Optional<ActiveMQServer> server = embeddedServer();
        b.withDetail("mode", server.isPresent() ? "embedded" : "external");
        server.ifPresent(s -> {
            if (!s.isActive()) {
                b.down();
            }
            b.withDetail("journal", s.getConfiguration().getJournalLocation().getAbsolutePath());
        });
        return b.build();
    }
}
