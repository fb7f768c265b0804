package io.atrium.server.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.AtriumApplication;

import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One real hub for all server integration tests in a JVM: embedded PostgreSQL, embedded
 * persistent Artemis, Camel, the plugin host and the route watcher, on a random port, with its
 * home (plugins/, routes/, config/plugins/) in a temporary folder. Every test class extends this
 * so that Spring's test context cache starts the hub once.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(classes = AtriumApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class HubTestSupport {

    public static final String TOKEN = "test-admin-token";
    /** The password of the console user "admin" created on the first start. */
    public static final String ADMIN_PASSWORD = "test-admin-password";
    protected static final Path HOME;
    protected static final Path PLUGINS;
    protected static final Path ROUTES;
    protected static final Path PLUGIN_CONFIG;
    protected static final Path BUILD;

    static {
        try {
            // Under target/ (mvn clean removes it), not /tmp: each test JVM's home holds an unpacked PostgreSQL (~100 MB).
            HOME = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "it-home-");
            PLUGINS = Files.createDirectories(HOME.resolve("plugins"));
            ROUTES = Files.createDirectories(HOME.resolve("routes"));
            PLUGIN_CONFIG = Files.createDirectories(HOME.resolve("config/plugins"));
            BUILD = Files.createDirectories(HOME.resolve("build"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void hubProperties(DynamicPropertyRegistry registry) {
        registry.add("atrium.home", HOME::toString);
        registry.add("atrium.security.admin-token", () -> TOKEN);
        registry.add("atrium.security.admin-password", () -> ADMIN_PASSWORD);
        // Directory sign-in against a real (in-memory) LDAP server: SecurityIT.
        registry.add("atrium.security.ldap.url", TestDirectory::url);
        registry.add("atrium.security.ldap.user-dn-pattern", () -> "uid={0},ou=people");
        registry.add("atrium.security.ldap.group-search-base", () -> "ou=groups");
        registry.add("atrium.security.ldap.group-roles.marketing", () -> "marketer");
        registry.add("atrium.security.ldap.group-roles.it-integration", () -> "integrator");
        registry.add("atrium.plugins.scan-interval", () -> "250ms");
        registry.add("atrium.routes.scan-interval", () -> "250ms");
        registry.add("atrium.plugins.start-timeout", () -> "2s");
        // Time-dependent segments move people by their wake-ups (segment_wakeups); the full recompute, a safety net, stays out of the way.
        registry.add("atrium.segments.time-check-interval", () -> "1h");
        // For the shipped example routes (ShippedRoutesIT).
        registry.add("crm.webhook.token", () -> "test-crm-token");
        registry.add("customers.import.cron", () -> "*/1 * * * * *");
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected ObjectMapper json;

    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Each test leaves the hub's folders as it found them. */
    @AfterEach
    void cleanFolders() throws IOException {
        for (Path dir : List.of(PLUGINS, ROUTES, PLUGIN_CONFIG)) {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    protected HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    protected HttpResponse<String> adminGet(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).GET().build());
    }

    protected HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected JsonNode readJson(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    /** GET /api/v1/plugins as a list of maps. */
    protected List<Map<String, Object>> plugins() {
        try {
            return json.readValue(adminGet("/api/v1/plugins").body(), new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plugin entry loaded from {@code file}, or null. */
    protected Map<String, Object> pluginFromFile(String file) {
        return plugins().stream().filter(p -> file.equals(p.get("file"))).findFirst().orElse(null);
    }

    protected List<Map<String, Object>> routes() {
        try {
            return json.readValue(adminGet("/api/v1/routes").body(), new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file atomically (temp file + move), as an editor that saves whole files does. */
    protected static Path writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        return Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
