package io.atrium.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

class SignInThrottleTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    /** The throttle's failures kept in memory (the hub keeps them in PostgreSQL: SecurityIT). */
    static final class MemoryFailures implements SignInThrottle.Failures {
        private final java.util.Map<String, java.util.List<Instant>> byName = new java.util.HashMap<>();

        @Override
        public java.util.List<Instant> since(String name, Instant since) {
            java.util.List<Instant> all = byName.getOrDefault(name, java.util.List.of());
            java.util.List<Instant> recent = all.stream().filter(t -> t.isAfter(since)).toList();
            return recent.subList(Math.max(0, recent.size() - SignInThrottle.MAX_FAILURES), recent.size());
        }

        @Override
        public void add(String name, Instant at, Instant forgetBefore) {
            byName.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(at);
        }

        @Override
        public void clear(String name) {
            byName.remove(name);
        }
    }

    private final MutableClock clock = new MutableClock();
    private final SignInThrottle throttle = new SignInThrottle(a -> {
        if ("right".equals(a.getCredentials())) {
            return UsernamePasswordAuthenticationToken.authenticated(a.getName(), null, List.of(new SimpleGrantedAuthority("ROLE_VIEWER")));
        }
        throw new BadCredentialsException("bad");
    }, clock, new MemoryFailures());

    private static UsernamePasswordAuthenticationToken attempt(String user, String password) {
        return UsernamePasswordAuthenticationToken.unauthenticated(user, password);
    }

    @Test
    void fiveFailuresLockTheNameForAWhileEvenWithTheRightPassword() {
        for (int i = 0; i < SignInThrottle.MAX_FAILURES; i++) {
            assertThatThrownBy(() -> throttle.authenticate(attempt("Mary", "wrong"))).isInstanceOf(BadCredentialsException.class);
        }
        assertThatThrownBy(() -> throttle.authenticate(attempt("mary", "right"))).isInstanceOf(LockedException.class);
        // another name is not affected
        assertThat(throttle.authenticate(attempt("john", "right")).isAuthenticated()).isTrue();

        clock.now = clock.now.plus(SignInThrottle.LOCK).plusSeconds(1);
        assertThat(throttle.authenticate(attempt("mary", "right")).isAuthenticated()).isTrue();
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowDoNotLock() {
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> throttle.authenticate(attempt("slow", "wrong"))).isInstanceOf(BadCredentialsException.class);
            clock.now = clock.now.plus(SignInThrottle.WINDOW.dividedBy(SignInThrottle.MAX_FAILURES - 1).plus(Duration.ofSeconds(30)));
        }
        assertThat(throttle.authenticate(attempt("slow", "right")).isAuthenticated()).isTrue();
    }

    @Test
    void aSuccessForgetsEarlierFailures() {
        for (int i = 0; i < SignInThrottle.MAX_FAILURES - 1; i++) {
            assertThatThrownBy(() -> throttle.authenticate(attempt("ann", "wrong"))).isInstanceOf(BadCredentialsException.class);
        }
        throttle.authenticate(attempt("ann", "right"));
        for (int i = 0; i < SignInThrottle.MAX_FAILURES - 1; i++) {
            assertThatThrownBy(() -> throttle.authenticate(attempt("ann", "wrong"))).isInstanceOf(BadCredentialsException.class);
        }
        assertThat(throttle.authenticate(attempt("ann", "right")).isAuthenticated()).isTrue();
    }
}
