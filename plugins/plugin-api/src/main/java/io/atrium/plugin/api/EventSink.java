package io.atrium.plugin.api;

import java.util.List;

/** The hub's event intake, as seen by a plugin. */
public interface EventSink {

    /**
     * Hands events to the hub. When this returns, the events are in the hub's durable queue;
     * when it throws, none of them is.
     *
     * @throws EventRejectedException if an event is invalid (nothing is stored) or the hub cannot
     *                                store them right now ({@link EventRejectedException#isTransient()})
     */
    void submit(List<Event> events);

    default void submit(Event event) {
        submit(List.of(event));
    }
}
