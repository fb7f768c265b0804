package io.atrium.server.intake;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
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

    AtriumEndpoint(String uri, Component component, EventIntake intake, ObjectMapper mapper) {
        super(uri, component);
        this.intake = intake;
        this.mapper = mapper;
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                List<Event> events = toEvents(exchange.getMessage().getBody());
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
        if (body == null) {
            throw new IllegalArgumentException("atrium:events needs a body: an event or a list of events");
        }
        if (body instanceof Event e) {
            return List.of(e);
        }
        if (body instanceof byte[] bytes) {
            body = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (body instanceof String text) {
            JsonNode node = mapper.readTree(text);
            return node.isArray() ? mapper.convertValue(node, new TypeReference<List<Event>>() { })
                    : List.of(mapper.convertValue(node, Event.class));
        }
        if (body instanceof Map<?, ?> map) {
            return List.of(mapper.convertValue(map, Event.class));
        }
        if (body instanceof Collection<?> items) {
            List<Event> out = new ArrayList<>();
            for (Object item : items) {
                out.addAll(toEvents(item));
            }
            return out;
        }
        throw new IllegalArgumentException("atrium:events cannot take a body of type " + body.getClass().getName()
                + "; send an Event, a Map, a list of them, or JSON text");
    }
}
