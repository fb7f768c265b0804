package io.atrium.server.security;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.atrium.server.api.ApiException;
import io.atrium.server.config.AtriumProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The local users (table {@code users}): passwords only as hashes, at least one enabled admin at
 * all times, and on the first start an {@code admin} whose password comes from
 * {@code atrium.security.admin-password} or is generated and printed once.
 */
@Service
public class UserStore implements UserDetailsService {

    private static final Logger log = LoggerFactory.getLogger(UserStore.class);
    static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    static final int MIN_PASSWORD = 8;

    public record UserView(String username, String role, String displayName, boolean enabled, String source,
                           Instant createdAt, Instant updatedAt, Instant lastLoginAt) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final PasswordEncoder encoder;
    private final AtriumProperties properties;

    public UserStore(JdbcTemplate jdbc, TransactionTemplate tx, PasswordEncoder encoder, AtriumProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.encoder = encoder;
        this.properties = properties;
    }

    /** Creates the first admin when there are no users at all (a fresh data directory). */
    @EventListener(ApplicationReadyEvent.class)
    public void ensureFirstAdmin() {
        Integer users = jdbc.queryForObject("SELECT count(*) FROM users", Integer.class);
        if (users != null && users > 0) {
            return;
        }
        String configured = properties.getSecurity().getAdminPassword();
        boolean generated = configured == null || configured.isBlank();
        String password = generated ? randomPassword() : configured;
        try {
            jdbc.update("INSERT INTO users (username, password_hash, role, display_name) VALUES ('admin', ?, 'admin', 'Administrator')",
                    encoder.encode(password));
        } catch (DuplicateKeyException raced) {
            return; // another node created it at the same moment
        }
        if (generated) {
            log.warn("""

                    ==================================================================
                    Created the console user 'admin' with the generated password:

                        {}

                    Sign in at /console/ and change it (or set ATRIUM_SECURITY_ADMIN_PASSWORD
                    before the first start). It is printed only now.
                    ==================================================================
                    """, password);
        } else {
            log.info("Created the console user 'admin' with the password from atrium.security.admin-password");
        }
    }

    private static String randomPassword() {
        byte[] random = new byte[15];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        List<UserDetails> found = jdbc.query("SELECT username, password_hash, role, enabled FROM users WHERE username = ?",
                (rs, i) -> User.withUsername(rs.getString(1)).password(rs.getString(2))
                        .authorities(Role.parse(rs.getString(3)).orElse(Role.VIEWER).authority())
                        .disabled(!rs.getBoolean(4)).build(),
                username);
        if (found.isEmpty()) {
            throw new UsernameNotFoundException("no such user");
        }
        return found.get(0);
    }

    public List<UserView> list() {
        return jdbc.query("SELECT * FROM users ORDER BY username", UserStore::view);
    }

    public Optional<UserView> find(String username) {
        return jdbc.query("SELECT * FROM users WHERE username = ?", UserStore::view, username).stream().findFirst();
    }

    public void touchLogin(String username) {
        jdbc.update("UPDATE users SET last_login_at = now() WHERE username = ?", username);
    }

    /** A new user; 400 naming the field for a bad one, 409 if the name is taken. */
    public UserView create(String username, String password, String role, String displayName) {
        Map<String, String> problems = new LinkedHashMap<>();
        if (username == null || !USERNAME.matcher(username).matches()) {
            problems.put("username", "1 to 64 letters, digits or . _ @ -");
        }
        checkPassword(password, problems);
        Optional<Role> r = Role.parse(role);
        if (r.isEmpty()) {
            problems.put("role", "one of admin, integrator, marketer, viewer");
        }
        refuse(problems);
        try {
            jdbc.update("INSERT INTO users (username, password_hash, role, display_name) VALUES (?, ?, ?, ?)",
                    username, encoder.encode(password), r.get().id(), blankToNull(displayName));
        } catch (DuplicateKeyException e) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("field", "username", "message", "a user named " + username + " exists"));
        }
        return find(username).orElseThrow();
    }

    /**
     * Changes what is given (null = unchanged). Refuses, with 409, to leave the hub without an
     * enabled admin.
     */
    public UserView update(String username, String password, String role, String displayName, Boolean enabled) {
        Map<String, String> problems = new LinkedHashMap<>();
        if (password != null) {
            checkPassword(password, problems);
        }
        Optional<Role> r = role == null ? Optional.empty() : Role.parse(role);
        if (role != null && r.isEmpty()) {
            problems.put("role", "one of admin, integrator, marketer, viewer");
        }
        refuse(problems);
        return tx.execute(s -> {
            UserView before = lockedFind(username);
            boolean stillAdmin = r.map(x -> x == Role.ADMIN).orElse(before.role().equals("admin"))
                    && (enabled == null ? before.enabled() : enabled);
            if (before.role().equals("admin") && before.enabled() && !stillAdmin) {
                requireAnotherAdmin(username);
            }
            jdbc.update("""
                    UPDATE users SET password_hash = COALESCE(?, password_hash), role = COALESCE(?, role),
                           display_name = CASE WHEN ? THEN ? ELSE display_name END, enabled = COALESCE(?, enabled), updated_at = now()
                     WHERE username = ?""",
                    password == null ? null : encoder.encode(password), r.map(Role::id).orElse(null),
                    displayName != null, blankToNull(displayName), enabled, username);
            return find(username).orElseThrow();
        });
    }

    public void delete(String username) {
        tx.executeWithoutResult(s -> {
            UserView before = lockedFind(username);
            if (before.role().equals("admin") && before.enabled()) {
                requireAnotherAdmin(username);
            }
            jdbc.update("DELETE FROM users WHERE username = ?", username);
        });
        endSessions(username);
    }

    /** Signs out every session of the user (after a password or role change, or a deletion). */
    public void endSessions(String username) {
        jdbc.update("DELETE FROM spring_session WHERE principal_name = ?", username);
    }

    public boolean passwordMatches(String username, String password) {
        List<String> hash = jdbc.queryForList("SELECT password_hash FROM users WHERE username = ?", String.class, username);
        return !hash.isEmpty() && password != null && encoder.matches(password, hash.get(0));
    }

    private UserView lockedFind(String username) {
        // All admin rows are locked in one order so two concurrent demotions cannot both pass the check.
        jdbc.queryForList("SELECT username FROM users WHERE role = 'admin' ORDER BY username FOR UPDATE");
        return jdbc.query("SELECT * FROM users WHERE username = ? FOR UPDATE", UserStore::view, username).stream().findFirst()
                .orElseThrow(() -> ApiException.notFound("user " + username));
    }

    private void requireAnotherAdmin(String username) {
        Integer others = jdbc.queryForObject("SELECT count(*) FROM users WHERE role = 'admin' AND enabled AND username <> ?",
                Integer.class, username);
        if (others == null || others == 0) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict",
                    Map.of("field", "username", "message", username + " is the last enabled admin: make another user admin first"));
        }
    }

    private static void checkPassword(String password, Map<String, String> problems) {
        if (password == null || password.length() < MIN_PASSWORD) {
            problems.put("password", "at least " + MIN_PASSWORD + " characters");
        } else if (password.length() > 200) {
            problems.put("password", "at most 200 characters");
        }
    }

    private static void refuse(Map<String, String> problems) {
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_user",
                    Map.of("field", first.getKey(), "message", first.getValue(), "problems", problems));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static UserView view(ResultSet rs, int i) throws SQLException {
        return new UserView(rs.getString("username"), rs.getString("role"), rs.getString("display_name"), rs.getBoolean("enabled"),
                "local", instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("updated_at")), instant(rs.getTimestamp("last_login_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
