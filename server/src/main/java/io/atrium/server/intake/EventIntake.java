package io.atrium.server.intake;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;
import io.atrium.server.broker.Queues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.jms.JmsException;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Service;

/**
 * The one door events come in through: the collector, plugins and YAML routes all end here.
 * A batch is written to the durable events queue as one persistent message (a bytes message
 * holding the UTF-8 JSON array of the events), so a call that returns has put every event of the
 * batch in the broker's journal, and a call that throws has put none.
 */
@Service
public class EventIntake implements EventSink {

    private final JmsTemplate jms;
    private final ObjectMapper mapper;
    private final Counter accepted;
    private final Counter rejected;

    public EventIntake(JmsTemplate jms, ObjectMapper mapper, MeterRegistry registry) {
        this.jms = jms;
        // Writes instants without DateTimeFormatter: an event carries three or four of them.
        this.mapper = mapper.copy().registerModule(io.atrium.server.support.FastInstant.jacksonModule());
        this.accepted = Counter.builder("atrium.intake.events").tag("result", "accepted")
                .description("Events written to the durable events queue").register(registry);
        this.rejected = Counter.builder("atrium.intake.events").tag("result", "rejected")
                .description("Events refused by the intake").register(registry);
    }

    @Override
    public void submit(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (e == null) {
                rejected.increment(events.size());
                throw new EventRejectedException("event " + i + " is null", false, null);
            }
        }
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(events);
        } catch (JsonProcessingException e) {
            rejected.increment(events.size());
            throw new EventRejectedException("events cannot be written as JSON: " + e.getOriginalMessage(), false, e);
        }
        if (nulAt(json) >= 0) {
            rejected.increment(events.size());
            throw new EventRejectedException(withNul(events) + " holds the NUL character (U+0000) in a string, which PostgreSQL "
                    + "cannot store; none of the " + events.size() + " event(s) was taken", false, null);
        }
        try {
            jms.send(Queues.EVENTS, session -> {
                var message = session.createBytesMessage();
                message.writeBytes(json);
                message.setIntProperty("atrium_count", events.size());
                return message;
            });
        } catch (JmsException e) {
            rejected.increment(events.size());
            throw new EventRejectedException("the event queue is unavailable: " + e.getMessage(), true, e);
        }
        accepted.increment(events.size());
    }

    /**
     * Where the JSON written by Jackson holds {@code \u0000} (the escape it writes for U+0000), or -1.
     * Every backslash there starts an escape, so an escaped backslash followed by "u0000" is skipped.
     */
    static int nulAt(byte[] json) {
        for (int i = 0; i < json.length - 1; i++) {
            if (json[i] == '\\') {
                if (json[i + 1] == 'u' && i + 5 < json.length && json[i + 2] == '0' && json[i + 3] == '0' && json[i + 4] == '0'
                        && json[i + 5] == '0') {
                    return i;
                }
                i++;
            }
        }
        return -1;
    }

    /** Which event holds the NUL character, for the refusal (only on that rare path). */
    private String withNul(List<Event> events) {
        for (int i = 0; i < events.size(); i++) {
            try {
                if (nulAt(mapper.writeValueAsBytes(events.get(i))) >= 0) {
                    return "event " + i + " (messageId " + events.get(i).messageId() + ")";
                }
            } catch (JsonProcessingException e) {
                return "an event";
            }
        }
        return "an event";
    }
}
