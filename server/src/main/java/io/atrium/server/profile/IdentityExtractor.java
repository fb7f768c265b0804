package io.atrium.server.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import io.atrium.plugin.api.Event;

/**
 * Finds the identities an event carries: {@code userId} → {@code user_id}, {@code anonymousId} →
 * {@code anonymous_id}, an alias' {@code previousId}, {@code traits.email} and {@code traits.phone}
 * of an identify, and every entry of {@link Event#identities()}. Values are normalised; an invalid
 * one is reported to {@code skipped} (type, reason) and left out, the event itself is kept.
 */
public final class IdentityExtractor {

    private final IdentityNormalizer normalizer;

    public IdentityExtractor(IdentityNormalizer normalizer) {
        this.normalizer = normalizer;
    }

    /** What an event says about who it is. {@code previousId} is kept apart: it may be a user id or an anonymous id. */
    public record Found(List<Identity> identities, String previousId) {
    }

    public Found extract(Event e, BiConsumer<String, String> skipped) {
        List<Identity> out = new ArrayList<>();
        add(out, "user_id", e.userId(), skipped);
        add(out, "anonymous_id", e.anonymousId(), skipped);
        if ("identify".equals(e.type())) {
            Map<String, Object> traits = e.traits();
            if (traits.get("email") instanceof String email) {
                add(out, "email", email, skipped);
            }
            if (traits.get("phone") instanceof String phone) {
                add(out, "phone", phone, skipped);
            }
        }
        for (Map.Entry<String, String> id : e.identities().entrySet()) {
            if (!IdentityNormalizer.validType(id.getKey())) {
                skipped.accept("invalid", "invalid_type");
                continue;
            }
            add(out, id.getKey(), id.getValue(), skipped);
        }
        String previous = null;
        if ("alias".equals(e.type()) && e.previousId() != null && !e.previousId().isBlank()) {
            previous = e.previousId().strip();
        }
        return new Found(out, previous);
    }

    private void add(List<Identity> out, String type, String value, BiConsumer<String, String> skipped) {
        if (value == null) {
            return;
        }
        normalizer.normalize(type, value).ifPresentOrElse(v -> {
            Identity id = new Identity(type, v);
            if (!out.contains(id)) {
                out.add(id);
            }
        }, () -> skipped.accept(type, "invalid_" + (type.equals("phone") || type.equals("email") ? type : "value")));
    }
}
