package io.atrium.server.intake;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.Event;

import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/** {@code atrium:events}: a producer-only endpoint that submits the body to the event intake. */
public class AtriumEndpoint extends DefaultEndpoint {

    private final EventIntake intake;
    private final ObjectMapper mapper;
    private final EventValidator validator;

    AtriumEndpoint(String uri, Component component, EventIntake intake, ObjectMapper mapper, EventValidator validator) {
        super(uri, component);
        this.intake = intake;
        this.mapper = mapper;
        this.validator = validator;
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                List<Event> events = toEvents(exchange.getMessage().getBody(), exchange.getFromRouteId());
                intake.submit(events);
                exchange.getMessage().setHeader("AtriumEventCount", events.size());
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("atrium:events can only be sent to (use it in 'to:')");
    }

    List<Event> toEvents(Object body) throws Exception {
        return toEvents(body, null);
    }

    /**
     * Events in the body. JSON text and maps are read by {@link EventValidator} (Segment's shape plus
     * {@code identities}): each gets a messageId when it has none, receivedAt, and a timestamp;
     * {@code source} is the event's own, else {@code route:<routeId>}. Every problem of every event is
     * reported at once and none of them is taken.
     */
    List<Event> toEvents(Object body, String routeId) throws Exception {
        if (body == null) {
            throw new IllegalArgumentException("atrium:events needs a body: an event or a list of events");
        }
        List<JsonNode> items = new ArrayList<>();
        flatten(body, items);
        try {
            return validator.readForIntake(items, routeId == null ? null : "route:" + routeId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("atrium:events " + e.getMessage(), e);
        }
    }

    private void flatten(Object body, List<JsonNode> out) throws Exception {
        if (body instanceof Event e) {
            out.add(mapper.valueToTree(e));
        } else if (body instanceof byte[] bytes) {
            flatten(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), out);
        } else if (body instanceof String text) {
            JsonNode node = mapper.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("atrium:events needs a body: an event or a list of events");
            }
            if (node.isArray()) {
                node.forEach(out::add);
            } else {
                out.add(node);
            }
        } else if (body instanceof JsonNode node) { // what jq and the JSON data formats give
            if (node.isArray()) {
                node.forEach(out::add);
            } else {
                out.add(node);
            }
        } else if (body instanceof Map<?, ?> map) {
            out.add(mapper.valueToTree(map));
        } else if (body instanceof Collection<?> items) {
            for (Object item : items) {
                flatten(item, out);
            }
        } else {
            throw new IllegalArgumentException("atrium:events cannot take a body of type " + body.getClass().getName()
                    + "; send an Event, a Map, a list of them, a JSON tree, or JSON text");
        }
    }
}
