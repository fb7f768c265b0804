package io.atrium.server.support;

import java.util.ArrayList;
import java.util.List;

import jakarta.jms.TextMessage;

import io.atrium.server.broker.BrokerStatus;
import io.atrium.server.broker.Queues;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.config.DivertConfiguration;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ComponentConfigurationRoutingType;
import org.springframework.jms.core.JmsTemplate;

/**
 * A copy of everything sent to {@code atrium.events}, for tests to browse: a non-exclusive divert on
 * the embedded broker forwards each message to the queue {@link #COPY} as well. Tests read the copy
 * rather than the events queue itself, whose messages the profile stage consumes.
 */
public final class EventsQueueCopy {

    public static final String COPY = "test.atrium.events.copy";

    private EventsQueueCopy() {
    }

    /**
     * Deploys the divert and its queue on the hub's embedded broker, once, and empties the copy: each
     * test sees what was sent since it began (a copy that keeps every test's events grows past what
     * the broker pages in for browsing, and the newest messages are then not seen).
     */
    public static synchronized void ensure(BrokerStatus broker) {
        ActiveMQServer server = broker.embeddedServer().orElseThrow(() -> new IllegalStateException("needs the embedded broker"));
        if (server.locateQueue(COPY) != null) {
            try {
                server.locateQueue(COPY).deleteAllReferences();
            } catch (Exception e) {
                throw new IllegalStateException("cannot empty " + COPY + ": " + e.getMessage(), e);
            }
            return;
        }
        try {
            server.createQueue(QueueConfiguration.of(COPY).setAddress(COPY).setRoutingType(RoutingType.ANYCAST)
                    .setDurable(false).setAutoCreateAddress(true));
            server.deployDivert(new DivertConfiguration().setName("test-copy-of-" + Queues.EVENTS)
                    .setAddress(Queues.EVENTS).setForwardingAddress(COPY).setExclusive(false)
                    .setRoutingType(ComponentConfigurationRoutingType.ANYCAST));
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the copy of " + Queues.EVENTS + ": " + e.getMessage(), e);
        }
    }

    /** The text of every message sent to the events queue since {@link #ensure} (each a JSON array of events). */
    public static List<String> bodies(JmsTemplate jms) {
        return jms.browse(COPY, (session, browser) -> {
            List<String> out = new ArrayList<>();
            var e = browser.getEnumeration();
            while (e.hasMoreElements()) {
                Object m = e.nextElement();
                if (m instanceof TextMessage text) {
                    out.add(text.getText());
                } else if (m instanceof jakarta.jms.BytesMessage bytes) {
                    byte[] b = new byte[(int) bytes.getBodyLength()];
                    bytes.readBytes(b);
                    out.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return out;
        });
    }
}
