package io.atrium.server.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;
import io.atrium.server.broker.Queues;
import io.atrium.server.intake.EventIntake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Component;

/**
 * What channels report back. A status update is written to the durable queue
 * {@code atrium.message-status} before the plugin's call returns, and applied from there: a receipt
 * that arrives before the hub has recorded the send (an SMSC can be that quick) is retried until the
 * message is known. Replies and opt-outs become events on the person's profile at once; a reply that
 * is an opt-out keyword withdraws the person's consent for the channel ({@code consent_changed},
 * purpose {@code all}).
 */
@Component
public class Feedback extends RouteBuilder {

    private static final Logger log = LoggerFactory.getLogger(Feedback.class);

    private final JmsTemplate jms;
    private final ObjectMapper mapper;
    private final MessageStore store;
    private final EventIntake intake;
    private final Set<String> optOutKeywords;
    private final Counter unknown;

    public Feedback(JmsTemplate jms, ObjectMapper mapper, MessageStore store, EventIntake intake, MeterRegistry registry,
                    @Value("${atrium.messages.opt-out-keywords:STOP,STOPALL,UNSUBSCRIBE,CANCEL,END,QUIT,СТОП,ОТПИСАТЬСЯ,ВІДПИСАТИСЯ}")
                    List<String> optOutKeywords) {
        this.jms = jms;
        this.mapper = mapper;
        this.store = store;
        this.intake = intake;
        this.optOutKeywords = Set.copyOf(optOutKeywords.stream().map(k -> k.strip().toUpperCase(Locale.ROOT)).toList());
        this.unknown = Counter.builder("atrium.messages.unknown-reports")
                .description("Status reports naming a message the hub does not know").register(registry);
    }

    /** The feedback a plugin gets for {@code channel}. */
    public ChannelFeedback forChannel(String channel, ChannelOptions options) {
        return new ChannelFeedback() {
            @Override
            public void status(StatusUpdate update) {
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("reportId", UUID.randomUUID().toString());
                report.put("channel", channel);
                report.put("messageId", update.messageId());
                report.put("providerMessageId", update.providerMessageId());
                report.put("status", update.status().wireName());
                report.put("reason", update.reason());
                report.put("detail", update.detail());
                report.put("at", (update.at() == null ? Instant.now() : update.at()).toString());
                report.put("attributes", update.attributes());
                try {
                    jms.convertAndSend(Queues.MESSAGE_STATUS, mapper.writeValueAsString(report));
                } catch (Exception e) {
                    throw new IllegalStateException("the hub could not queue the status report: " + e.getMessage(), e);
                }
            }

            @Override
            public void inbound(InboundMessage message) {
                Instant at = message.at() == null ? Instant.now() : message.at();
                String key = message.providerMessageId() != null ? message.providerMessageId() : UUID.randomUUID().toString();
                List<Event> events = new ArrayList<>();
                Event.Builder received = Event.track("message_received").messageId("in-" + channel + "-" + key)
                        .timestamp(at).receivedAt(Instant.now()).source(MessageStore.SOURCE)
                        .identity(options.addressType(), message.from())
                        .property("channel", channel).property("text", message.text());
                if (message.to() != null) {
                    received.property("to", message.to());
                }
                message.attributes().forEach(received::property);
                events.add(received.build());
                if (isOptOut(message.text())) {
                    events.add(optOut(channel, options, message.from(), at, "replied \"" + message.text().strip() + "\"",
                            "optout-" + channel + "-" + key));
                }
                intake.submit(events);
            }

            @Override
            public void optedOut(String address, Instant at, String detail) {
                intake.submit(List.of(optOut(channel, options, address, at == null ? Instant.now() : at, detail,
                        "optout-" + channel + "-" + UUID.randomUUID())));
            }
        };
    }

    boolean isOptOut(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        return optOutKeywords.contains(t);
    }

    /** The consent event that opts a person at an address out of a channel altogether. */
    static Event optOut(String channel, ChannelOptions options, String address, Instant at, String detail, String messageId) {
        Event.Builder b = Event.track("consent_changed").messageId(messageId).timestamp(at).receivedAt(Instant.now())
                .source(MessageStore.SOURCE).identity(options.addressType(), address)
                .property("channel", channel).property("purpose", ConsentCheck.ALL).property("granted", false);
        if (detail != null) {
            b.property("detail", detail);
        }
        return b.build();
    }

    @Override
    public void configure() {
        from("jms:queue:" + Queues.MESSAGE_STATUS + "?transacted=true&concurrentConsumers=1")
                .routeId("atrium-message-status")
                .process(exchange -> apply(exchange.getMessage().getBody(String.class),
                        exchange.getMessage().getHeader("JMSXDeliveryCount", 1, Integer.class)));
    }

    /** The number of deliveries after which a report for an unknown message is dropped. */
    static final int UNKNOWN_REPORT_ATTEMPTS = 5;

    void apply(String body, int deliveryCount) throws Exception {
        JsonNode r = mapper.readTree(body);
        String channel = r.path("channel").asText();
        String messageId = text(r, "messageId");
        String providerId = text(r, "providerMessageId");
        Optional<MessageStore.Row> m = messageId != null ? store.find(messageId).filter(x -> x.channel().equals(channel))
                : store.byProviderId(channel, providerId);
        if (m.isEmpty()) {
            if (deliveryCount < UNKNOWN_REPORT_ATTEMPTS) {
                throw new IllegalStateException("no " + channel + " message " + (messageId != null ? messageId : "with provider id "
                        + providerId) + " yet; retrying the report");
            }
            unknown.increment();
            log.warn("Channel '{}': a '{}' report names no known message ({}); dropped", channel, r.path("status").asText(),
                    messageId != null ? "message " + messageId : "provider id " + providerId);
            return;
        }
        Map<String, Object> attributes = mapper.convertValue(r.path("attributes"),
                mapper.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
        store.record(m.get().id(), r.path("reportId").asText(), MessageStatus.fromWire(r.path("status").asText()),
                text(r, "reason"), text(r, "detail"), Instant.parse(r.path("at").asText()), attributes == null ? Map.of() : attributes);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
