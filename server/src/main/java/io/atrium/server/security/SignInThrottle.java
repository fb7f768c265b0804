package io.atrium.server.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * Slows down password guessing: after {@code MAX_FAILURES} failed sign-ins of one user name within
 * {@code WINDOW}, that name is refused for {@code LOCK} whatever the password (per hub node, in
 * memory). Applies to the console's sign-in and to HTTP Basic alike.
 */
final class SignInThrottle implements AuthenticationManager {

    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final Duration LOCK = Duration.ofMinutes(5);

    private final AuthenticationManager inner;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    SignInThrottle(AuthenticationManager inner, Clock clock) {
        this.inner = inner;
        this.clock = clock;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String name = String.valueOf(authentication.getName()).toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        Deque<Instant> recent = failures.get(name);
        if (recent != null) {
            synchronized (recent) {
                while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(WINDOW))) {
                    recent.pollFirst();
                }
                if (recent.size() >= MAX_FAILURES && recent.peekLast().plus(LOCK).isAfter(now)) {
                    throw new LockedException("too many failed sign-ins: try again in a few minutes");
                }
            }
        }
        try {
            Authentication done = inner.authenticate(authentication);
            failures.remove(name);
            return done;
        } catch (AuthenticationException e) {
            if (failures.size() > 100_000) {
                failures.clear(); // a flood of made-up names must not fill the memory
            }
            Deque<Instant> list = failures.computeIfAbsent(name, k -> new ArrayDeque<>());
            synchronized (list) {
                list.addLast(now);
                while (list.size() > MAX_FAILURES) {
                    list.pollFirst();
                }
            }
            throw e;
        }
    }
}
