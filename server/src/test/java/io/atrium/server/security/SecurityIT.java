package io.atrium.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Sign-in, sessions, CSRF and the role matrix, as a browser and a script meet them. */
class SecurityIT extends HubTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    private static final String SEGMENT = """
            {"name": "%s", "rule": {"trait": "city", "op": "eq", "value": "Kyiv"}}""";

    /** A browser: a cookie jar, the console's sign-in form and its CSRF header. */
    final class Browser {
        final CookieManager cookies = new CookieManager();
        final HttpClient client = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> go(HttpRequest.Builder request) {
            try {
                return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        String csrf() {
            return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                    .map(HttpCookie::getValue).findFirst().orElse("");
        }

        HttpResponse<String> signIn(String user, String password) {
            HttpResponse<String> page = go(HttpRequest.newBuilder(uri("/console/")).GET());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("/console/js/app.js");
            String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
            return go(HttpRequest.newBuilder(uri("/console/login")).header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-XSRF-TOKEN", csrf()).POST(HttpRequest.BodyPublishers.ofString(form)));
        }

        HttpResponse<String> get(String path) {
            return go(HttpRequest.newBuilder(uri(path)).GET());
        }

        HttpResponse<String> post(String path, String json) {
            return go(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json").header("X-XSRF-TOKEN", csrf())
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
        }

        HttpResponse<String> delete(String path) {
            return go(HttpRequest.newBuilder(uri(path)).header("X-XSRF-TOKEN", csrf()).DELETE());
        }
    }

    private HttpResponse<String> admin(String method, String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private String newUser(String role) {
        String name = role + "-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = admin("POST", "/api/v1/users",
                "{\"username\": \"" + name + "\", \"password\": \"password-of-" + name + "\", \"role\": \"" + role + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return name;
    }

    private Browser signedIn(String name) {
        Browser b = new Browser();
        HttpResponse<String> login = b.signIn(name, "password-of-" + name);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return b;
    }

    @Test
    void aUserSignsInAtTheConsoleAndTheSessionCarriesTheirRole() {
        String name = newUser("marketer");
        Browser b = new Browser();
        HttpResponse<String> login = b.signIn(name, "password-of-" + name);
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(readJson(login.body()).path("role").asText()).isEqualTo("marketer");

        JsonNode me = readJson(b.get("/api/v1/me").body());
        assertThat(me.path("username").asText()).isEqualTo(name);
        assertThat(me.path("role").asText()).isEqualTo("marketer");
        assertThat(me.path("source").asText()).isEqualTo("local");
        assertThat(jdbc.queryForObject("SELECT last_login_at IS NOT NULL FROM users WHERE username = ?", Boolean.class, name)).isTrue();
        // the session lives in PostgreSQL, so every hub node knows it
        assertThat(jdbc.queryForObject("SELECT count(*) FROM spring_session WHERE principal_name = ?", Integer.class, name)).isEqualTo(1);

        HttpResponse<String> out = b.go(HttpRequest.newBuilder(uri("/console/logout")).header("X-XSRF-TOKEN", b.csrf())
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(b.get("/api/v1/me").statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSameAnswer() {
        String name = newUser("viewer");
        HttpResponse<String> wrong = new Browser().signIn(name, "not-the-password");
        HttpResponse<String> unknown = new Browser().signIn("nobody-" + UUID.randomUUID(), "whatever-it-is");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(readJson(wrong.body()).path("error").asText()).isEqualTo("bad_credentials");
        assertThat(wrong.body()).isEqualTo(unknown.body());
    }

    @Test
    void aViewerReadsEverythingButChangesNothingAndTheApiRefusesIt() {
        Browser viewer = signedIn(newUser("viewer"));
        assertThat(viewer.get("/api/v1/segments").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/api/v1/plugins").statusCode()).isEqualTo(200);
        assertThat(viewer.post("/api/v1/segments/preview", "{\"rule\": {\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}}").statusCode())
                .isEqualTo(200);

        String segment = "viewer-made-" + UUID.randomUUID();
        HttpResponse<String> create = viewer.post("/api/v1/segments", SEGMENT.formatted(segment));
        assertThat(create.statusCode()).isEqualTo(403);
        assertThat(readJson(create.body()).path("error").asText()).isEqualTo("forbidden");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM segments WHERE name = ?", Integer.class, segment)).isZero();
        assertThat(viewer.post("/api/v1/sources", "{\"name\": \"x\"}").statusCode()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/campaigns", "{}").statusCode()).isEqualTo(403);
        assertThat(viewer.get("/api/v1/users").statusCode()).isEqualTo(403);
        assertThat(viewer.get("/api/v1/audit").statusCode()).isEqualTo(403);
    }

    @Test
    void marketersAndIntegratorsChangeOnlyTheirOwnArea() {
        Browser marketer = signedIn(newUser("marketer"));
        Browser integrator = signedIn(newUser("integrator"));

        String segment = "by-marketer-" + UUID.randomUUID();
        assertThat(marketer.post("/api/v1/segments", SEGMENT.formatted(segment)).statusCode()).isEqualTo(201);
        assertThat(integrator.post("/api/v1/segments", SEGMENT.formatted("by-integrator-" + UUID.randomUUID())).statusCode()).isEqualTo(403);

        HttpResponse<String> source = integrator.post("/api/v1/sources", "{\"name\": \"shop-" + UUID.randomUUID() + "\"}");
        assertThat(source.statusCode()).isEqualTo(201);
        assertThat(marketer.post("/api/v1/sources", "{\"name\": \"shop\"}").statusCode()).isEqualTo(403);
        assertThat(marketer.delete("/api/v1/plugins/email").statusCode()).isEqualTo(403);

        // erasing and exporting a person is the admin's
        assertThat(marketer.delete("/api/v1/profiles/email/someone@example.com").statusCode()).isEqualTo(403);
        assertThat(marketer.get("/api/v1/profiles/email/someone@example.com/export").statusCode()).isEqualTo(403);

        // the audit log names who did it
        JsonNode audit = readJson(admin("GET", "/api/v1/audit?limit=50", null).body());
        boolean found = false;
        for (JsonNode e : audit) {
            if (e.path("action").asText().equals("segment.create") && e.path("detail").path("name").asText().equals(segment)) {
                found = !e.path("actor").asText().equals("admin");
            }
        }
        assertThat(found).as("segment.create recorded with the marketer as actor").isTrue();
    }

    @Test
    void aChangeWithTheSessionButWithoutTheCsrfTokenIsRefused() {
        Browser marketer = signedIn(newUser("marketer"));
        String segment = "csrf-" + UUID.randomUUID();
        HttpResponse<String> forged = marketer.go(HttpRequest.newBuilder(uri("/api/v1/segments")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SEGMENT.formatted(segment))));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(readJson(forged.body()).path("error").asText()).isEqualTo("csrf");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM segments WHERE name = ?", Integer.class, segment)).isZero();
    }

    @Test
    void aChangeWithNoCredentialsAtAllIsUnauthorizedNotACsrfProblem() {
        HttpResponse<String> none = send(HttpRequest.newBuilder(uri("/api/v1/segments")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SEGMENT.formatted("anonymous-" + UUID.randomUUID()))).build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(readJson(none.body()).path("error").asText()).isEqualTo("unauthorized");
    }

    @Test
    void scriptsUseBasicAuthWithAUsersPassword() {
        String name = newUser("integrator");
        String basic = Base64.getEncoder().encodeToString((name + ":password-of-" + name).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> me = send(HttpRequest.newBuilder(uri("/api/v1/me")).header("Authorization", "Basic " + basic).GET().build());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(readJson(me.body()).path("role").asText()).isEqualTo("integrator");
        String wrong = Base64.getEncoder().encodeToString((name + ":nope-nope-nope").getBytes(StandardCharsets.UTF_8));
        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/me")).header("Authorization", "Basic " + wrong).GET().build()).statusCode())
                .isEqualTo(401);
    }

    @Test
    void failedSignInsCountOverEveryHubNodeOnTheDatabase() {
        String name = newUser("viewer");
        String right = Base64.getEncoder().encodeToString((name + ":password-of-" + name).getBytes(StandardCharsets.UTF_8));
        String wrong = Base64.getEncoder().encodeToString((name + ":nope-nope-nope").getBytes(StandardCharsets.UTF_8));
        java.util.function.Function<String, HttpResponse<String>> me = basic -> send(HttpRequest.newBuilder(uri("/api/v1/me"))
                .header("Authorization", "Basic " + basic).GET().build());
        // Four wrong passwords through this node; a fifth through another node on the same database.
        for (int i = 0; i < SignInThrottle.MAX_FAILURES - 1; i++) {
            assertThat(me.apply(wrong).statusCode()).isEqualTo(401);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sign_in_failures WHERE username = ?", Integer.class, name))
                .isEqualTo(SignInThrottle.MAX_FAILURES - 1);
        SignInThrottle otherNode = new SignInThrottle(a -> {
            throw new org.springframework.security.authentication.BadCredentialsException("bad");
        }, java.time.Clock.systemUTC(), SignInThrottle.shared(jdbc));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> otherNode.authenticate(
                org.springframework.security.authentication.UsernamePasswordAuthenticationToken.unauthenticated(name, "nope")))
                .isInstanceOf(org.springframework.security.authentication.BadCredentialsException.class);
        // Now the name is locked here too, even with the right password.
        HttpResponse<String> locked = me.apply(right);
        assertThat(locked.statusCode()).isEqualTo(401);
        assertThat(locked.body()).contains("too many failed sign-ins");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> otherNode.authenticate(
                org.springframework.security.authentication.UsernamePasswordAuthenticationToken.unauthenticated(name, "any")))
                .isInstanceOf(org.springframework.security.authentication.LockedException.class);

        // When the lock is over, the right password signs in and the failures are forgotten on every node.
        jdbc.update("UPDATE sign_in_failures SET at = at - interval '6 minutes' WHERE username = ?", name);
        assertThat(me.apply(right).statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sign_in_failures WHERE username = ?", Integer.class, name)).isZero();
    }

    @Test
    void usersAreCheckedStoredHashedAndTheLastAdminStays() {
        HttpResponse<String> badName = admin("POST", "/api/v1/users", "{\"username\": \"a b\", \"password\": \"long-enough-1\", \"role\": \"viewer\"}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(readJson(badName.body()).path("detail").path("field").asText()).isEqualTo("username");
        HttpResponse<String> shortPassword = admin("POST", "/api/v1/users", "{\"username\": \"shorty\", \"password\": \"abc\", \"role\": \"viewer\"}");
        assertThat(readJson(shortPassword.body()).path("detail").path("field").asText()).isEqualTo("password");
        HttpResponse<String> badRole = admin("POST", "/api/v1/users", "{\"username\": \"roley\", \"password\": \"long-enough-1\", \"role\": \"boss\"}");
        assertThat(readJson(badRole.body()).path("detail").path("field").asText()).isEqualTo("role");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM users WHERE username IN ('shorty', 'roley')", Integer.class)).isZero();

        String name = newUser("viewer");
        assertThat(admin("POST", "/api/v1/users", "{\"username\": \"" + name + "\", \"password\": \"long-enough-1\", \"role\": \"viewer\"}")
                .statusCode()).isEqualTo(409);
        String hash = jdbc.queryForObject("SELECT password_hash FROM users WHERE username = ?", String.class, name);
        assertThat(hash).startsWith("{bcrypt}").doesNotContain("password-of");
        assertThat(admin("GET", "/api/v1/users", null).body()).doesNotContain("password_hash").doesNotContain("{bcrypt}");

        // the first admin (created at the first start) is the only admin: it cannot be demoted or removed
        assertThat(readJson(admin("GET", "/api/v1/users/admin", null).body()).path("role").asText()).isEqualTo("admin");
        assertThat(admin("PUT", "/api/v1/users/admin", "{\"role\": \"viewer\"}").statusCode()).isEqualTo(409);
        assertThat(admin("DELETE", "/api/v1/users/admin", null).statusCode()).isEqualTo(409);
        assertThat(signedIn("admin", ADMIN_PASSWORD).get("/api/v1/users").statusCode()).isEqualTo(200);
    }

    private Browser signedIn(String name, String password) {
        Browser b = new Browser();
        assertThat(b.signIn(name, password).statusCode()).isEqualTo(200);
        return b;
    }

    @Test
    void aRoleChangeTakesEffectAtOnce() {
        String name = newUser("marketer");
        Browser b = signedIn(name);
        assertThat(b.get("/api/v1/me").statusCode()).isEqualTo(200);
        assertThat(admin("PUT", "/api/v1/users/" + name, "{\"role\": \"viewer\"}").statusCode()).isEqualTo(200);
        assertThat(b.get("/api/v1/me").statusCode()).isEqualTo(401);
        Browser again = signedIn(name);
        assertThat(readJson(again.get("/api/v1/me").body()).path("role").asText()).isEqualTo("viewer");
        assertThat(again.post("/api/v1/segments", SEGMENT.formatted("after-demotion-" + UUID.randomUUID())).statusCode()).isEqualTo(403);

        assertThat(admin("PUT", "/api/v1/users/" + name, "{\"enabled\": false}").statusCode()).isEqualTo(200);
        HttpResponse<String> disabled = new Browser().signIn(name, "password-of-" + name);
        assertThat(disabled.statusCode()).isEqualTo(401);
        assertThat(readJson(disabled.body()).path("detail").asText()).contains("disabled");
    }

    @Test
    void directoryUsersSignInWithTheRoleOfTheirGroup() {
        Browser alice = signedIn("alice", "secret-alice");
        JsonNode me = readJson(alice.get("/api/v1/me").body());
        assertThat(me.path("role").asText()).isEqualTo("marketer");
        assertThat(me.path("source").asText()).isEqualTo("ldap");
        assertThat(alice.post("/api/v1/segments", SEGMENT.formatted("by-alice-" + UUID.randomUUID())).statusCode()).isEqualTo(201);

        Browser ivan = signedIn("ivan", "secret-ivan");
        assertThat(readJson(ivan.get("/api/v1/me").body()).path("role").asText()).isEqualTo("integrator");

        HttpResponse<String> wrong = new Browser().signIn("alice", "not-her-password");
        assertThat(wrong.statusCode()).isEqualTo(401);

        HttpResponse<String> noGroup = new Browser().signIn("bob", "secret-bob");
        assertThat(noGroup.statusCode()).isEqualTo(401);
        assertThat(readJson(noGroup.body()).path("detail").asText()).contains("no Atrium role");
    }
}
