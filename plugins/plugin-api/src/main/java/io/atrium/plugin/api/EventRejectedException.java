package io.atrium.plugin.api;

/** Thrown by {@link EventSink#submit} when the hub did not store the events. */
public class EventRejectedException extends RuntimeException {

    private final boolean transientFailure;

    public EventRejectedException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** True when trying again later may succeed (broker or database unavailable). */
    public boolean isTransient() {
        return transientFailure;
    }
}
