package io.atrium.plugins.erp;

import java.util.ArrayList;
import java.util.List;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;

/**
 * Hands events to the hub, in order. The hub takes a list all or nothing; when it refuses a list
 * for good (an event it finds invalid), the list is halved until the refused events are found,
 * so the others still go in and each refused one is named. When it refuses for now (broker or
 * database unavailable), {@link HubUnavailable} stops the caller: what was submitted before is
 * durable, the rest is not, and a retry with the same message ids stores nothing twice.
 */
final class Intake {

    /** The hub cannot store events right now; retry later. */
    static final class HubUnavailable extends RuntimeException {
        HubUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An event the hub refused for good: its index in the submitted list and the hub's reason. */
    record Refused(int index, String reason) {
    }

    private final EventSink sink;

    Intake(EventSink sink) {
        this.sink = sink;
    }

    /**
     * Submits {@code events}; returns the ones the hub refused for good (empty: all are stored).
     *
     * @throws HubUnavailable when the hub refused for now; nothing from the failing part on is stored
     */
    List<Refused> submit(List<Event> events) {
        List<Refused> refused = new ArrayList<>();
        if (!events.isEmpty()) {
            submit(events, 0, refused);
        }
        return refused;
    }

    private void submit(List<Event> events, int offset, List<Refused> refused) {
        try {
            sink.submit(events);
        } catch (EventRejectedException e) {
            if (e.isTransient()) {
                throw new HubUnavailable("the hub cannot store events right now: " + e.getMessage(), e);
            }
            if (events.size() == 1) {
                refused.add(new Refused(offset, e.getMessage()));
                return;
            }
            int half = events.size() / 2;
            submit(events.subList(0, half), offset, refused);
            submit(events.subList(half, events.size()), offset + half, refused);
        } catch (RuntimeException e) {
            // Anything else (the intake failed in a way it does not classify) may go away: treat it as transient.
            throw new HubUnavailable("the hub could not take the events: " + e, e);
        }
    }
}
