package io.atrium.server.collector;

import java.time.Instant;
import java.util.UUID;

/** A named origin of events with its own write key. A revoked source's key no longer works. */
public record Source(UUID id, String name, String writeKey, Instant createdAt, Instant revokedAt) {

    public boolean isActive() {
        return revokedAt == null;
    }
}
