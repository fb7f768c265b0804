package io.atrium.server.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What a user may do (docs/console.md#roles). Enforced on the server by URL for the console and
 * /api/v1 alike: an admin may do everything, an integrator looks after plugins, routes, sources and
 * health, a marketer after profiles, segments, templates and campaigns, and a viewer only reads.
 */
public enum Role {
    ADMIN, INTEGRATOR, MARKETER, VIEWER;

    /** The name in the API and the database: admin, integrator, marketer, viewer. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public GrantedAuthority authority() {
        return new SimpleGrantedAuthority("ROLE_" + name());
    }

    public static Optional<Role> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.name().equals(v)).findFirst();
    }

    /** The role a set of granted authorities carries (the strongest one, if several). */
    public static Optional<Role> of(Iterable<? extends GrantedAuthority> authorities) {
        Role best = null;
        for (GrantedAuthority a : authorities) {
            String name = a.getAuthority();
            if (name != null && name.startsWith("ROLE_")) {
                Optional<Role> r = parse(name.substring(5));
                if (r.isPresent() && (best == null || r.get().ordinal() < best.ordinal())) {
                    best = r.get();
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
