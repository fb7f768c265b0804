package io.atrium.bench;

import java.io.IOException;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A copy of the unpacked distribution in a temporary folder, run with {@code bin/atrium run} as a
 * separate process on free loopback ports. {@link #close()} stops it with SIGTERM (and, should it
 * hang, kills it and any PostgreSQL it left behind) and deletes the folder; it is idempotent, so a
 * shutdown hook can call it too.
 */
final class HubProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path home;
    final Path data;
    final int httpPort;
    final int dbPort;
    final String token;
    private final Path log;
    private final boolean keep;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private boolean closed;
    Duration stopTime;

    private HubProcess(Path dir, boolean keep) throws IOException {
        this.dir = dir;
        this.home = dir.resolve("atrium");
        this.data = dir.resolve("data");
        this.httpPort = freePort();
        int p;
        do {
            p = freePort();
        } while (p == httpPort);
        this.dbPort = p;
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        this.log = home.resolve("logs/bench-process.out");
        this.keep = keep;
    }

    /** Copies {@code dist} into a new temporary folder and starts it; waits until it is healthy. */
    static HubProcess start(Path dist, boolean keep, Duration startup) throws IOException, InterruptedException {
        if (!Files.isExecutable(dist.resolve("bin/atrium"))) {
            throw new IllegalStateException("no unpacked distribution at " + dist
                    + ": build it first (mvn -B -ntp package -DskipTests -pl bench -am)");
        }
        HubProcess hub = new HubProcess(Files.createTempDirectory("atrium-bench-"), keep);
        copyTree(dist, hub.home);
        Runtime.getRuntime().addShutdownHook(new Thread(hub::closeQuietly, "atrium-bench-stop-hub"));
        hub.launch(startup);
        return hub;
    }

    private void launch(Duration startup) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/atrium").toString(), "run")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.remove("ATRIUM_HOME");
        env.put("ATRIUM_DATA", data.toString());
        env.put("ATRIUM_HTTP_PORT", Integer.toString(httpPort));
        env.put("ATRIUM_SECURITY_ADMIN_TOKEN", token);
        env.put("ATRIUM_DB_EMBEDDEDPORT", Integer.toString(dbPort));
        // ATRIUM_JAVA_OPTS (e.g. a JFR recording) is passed on as it is.
        process = pb.start();
        long deadline = System.nanoTime() + startup.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the hub exited with " + process.exitValue() + ":\n" + tail(60));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && "UP".equals(JSON.readTree(r.body()).path("status").asText())) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the hub did not become healthy within " + startup + ":\n" + tail(60));
            }
            Thread.sleep(250);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** JDBC URL of the hub's embedded PostgreSQL (user postgres, database atrium). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + dbPort + "/atrium";
    }

    long pid() {
        return process.pid();
    }

    /** Creates a source and returns its write key. */
    String createSource(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/sources"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /api/v1/sources answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).path("writeKey").asText();
    }

    /** An answer of the admin API. */
    record Answer(int status, String body) {
    }

    /** Calls the admin API with the hub's token; {@code body} is JSON or null. */
    Answer api(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(10))
                .header("Authorization", "Bearer " + token);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /** Like {@link #api}, but anything other than {@code expected} is an error naming the call and the answer. */
    String api(String method, String path, String body, int expected) throws IOException, InterruptedException {
        Answer a = api(method, path, body);
        if (a.status() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + a.status() + ", not " + expected + ": " + a.body());
        }
        return a.body();
    }

    /** Waits until {@code GET /api/v1/plugins} says the plugin {@code id} is STARTED; fails with its state and the log's tail if not. */
    void awaitPluginStarted(String id, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String state = "not listed";
        while (System.nanoTime() < deadline) {
            for (JsonNode p : JSON.readTree(api("GET", "/api/v1/plugins", null, 200))) {
                if (id.equals(p.path("id").asText())) {
                    state = p.path("state").asText() + " " + p.path("error").asText("");
                    if (p.path("state").asText().equals("STARTED")) {
                        return;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the " + id + " plugin did not start: " + state + "\n" + tail(40));
    }

    /** Every sample of {@code /actuator/prometheus}, keyed by name and labels; empty if it fails. */
    Map<String, Double> metrics() {
        Map<String, Double> out = new HashMap<>();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/actuator/prometheus"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int sp = line.lastIndexOf(' ');
                try {
                    out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
                } catch (RuntimeException ignored) {
                    // a value we cannot read
                }
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        return out;
    }

    /** Pid of the embedded PostgreSQL's postmaster, or -1. */
    long postmasterPid() {
        Path pid = data.resolve("postgres/postmaster.pid");
        try {
            return Long.parseLong(Files.readAllLines(pid, StandardCharsets.UTF_8).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("atrium-bench: stopping the hub failed: " + e);
        }
    }

    /** SIGTERM, wait up to 90 s, then SIGKILL; stops an orphaned PostgreSQL; deletes the folder. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        long postmaster = postmasterPid();
        if (process != null && process.isAlive()) {
            long t0 = System.nanoTime();
            process.destroy();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                System.err.println("atrium-bench: the hub did not stop within 90 s after SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            stopTime = Duration.ofNanos(System.nanoTime() - t0);
        }
        if (postmaster > 0) {
            ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive).ifPresent(h -> {
                h.destroy();
                h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(x -> null).join();
            });
        }
        if (!keep) {
            deleteTree(dir);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.getParent() != null && d.getParent().equals(from)
                        && (d.getFileName().toString().equals("data") || d.getFileName().toString().equals("logs"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
