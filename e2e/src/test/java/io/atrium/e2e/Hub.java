package io.atrium.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The unpacked distribution, copied to a folder of its own and run with {@code bin/atrium} as a
 * separate process, the way an admin runs it. Knows how to stop it politely (SIGTERM) and
 * rudely (SIGKILL of the JVM, which leaves its PostgreSQL orphaned as a real crash would).
 */
final class Hub implements AutoCloseable {

    static final String TOKEN = "e2e-admin-token";
    /** Password of the console user "admin" the hub creates on its first start. */
    static final String ADMIN_PASSWORD = "e2e-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STARTUP = Duration.ofSeconds(Long.getLong("atrium.it.startup-seconds", 180));

    final Path home;
    final Path data;
    final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private final Map<String, String> environment;

    private Hub(Path home, Path data, int port, Map<String, String> environment) {
        this.environment = environment;
        this.home = home;
        this.data = data;
        this.port = port;
        this.log = home.resolve("logs/e2e-process.out");
    }

    /** Copies the distribution into {@code dir} and starts it. */
    static Hub start(Path dir) throws IOException {
        return start(dir, Map.of());
    }

    /** Copies the distribution into {@code dir} and starts it with extra environment variables. */
    static Hub start(Path dir, Map<String, String> environment) throws IOException {
        Path dist = Path.of(System.getProperty("atrium.dist.dir", "../distribution/target/atrium")).toAbsolutePath().normalize();
        if (!Files.isExecutable(dist.resolve("bin/atrium"))) {
            throw new IllegalStateException("no unpacked distribution at " + dist + ": run `mvn package` first");
        }
        Path home = dir.resolve("atrium");
        copyTree(dist, home);
        Hub hub = new Hub(home, dir.resolve("data"), freePort(), environment);
        try {
            hub.launch();
        } catch (RuntimeException | IOException e) {
            // The caller never gets this hub to close: stop it (and its PostgreSQL) here, or it outlives the test.
            try {
                hub.close();
            } catch (Exception stop) {
                e.addSuppressed(stop);
            }
            throw e;
        }
        return hub;
    }

    void launch() throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/atrium").toString(), "run")
                .directory(home.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.remove("ATRIUM_HOME");
        env.put("ATRIUM_DATA", data.toString());
        env.put("ATRIUM_HTTP_PORT", Integer.toString(port));
        env.put("ATRIUM_SECURITY_ADMIN_TOKEN", TOKEN);
        env.put("ATRIUM_SECURITY_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.putAll(environment);
        process = pb.start();
        try {
            await().atMost(STARTUP).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the hub exited with " + process.exitValue() + ":\n" + tail());
                        }
                        return "UP".equals(getJson("/actuator/health").path("status").asText());
                    });
        } catch (RuntimeException e) {
            throw new IllegalStateException("the hub did not become healthy within " + STARTUP + ":\n" + tail(), e);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> admin(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
        b = jsonBody == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        return send(b.build());
    }

    JsonNode getJson(String path) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).build());
        return JSON.readTree(r.body());
    }

    /** Creates a source and returns its write key. */
    String createSource(String name) throws IOException {
        HttpResponse<String> r = admin("POST", "/api/v1/sources", "{\"name\":\"" + name + "\"}");
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /api/v1/sources answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).path("writeKey").asText();
    }

    /** POSTs {@code events} (JSON objects) to /v1/batch with a source's write key, as a shop's back end sends them. */
    HttpResponse<String> sendBatch(String writeKey, List<String> events) {
        return send(HttpRequest.newBuilder(uri("/v1/batch"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"batch\": [" + String.join(",", events) + "]}")).build());
    }

    /** Creates a console user through the admin API. */
    void createUser(String username, String password, String role, String displayName) throws IOException {
        HttpResponse<String> r = admin("POST", "/api/v1/users", JSON.writeValueAsString(Map.of("username", username,
                "password", password, "role", role, "displayName", displayName)));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /api/v1/users answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** Writes config/plugins/{@code id}.yml, as an admin does; the hub (re)starts the plugin with it. */
    void configurePlugin(String id, String yaml) throws IOException {
        Files.writeString(home.resolve("config/plugins/" + id + ".yml"), yaml);
    }

    /** SIGTERM and wait for the JVM to exit. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** SIGKILL of the JVM only, as the OOM killer or a power cut would do it to the hub process. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        // A killed hub leaves its PostgreSQL running: stop it so the test leaves nothing behind.
        Path pid = data.resolve("postgres/postmaster.pid");
        if (Files.exists(pid)) {
            long p = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            ProcessHandle.of(p).ifPresent(h -> {
                h.destroy();
                h.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).exceptionally(x -> null).join();
            });
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getFileName().toString().equals("data") && dir.getParent().equals(from)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
