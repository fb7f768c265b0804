package io.atrium.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Runs the assembled installation ({@code target/atrium}) the way an administrator would: a copy
 * of it, started through {@code bin/atrium} from another working directory, checked over HTTP.
 * The steps share one hub where they can, so they run in order; once a step fails the later
 * ones are skipped, and the tail of the hub's output is printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributionIT {

    /**
     * How long a start may take until /actuator/health is UP. The target is 30 s (an idle 2-core
     * machine takes 10-20 s, initdb included); the default leaves room for a machine shared with
     * other builds, where a first start was seen to take over 30 s. {@code -Datrium.it.startup-seconds=30}
     * holds the hub to the target.
     */
    private static final Duration STARTUP = Duration.ofSeconds(Long.getLong("atrium.it.startup-seconds", 120));
    private static final Duration PLUGIN_CHANGE = Duration.ofSeconds(5);
    private static final Duration SHUTDOWN = Duration.ofSeconds(60);
    private static final String MAIN_CLASS = "io.atrium.server.AtriumApplication";
    /** A queue no one consumes: what is in it at a stop must be there after the restart. */
    private static final String PARKED_QUEUE = "it.parked";
    private static final String TRACKER_ID = "web-tracker";
    private static final String TRACKER_SCRIPT = "/js/atrium.js";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Steps a-e share one installation, data directory and (mostly) one hub: each needs the ones before. */
    private static final int FIRST_SHARED_STEP = 1;
    private static final int LAST_SHARED_STEP = 5;

    /** Static: JUnit fills instance @TempDir fields only before each test, after @BeforeAll. */
    @TempDir
    static Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Every process the hubs started, for the clean-up after a failure. */
    private final Set<ProcessHandle> spawned = new LinkedHashSet<>();
    /** Output files worth showing when a step fails. */
    private final Set<Path> outputs = new LinkedHashSet<>();
    private final long began = System.nanoTime();
    private boolean failed;

    private Path home;
    private Path elsewhere;
    private Path data;
    private Path trackerZip;
    private byte[] trackerZipBytes;

    /** The hub of steps a-e. */
    private Hub hub;
    private String token;
    private byte[] tokenFile;
    private long uploadAuditId;
    private long parkedAtStop;

    @RegisterExtension
    final AfterTestExecutionCallback showOutputOnFailure = context -> {
        Optional<Throwable> thrown = context.getExecutionException();
        if (thrown.isEmpty() || thrown.get() instanceof TestAbortedException) {
            return;
        }
        int step = context.getRequiredTestMethod().getAnnotation(Order.class).value();
        if (step >= FIRST_SHARED_STEP && step <= LAST_SHARED_STEP) {
            failed = true;
        }
        for (Path out : outputs) {
            System.out.println("----- last lines of " + out + " -----");
            System.out.println(tail(out, 80));
        }
        // The steps after this one are skipped: do not let this hub slow down the independent ones.
        if (hub != null && hub.process.isAlive()) {
            hub.process.destroy();
            hub.process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
        }
    };

    record Hub(Process process, int port, Path data, Path output) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    record Result(int exitCode, String output) {
    }

    @BeforeAll
    void copyInstallation() throws IOException {
        Path dist = Path.of(System.getProperty("atrium.dist.dir", "target/atrium"));
        assertThat(dist.resolve("bin/atrium")).as("the assembled installation (mvn package)").isRegularFile();
        home = tmp.toRealPath().resolve("atrium"); // bin/atrium resolves its home physically (cd -P)
        copyTree(dist, home);
        elsewhere = Files.createDirectories(tmp.resolve("somewhere-else"));
        data = tmp.resolve("data");
        try (Stream<Path> zips = Files.list(home.resolve("plugins"))) {
            trackerZip = zips.filter(p -> p.getFileName().toString().startsWith(TRACKER_ID + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no bundled web-tracker zip in plugins/"));
        }
        trackerZipBytes = Files.readAllBytes(trackerZip);
    }

    @AfterAll
    void stopEverything() {
        if (hub != null && hub.process.isAlive()) {
            hub.process.destroy();
        }
        for (ProcessHandle p : spawned) {
            p.destroy();
        }
        for (ProcessHandle p : spawned) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        System.out.printf("DistributionIT took %.1f s%n", (System.nanoTime() - began) / 1e9);
    }

    // ------------------------------------------------------------------------------------- steps

    @Test
    @Order(0)
    @DisplayName("bin/atrium explains itself and refuses a missing or too old java")
    void scriptHelpAndJavaChecks() throws Exception {
        Path script = home.resolve("bin/atrium");
        assertThat(Files.getPosixFilePermissions(script)).contains(PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

        Result help = runScript(script, Map.of(), "help");
        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output()).contains("run", "start", "stop", "status", "restart",
                "ATRIUM_HOME", "ATRIUM_DATA", "ATRIUM_HTTP_PORT", "JAVA_HOME", "ATRIUM_JAVA_OPTS");

        Result unknown = runScript(script, Map.of(), "frobnicate");
        assertThat(unknown.exitCode()).as(unknown.output()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown command 'frobnicate'", "Usage:");

        Path noJava = tmp.resolve("no-java");
        Result missing = runScript(script, Map.of("JAVA_HOME", noJava.toString()), "run");
        assertThat(missing.exitCode()).as(missing.output()).isEqualTo(1);
        assertThat(missing.output()).contains("JAVA_HOME", noJava.resolve("bin/java").toString(), "17");

        Path oldJava = Files.createDirectories(tmp.resolve("old-java/bin")).resolve("java");
        Files.writeString(oldJava, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        oldJava.toFile().setExecutable(true);
        Result old = runScript(script, Map.of("JAVA_HOME", oldJava.getParent().getParent().toString()), "run");
        assertThat(old.exitCode()).as(old.output()).isEqualTo(1);
        assertThat(old.output()).contains(oldJava.toString(), "Java 11", "11.0.22", "Java 17 or newer");

        Path notHome = Files.createDirectories(tmp.resolve("not-an-installation"));
        Result wrongHome = runScript(script, Map.of("ATRIUM_HOME", notHome.toString()), "run");
        assertThat(wrongHome.exitCode()).as(wrongHome.output()).isEqualTo(1);
        assertThat(wrongHome.output()).contains(notHome.toString(), "not an Atrium installation");
    }

    @Test
    @Order(1)
    @DisplayName("a. started from another directory without ATRIUM_HOME: healthy, token-protected API, plugin serving its script")
    void startsHealthyWithBundledPlugin() throws Exception {
        hub = startForeground(home.resolve("bin/atrium"), data, Map.of("ATRIUM_JAVA_OPTS", "-Xmx768m"), "run-1");

        JsonNode health = awaitHealthy(hub);
        for (String component : List.of("db", "broker", "plugins", "routes")) {
            assertThat(health.at("/components/" + component + "/status").asText()).as(component + " in " + health).isEqualTo("UP");
        }

        // exec: the process we started is the JVM itself, with the options and arguments bin/atrium promises
        ProcessHandle.Info info = hub.process.info();
        assertThat(info.command()).hasValueSatisfying(c -> assertThat(c).endsWith("/java"));
        assertThat(info.arguments()).hasValueSatisfying(args -> assertThat(List.of(args)).contains(
                "-XX:+ExitOnOutOfMemoryError", "-Xmx768m", MAIN_CLASS,
                "--spring.config.additional-location=optional:file:" + home + "/config/"));
        assertThat(Files.readString(data.resolve("atrium.pid")).strip()).isEqualTo(String.valueOf(hub.process.pid()));

        HttpResponse<String> anonymous = get(hub, "/api/v1/plugins", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).path("error").asText()).as(anonymous.body()).isNotEmpty();

        Path tokenPath = data.resolve("admin-token");
        assertThat(tokenPath).as("generated admin token").isRegularFile();
        tokenFile = Files.readAllBytes(tokenPath);
        token = new String(tokenFile, StandardCharsets.UTF_8).strip();
        assertThat(token).isNotEmpty();

        await("web-tracker STARTED").atMost(PLUGIN_CHANGE).ignoreExceptions()
                .untilAsserted(() -> assertThat(plugin(hub, TRACKER_ID)).hasValueSatisfying(
                        p -> assertThat(p.path("state").asText()).as(p.toString()).isEqualTo("STARTED")));
        HttpResponse<String> script = get(hub, TRACKER_SCRIPT, null);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).contains("javascript"));
        assertThat(script.body()).isNotBlank();

        // config/application.yml is in force: disk space of the data directory, the log in $ATRIUM_HOME/logs,
        // the example route running
        assertThat(health.at("/components/diskSpace/details/path").asText()).isEqualTo(data.toString());
        assertThat(home.resolve("logs/atrium.log")).content().contains("Started AtriumApplication");
        JsonNode routes = getJson(hub, "/api/v1/routes");
        assertThat(find(routes, "id", "example-heartbeat")).hasValueSatisfying(
                r -> assertThat(r.path("state").asText()).as(r.toString()).isEqualTo("STARTED"));
    }

    @Test
    @Order(2)
    @DisplayName("b. plugins/ is watched: a removed zip unloads, a restored one starts, a corrupt one is DISABLED")
    void pluginsFolderIsFollowed() throws Exception {
        requireEarlierSteps();
        Files.delete(trackerZip);
        await("web-tracker unloaded").atMost(PLUGIN_CHANGE).ignoreExceptions().untilAsserted(() -> {
            assertThat(get(hub, TRACKER_SCRIPT, null).statusCode()).isEqualTo(404);
            assertThat(plugin(hub, TRACKER_ID)).isEmpty();
        });

        Files.write(trackerZip, trackerZipBytes);
        await("web-tracker back").atMost(PLUGIN_CHANGE).ignoreExceptions().untilAsserted(() -> {
            assertThat(plugin(hub, TRACKER_ID)).hasValueSatisfying(
                    p -> assertThat(p.path("state").asText()).as(p.toString()).isEqualTo("STARTED"));
            assertThat(get(hub, TRACKER_SCRIPT, null).statusCode()).isEqualTo(200);
        });

        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        Files.write(home.resolve("plugins/broken.zip"), garbage);
        await("broken.zip DISABLED").atMost(PLUGIN_CHANGE).ignoreExceptions().untilAsserted(() -> {
            Optional<JsonNode> broken = find(getJson(hub, "/api/v1/plugins"), "file", "broken.zip");
            assertThat(broken).hasValueSatisfying(p -> {
                assertThat(p.path("state").asText()).as(p.toString()).isEqualTo("DISABLED");
                assertThat(p.path("error").asText()).as(p.toString()).isNotBlank();
            });
        });
        assertThat(health(hub).path("status").asText()).isEqualTo("UP");
        assertThat(plugin(hub, TRACKER_ID)).hasValueSatisfying(p -> assertThat(p.path("state").asText()).isEqualTo("STARTED"));
    }

    @Test
    @Order(3)
    @DisplayName("c. a YAML route dropped in routes/ feeds atrium:events (the event lands on its profile); an uploaded plugin is audited")
    void routeFeedsTheBrokerAndUploadIsAudited() throws Exception {
        requireEarlierSteps();
        Path route = home.resolve("routes/it-emit-one-event.yaml");
        Files.writeString(route, """
                - route:
                    id: it-emit-one-event
                    from:
                      uri: timer:it-emit-one-event
                      parameters:
                        repeatCount: 1
                      steps:
                        - setBody:
                            constant: '{"type":"track","event":"distribution-it","userId":"u1","messageId":"distribution-it-1"}'
                        - to: atrium:events
                        - to: jms:queue:%s?exchangePattern=InOnly
                """.formatted(PARKED_QUEUE));
        // The event reaches the profile store through the durable events queue ...
        await("the event on profile user_id/u1").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> eventsOfU1(hub) >= 1);
        // ... and the copy parked in a queue nobody consumes shows what the broker journal keeps across a stop.
        await("a message in " + PARKED_QUEUE).atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> parkedMessages(hub) >= 1);
        // So that the restart (step e) adds no second event.
        Files.delete(route);
        await("route file removed").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .untilAsserted(() -> assertThat(find(getJson(hub, "/api/v1/routes"), "file", route.getFileName().toString())).isEmpty());

        HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/plugins")))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/zip")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(trackerZipBytes))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
        assertThat(JSON.readTree(upload.body()).path("id").asText()).isEqualTo(TRACKER_ID);

        JsonNode entry = auditEntry(hub).orElseThrow(() -> new AssertionError("no plugin.upload in /api/v1/audit"));
        assertThat(entry.path("actor").asText()).isNotBlank();
        uploadAuditId = entry.path("id").asLong();

        await("web-tracker STARTED after upload").atMost(PLUGIN_CHANGE).ignoreExceptions()
                .untilAsserted(() -> assertThat(get(hub, TRACKER_SCRIPT, null).statusCode()).isEqualTo(200));
    }

    @Test
    @Order(4)
    @DisplayName("d. SIGTERM: the JVM stops by itself and leaves no process and no postmaster.pid behind")
    void sigtermStopsCleanly() throws Exception {
        requireEarlierSteps();
        parkedAtStop = parkedMessages(hub);
        stopWithSigterm(hub);
    }

    @Test
    @Order(5)
    @DisplayName("e. a second start on the same data keeps the token, the audit log, the stored event and the parked message")
    void restartKeepsState() throws Exception {
        requireEarlierSteps();
        // This time ATRIUM_HOME is given explicitly.
        hub = startForeground(home.resolve("bin/atrium"), data, Map.of("ATRIUM_HOME", home.toString()), "run-2");
        awaitHealthy(hub);

        assertThat(Files.readAllBytes(data.resolve("admin-token"))).as("admin-token file unchanged").isEqualTo(tokenFile);
        assertThat(get(hub, "/api/v1/plugins", token).statusCode()).isEqualTo(200);
        assertThat(auditEntry(hub)).hasValueSatisfying(e -> assertThat(e.path("id").asLong()).isEqualTo(uploadAuditId));
        await("queue loaded from the journal").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> parkedMessages(hub) >= 0);
        assertThat(parkedMessages(hub)).as("messages in " + PARKED_QUEUE + " after the restart")
                .isEqualTo(parkedAtStop).isGreaterThanOrEqualTo(1);
        assertThat(eventsOfU1(hub)).as("events of user_id/u1 after the restart").isEqualTo(1);

        stopWithSigterm(hub);
    }

    @Test
    @Order(6)
    @DisplayName("f. bin/atrium start | status | stop | status, called through a symlink")
    void backgroundCommands() throws Exception {
        Path link = Files.createDirectories(tmp.resolve("usr-local-bin")).resolve("atrium");
        Files.createSymbolicLink(link, home.resolve("bin/atrium"));
        Path dataF = tmp.resolve("data-f");
        int port = freePort();
        Map<String, String> env = Map.of("ATRIUM_DATA", dataF.toString(), "ATRIUM_HTTP_PORT", String.valueOf(port));
        outputs.add(home.resolve("logs/atrium.out"));

        Result start = runScript(link, env, "start");
        assertThat(start.exitCode()).as(start.output()).isZero();
        Matcher m = Pattern.compile("pid (\\d+)").matcher(start.output());
        assertThat(m.find()).as(start.output()).isTrue();
        long pid = Long.parseLong(m.group(1));
        ProcessHandle jvm = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        spawned.add(jvm);
        assertThat(Files.readString(dataF.resolve("atrium.pid")).strip()).isEqualTo(String.valueOf(pid));

        Hub background = new Hub(null, port, dataF, home.resolve("logs/atrium.out"));
        awaitHealthy(background, jvm);

        Result again = runScript(link, env, "start");
        assertThat(again.exitCode()).as(again.output()).isEqualTo(1);
        assertThat(again.output()).contains("already running", String.valueOf(pid));

        Result status = runScript(link, env, "status");
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).contains("running", "pid " + pid);

        Set<ProcessHandle> started = processesOf(jvm, dataF);
        Result stop = runScript(link, env, "stop");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("stopped");
        assertAllGone(started, dataF); // the JVM included
        assertThat(dataF.resolve("atrium.pid")).doesNotExist();

        Result after = runScript(link, env, "status");
        assertThat(after.exitCode()).as(after.output()).isEqualTo(3);
        assertThat(after.output()).contains("not running");
    }

    // ------------------------------------------------------------------------------------ hubs

    private void requireEarlierSteps() {
        assumeFalse(failed, "an earlier step failed");
    }

    private Hub startForeground(Path script, Path dataDir, Map<String, String> extraEnv, String name) throws IOException {
        int port = freePort();
        Path output = tmp.resolve(name + ".out");
        outputs.add(output);
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("ATRIUM_DATA", dataDir.toString());
        env.put("ATRIUM_HTTP_PORT", String.valueOf(port));
        ProcessBuilder pb = new ProcessBuilder(script.toString()).directory(elsewhere.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        cleanEnvironment(pb.environment()).putAll(env);
        Process process = pb.start();
        spawned.add(process.toHandle());
        return new Hub(process, port, dataDir, output);
    }

    private JsonNode awaitHealthy(Hub h) {
        return awaitHealthy(h, h.process.toHandle());
    }

    private JsonNode awaitHealthy(Hub h, ProcessHandle jvm) {
        long t0 = System.nanoTime();
        JsonNode health = await("health UP on port " + h.port).atMost(STARTUP).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .failFast("the hub exited", () -> !jvm.isAlive())
                .until(() -> health(h), n -> "UP".equals(n.path("status").asText()));
        System.out.printf("hub on port %d healthy %.1f s after start%n", h.port, (System.nanoTime() - t0) / 1e9);
        return health;
    }

    private void stopWithSigterm(Hub h) throws Exception {
        Set<ProcessHandle> started = processesOf(h.process.toHandle(), h.data);
        long t0 = System.nanoTime();
        h.process.destroy(); // SIGTERM
        assertThat(h.process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS)).as("JVM exited within " + SHUTDOWN).isTrue();
        System.out.printf("hub on port %d stopped %.1f s after SIGTERM, exit code %d%n", h.port,
                (System.nanoTime() - t0) / 1e9, h.process.exitValue());
        assertThat(h.process.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
        assertAllGone(started, h.data);
    }

    /** The hub's JVM, its child processes, and the embedded PostgreSQL (which pg_ctl detaches from the JVM). */
    private Set<ProcessHandle> processesOf(ProcessHandle jvm, Path dataDir) throws IOException {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        all.add(jvm);
        jvm.descendants().forEach(all::add);
        Path postmasterPid = dataDir.resolve("postgres/postmaster.pid");
        assertThat(postmasterPid).as("embedded PostgreSQL running").isRegularFile();
        long pid = Long.parseLong(Files.readAllLines(postmasterPid).get(0).strip());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("postmaster " + pid + " not running"));
        all.add(postmaster);
        postmaster.descendants().forEach(all::add);
        assertThat(all.stream().filter(p -> p.info().command().orElse("").contains("postgres")))
                .as("postgres processes of the hub").isNotEmpty();
        spawned.addAll(all);
        return all;
    }

    private static void assertAllGone(Set<ProcessHandle> processes, Path dataDir) {
        // An exited process may stay a zombie for a moment until its parent reaps it.
        await("every process of the hub gone").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(processes.stream().filter(ProcessHandle::isAlive).map(DistributionIT::describe).toList())
                        .as("processes left running").isEmpty());
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
    }

    private static String describe(ProcessHandle p) {
        return p.pid() + " " + p.info().commandLine().orElse("?");
    }

    // ------------------------------------------------------------------------------------ HTTP

    private JsonNode health(Hub h) throws IOException, InterruptedException {
        HttpResponse<String> r = get(h, "/actuator/health", null);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> get(Hub h, String path, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.url(path))).timeout(Duration.ofSeconds(10)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(Hub h, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(h, path, token);
        assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private Optional<JsonNode> plugin(Hub h, String id) throws IOException, InterruptedException {
        return find(getJson(h, "/api/v1/plugins"), "id", id);
    }

    private long parkedMessages(Hub h) throws IOException, InterruptedException {
        return find(getJson(h, "/api/v1/queues"), "name", PARKED_QUEUE).map(q -> q.path("messageCount").asLong())
                .orElse(-1L);
    }

    private long eventsOfU1(Hub h) throws IOException, InterruptedException {
        return getJson(h, "/api/v1/profiles/user_id/u1/events").path("total").asLong(-1);
    }

    private Optional<JsonNode> auditEntry(Hub h) throws IOException, InterruptedException {
        return stream(getJson(h, "/api/v1/audit"))
                .filter(e -> "plugin.upload".equals(e.path("action").asText()) && TRACKER_ID.equals(e.path("target").asText()))
                .findFirst();
    }

    private static Optional<JsonNode> find(JsonNode array, String field, String value) {
        return stream(array).filter(n -> value.equals(n.path(field).asText(null))).findFirst();
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        assertThat(array.isArray()).as("a JSON array: " + array).isTrue();
        return StreamSupport.stream(array.spliterator(), false);
    }

    // --------------------------------------------------------------------------------- helpers

    /** Runs a short bin/atrium command (not the foreground hub) and waits for it. */
    private Result runScript(Path script, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(tmp, "script-", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).directory(elsewhere.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        cleanEnvironment(pb.environment()).putAll(env);
        Process p = pb.start();
        // stop may wait up to 90 s by design
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("bin/atrium " + String.join(" ", args) + " finished").isTrue();
        return new Result(p.exitValue(), Files.readString(output));
    }

    /** Nothing from the environment of the build may change what the hub does. */
    private static Map<String, String> cleanEnvironment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("ATRIUM_") || k.startsWith("SPRING_") || k.startsWith("SERVER_")
                || k.startsWith("LOGGING_") || k.startsWith("CAMEL_") || k.equals("JAVA_TOOL_OPTIONS"));
        // Keep the hub off the network: only the loopback interface.
        env.put("SERVER_ADDRESS", "127.0.0.1");
        return env;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no such file)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream().collect(Collectors.joining("\n"));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read: " + e + ")";
        }
    }
}
