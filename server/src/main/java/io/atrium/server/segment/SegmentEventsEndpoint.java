package io.atrium.server.segment;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.broker.Queues;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.TextMessage;

import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

/**
 * {@code atrium:segment-events?subscription=crm-sync}: a route's consumer of segment entries and
 * exits. Each exchange's body is a Map {@code {type: entered|exited, segmentId, segmentName,
 * profileId, at, identities: {type: value}}}. It reads the durable topic
 * {@code atrium.segment-events} with a shared durable subscription named by {@code subscription},
 * so nothing is missed while the route is stopped and several hubs share the work; an exchange that
 * fails is redelivered by the broker with backoff.
 */
public class SegmentEventsEndpoint extends DefaultEndpoint {

    private final ConnectionFactory connectionFactory;
    private final ObjectMapper mapper;
    private final JdbcTemplate jdbc;

    @UriParam(description = "Name of the durable subscription; routes that share it share the events")
    private String subscription;
    @UriParam(description = "Only entries or only exits: entered, exited (default both)")
    private String type;
    @UriParam(description = "Only this segment id")
    private Long segment;

    public SegmentEventsEndpoint(String uri, Component component, ConnectionFactory connectionFactory, ObjectMapper mapper,
                                 JdbcTemplate jdbc) {
        super(uri, component);
        this.connectionFactory = connectionFactory;
        this.mapper = mapper;
        this.jdbc = jdbc;
    }

    public void setSubscription(String subscription) { this.subscription = subscription; }
    public String getSubscription() { return subscription; }
    public void setType(String type) { this.type = type; }
    public String getType() { return type; }
    public void setSegment(Long segment) { this.segment = segment; }
    public Long getSegment() { return segment; }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("atrium:segment-events can only be consumed (use it in 'from:')");
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        if (subscription == null || !subscription.matches("[A-Za-z0-9_.-]{1,100}")) {
            throw new IllegalArgumentException("atrium:segment-events needs ?subscription=<name> (letters, digits, . _ -): "
                    + "the durable subscription that remembers where the route is");
        }
        if (type != null && !type.equals("entered") && !type.equals("exited")) {
            throw new IllegalArgumentException("atrium:segment-events type must be entered or exited, got '" + type + "'");
        }
        return new DefaultConsumer(this, processor) {
            private DefaultMessageListenerContainer container;

            @Override
            protected void doStart() throws Exception {
                super.doStart();
                container = new DefaultMessageListenerContainer();
                container.setConnectionFactory(connectionFactory);
                container.setDestinationName(Queues.SEGMENT_EVENTS);
                container.setPubSubDomain(true);
                container.setSubscriptionDurable(true);
                container.setSubscriptionShared(true);
                container.setSubscriptionName("route-" + subscription);
                container.setSessionTransacted(true);
                container.setMessageListener((jakarta.jms.MessageListener) message -> {
                    try {
                        Map<String, Object> body = mapper.readValue(((TextMessage) message).getText(),
                                new TypeReference<LinkedHashMap<String, Object>>() { });
                        if (type != null && !type.equals(body.get("type"))) {
                            return;
                        }
                        if (segment != null && !segment.equals(((Number) body.get("segmentId")).longValue())) {
                            return;
                        }
                        Map<String, String> identities = new LinkedHashMap<>();
                        jdbc.query("SELECT type, value FROM identities WHERE profile_id = ? ORDER BY first_seen, id",
                                rs -> { identities.put(rs.getString(1), rs.getString(2)); },
                                ((Number) body.get("profileId")).longValue());
                        body.put("identities", identities);
                        Exchange exchange = createExchange(false);
                        exchange.getMessage().setBody(body);
                        try {
                            getProcessor().process(exchange);
                            if (exchange.getException() != null) {
                                throw exchange.getException();
                            }
                        } finally {
                            releaseExchange(exchange, false);
                        }
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("route of atrium:segment-events failed: " + e.getMessage(), e);
                    }
                });
                container.afterPropertiesSet();
                container.start();
            }

            @Override
            protected void doStop() throws Exception {
                if (container != null) {
                    container.shutdown();
                }
                super.doStop();
            }
        };
    }
}
