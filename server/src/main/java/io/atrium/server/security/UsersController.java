package io.atrium.server.security;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.server.api.ApiException;
import io.atrium.server.audit.AuditLog;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Local users (admin only) and the signed-in user's own view ({@code /api/v1/me}). */
@RestController
@RequestMapping("/api/v1")
public class UsersController {

    private final UserStore users;
    private final AuditLog audit;

    public UsersController(UserStore users, AuditLog audit) {
        this.users = users;
        this.audit = audit;
    }

    public record UserRequest(String username, String password, String role, String displayName, Boolean enabled) {
    }

    public record PasswordChange(String currentPassword, String newPassword) {
    }

    /** Who is signed in: name, role, where the account lives (local, ldap, token). */
    @GetMapping("/me")
    public Map<String, Object> me(Authentication who) {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("username", who.getName());
        Role role = Role.of(who.getAuthorities()).orElse(Role.VIEWER);
        me.put("role", role.id());
        String source = who.getPrincipal() instanceof String ? "token" : "local";
        String displayName = null;
        if (who.getPrincipal() instanceof org.springframework.security.ldap.userdetails.LdapUserDetails) {
            source = "ldap";
        } else if (!"token".equals(source)) {
            var local = users.find(who.getName());
            if (local.isPresent()) {
                displayName = local.get().displayName();
            } else {
                source = "ldap";
            }
        }
        me.put("displayName", displayName == null ? who.getName() : displayName);
        me.put("source", source);
        return me;
    }

    /** A local user changes their own password; the current one must be given. */
    @PutMapping("/me/password")
    public ResponseEntity<Void> changeOwnPassword(@RequestBody PasswordChange body, Authentication who) {
        if (users.find(who.getName()).isEmpty()) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", "only local users have a password here; change a directory password in the directory");
        }
        if (body == null || !users.passwordMatches(who.getName(), body.currentPassword())) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_user", Map.of("field", "currentPassword", "message", "is not the current password"));
        }
        users.update(who.getName(), body.newPassword(), null, null, null);
        audit.record(who.getName(), "user.password", "user/" + who.getName(), Map.of());
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/users")
    public List<UserStore.UserView> list() {
        return users.list();
    }

    @GetMapping("/users/{username}")
    public UserStore.UserView get(@PathVariable String username) {
        return users.find(username).orElseThrow(() -> ApiException.notFound("user " + username));
    }

    @PostMapping("/users")
    public ResponseEntity<UserStore.UserView> create(@RequestBody UserRequest body, Principal who) {
        if (body == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_user", Map.of("field", "username", "message", "a JSON object is expected"));
        }
        UserStore.UserView created = users.create(body.username(), body.password(), body.role(), body.displayName());
        audit.record(who.getName(), "user.create", "user/" + created.username(), Map.of("role", created.role()));
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @PutMapping("/users/{username}")
    public UserStore.UserView update(@PathVariable String username, @RequestBody UserRequest body, Principal who) {
        if (body == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_user", Map.of("field", "role", "message", "a JSON object is expected"));
        }
        UserStore.UserView before = users.find(username).orElseThrow(() -> ApiException.notFound("user " + username));
        UserStore.UserView after = users.update(username, body.password(), body.role(), body.displayName(), body.enabled());
        Map<String, Object> changed = new LinkedHashMap<>();
        if (!before.role().equals(after.role())) {
            changed.put("role", before.role() + " -> " + after.role());
        }
        if (before.enabled() != after.enabled()) {
            changed.put("enabled", after.enabled());
        }
        if (body.password() != null) {
            changed.put("password", "changed");
        }
        if (!changed.isEmpty()) {
            // A changed role, password or a disabled account takes effect at once: sessions end.
            users.endSessions(username);
        }
        audit.record(who.getName(), "user.update", "user/" + username, changed);
        return after;
    }

    @DeleteMapping("/users/{username}")
    public ResponseEntity<Void> delete(@PathVariable String username, Principal who) {
        users.delete(username);
        audit.record(who.getName(), "user.delete", "user/" + username, Map.of());
        return ResponseEntity.noContent().build();
    }
}
