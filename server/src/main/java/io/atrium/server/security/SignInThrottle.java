package io.atrium.server.security;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * Slows down password guessing: after {@code MAX_FAILURES} failed sign-ins of one user name within
 * {@code WINDOW}, that name is refused for {@code LOCK} whatever the password. The failures are
 * counted over every hub node ({@link #shared}: the {@code sign_in_failures} table), so a second
 * node behind the same load balancer gives no more guesses. Applies to the console's sign-in and to
 * HTTP Basic alike; a request with no failures behind its name costs one indexed read.
 */
final class SignInThrottle implements AuthenticationManager {

    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final Duration LOCK = Duration.ofMinutes(5);

    /** Where the failures are kept. */
    interface Failures {
        /** The newest (at most {@link #MAX_FAILURES}) failures of {@code name} after {@code since}, oldest first. */
        List<Instant> since(String name, Instant since);

        /** Records a failure of {@code name}; failures of anyone before {@code forgetBefore} may go. */
        void add(String name, Instant at, Instant forgetBefore);

        void clear(String name);
    }

    private final AuthenticationManager inner;
    private final Clock clock;
    private final Failures failures;

    SignInThrottle(AuthenticationManager inner, Clock clock, Failures failures) {
        this.inner = inner;
        this.clock = clock;
        this.failures = failures;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String name = String.valueOf(authentication.getName()).toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        List<Instant> recent = failures.since(name, now.minus(WINDOW));
        if (recent.size() >= MAX_FAILURES && recent.get(recent.size() - 1).plus(LOCK).isAfter(now)) {
            throw new LockedException("too many failed sign-ins: try again in a few minutes");
        }
        try {
            Authentication done = inner.authenticate(authentication);
            if (!recent.isEmpty()) {
                failures.clear(name);
            }
            return done;
        } catch (AuthenticationException e) {
            failures.add(name, now, now.minus(WINDOW));
            throw e;
        }
    }

    /** Failures in PostgreSQL, seen by every hub node on the database. */
    static Failures shared(JdbcTemplate jdbc) {
        return new Failures() {
            @Override
            public List<Instant> since(String name, Instant since) {
                List<Instant> out = new ArrayList<>(jdbc.queryForList("SELECT at FROM sign_in_failures WHERE username = ? AND at > ? "
                        + "ORDER BY at DESC LIMIT ?", Timestamp.class, name, Timestamp.from(since), MAX_FAILURES)
                        .stream().map(Timestamp::toInstant).toList());
                Collections.reverse(out);
                return out;
            }

            @Override
            public void add(String name, Instant at, Instant forgetBefore) {
                jdbc.update("DELETE FROM sign_in_failures WHERE at < ?", Timestamp.from(forgetBefore));
                jdbc.update("INSERT INTO sign_in_failures (username, at) VALUES (?, ?)", name, Timestamp.from(at));
            }

            @Override
            public void clear(String name) {
                jdbc.update("DELETE FROM sign_in_failures WHERE username = ?", name);
            }
        };
    }
}
