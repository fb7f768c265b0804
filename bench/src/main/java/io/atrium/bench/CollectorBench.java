package io.atrium.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The collector benchmark (issue 3). Starts the unpacked distribution, loads {@code /v1/batch} over
 * loopback for a bounded time, waits until every accepted event is in the {@code events} table, then
 * COPYs as many equivalent rows into a scratch table of the same PostgreSQL and prints the ratio.
 * Usage: {@code bench/run.sh [--duration 30] [--threads 8] ...}; see {@link Options#usage()}.
 */
public final class CollectorBench {

    /** Settings; every one has a command-line option. */
    public static final class Options {
        public Path dist = Path.of(System.getProperty("atrium.dist.dir", "distribution/target/atrium"));
        public int durationSeconds = 30;
        public int warmupSeconds = 5;
        public int threads = 8;
        public int batchMin = 50;
        public int batchMax = 100;
        public int users = 50_000;
        public int drainTimeoutSeconds = 300;
        public int copyChunk = 10_000;
        public int startupSeconds = 120;
        public long seed = 42;
        public boolean keep;

        static String usage() {
            return """
                    Usage: bench/run.sh [options]
                      --duration SECONDS        measured load time (default 30)
                      --warmup SECONDS          load before measuring, drained before the measured part (default 5; 0: none)
                      --threads N               client threads, one keep-alive connection each (default 8)
                      --batch-min N, --batch-max N   events per /v1/batch request (default 50..100)
                      --users N                 people in the population (default 50000)
                      --drain-timeout SECONDS   longest wait for the events to reach PostgreSQL (default 300)
                      --copy-chunk N            rows per COPY statement of the raw measurement (default 10000)
                      --dist DIR                unpacked distribution (default distribution/target/atrium)
                      --seed N                  random seed (default 42)
                      --keep                    keep the temporary hub folder (data, logs) afterwards
                    Environment: ATRIUM_JAVA_OPTS is passed to the hub (e.g. a JFR recording).""";
        }

        public static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--keep")) {
                    o.keep = true;
                    continue;
                }
                if (a.equals("-h") || a.equals("--help")) {
                    throw new IllegalArgumentException("");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--duration" -> o.durationSeconds = positive(a, v);
                    case "--warmup" -> o.warmupSeconds = Integer.parseInt(v);
                    case "--threads" -> o.threads = positive(a, v);
                    case "--batch-min" -> o.batchMin = positive(a, v);
                    case "--batch-max" -> o.batchMax = positive(a, v);
                    case "--users" -> o.users = positive(a, v);
                    case "--drain-timeout" -> o.drainTimeoutSeconds = positive(a, v);
                    case "--copy-chunk" -> o.copyChunk = positive(a, v);
                    case "--dist" -> o.dist = Path.of(v);
                    case "--seed" -> o.seed = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.batchMax < o.batchMin) {
                throw new IllegalArgumentException("--batch-max must be at least --batch-min");
            }
            return o;
        }

        private static int positive(String option, String v) {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new IllegalArgumentException(option + " must be positive, not " + v);
            }
            return n;
        }

        String describe() {
            return "duration " + durationSeconds + " s (after a " + warmupSeconds + " s warm-up), " + threads
                    + " client threads, " + batchMin + ".." + batchMax + " events per /v1/batch, " + users
                    + " people, seed " + seed;
        }
    }

    /** What one run measured. */
    public record Result(long accepted, long requests, Map<String, Long> failures, double loadSeconds,
                         double acceptedPerSecond, long p50Micros, long p99Micros, long maxMicros,
                         long stored, double drainSeconds, double profilesPerSecond,
                         long copyRows, double copySeconds, double copyPerSecond, double ratio,
                         double avgEventBytes) {
        public boolean allStored() {
            return stored == accepted;
        }
    }

    private final Options options;
    private final List<String> report = new ArrayList<>();

    public CollectorBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("atrium-bench: " + e.getMessage());
            }
            System.err.println(Options.usage());
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        CollectorBench bench = new CollectorBench(options);
        Result r = bench.run();
        System.exit(r.allStored() ? 0 : 1);
    }

    private static void say(String line) {
        System.out.println("[bench " + Instant.now().toString().substring(11, 19) + "] " + line);
    }

    public Result run() throws Exception {
        Path dist = options.dist.toAbsolutePath().normalize();
        String loadBefore = loadAverage();
        say("starting the hub from " + dist);
        long t0 = System.nanoTime();
        try (HubProcess hub = HubProcess.start(dist, options.keep, Duration.ofSeconds(options.startupSeconds))) {
            say(String.format("hub healthy after %.1f s (pid %d, http 127.0.0.1:%d, PostgreSQL 127.0.0.1:%d, folder %s)",
                    secondsSince(t0), hub.pid(), hub.httpPort, hub.dbPort, hub.dir));
            String writeKey = hub.createSource("bench");
            String source;
            try (Connection c = connect(hub)) {
                source = queryString(c, "SELECT id::text FROM sources WHERE name = 'bench' AND revoked_at IS NULL");
            } catch (SQLException e) {
                source = "bench";
            }
            Result result;
            try (Connection db = connect(hub)) {
                if (options.warmupSeconds > 0) {
                    say("warm-up: " + options.warmupSeconds + " s of load");
                    long base = maxEventId(db);
                    Load warm = load(hub, writeKey, options.warmupSeconds, options.seed + 1_000);
                    say("warm-up: " + warm.accepted.sum() + " events accepted; waiting until they are stored");
                    Drain d = drain(db, base, warm.accepted.sum());
                    say(String.format("warm-up stored in %.1f s after the load", d.seconds));
                }
                long base = maxEventId(db);
                Map<String, Double> metricsBefore = hub.metrics();
                CpuTicks cpuBefore = CpuTicks.read(hub);
                say("load: " + options.durationSeconds + " s, " + options.threads + " threads");
                Load load = load(hub, writeKey, options.durationSeconds, options.seed);
                long accepted = load.accepted.sum();
                long storedDuringLoad = Math.min(accepted, maxEventId(db) - base); // ids may have gaps: about
                Map<String, Double> metricsAtEnd = hub.metrics();
                say("load done: " + accepted + " events accepted in " + load.requests.sum()
                        + " requests; waiting until all are in PostgreSQL");
                Drain drain = drain(db, base, accepted);
                CpuTicks cpuAfter = CpuTicks.read(hub);
                Map<String, Double> metricsAfter = hub.metrics();
                String loadDuring = loadAverage();
                say("measuring the raw COPY rate of " + accepted + " equivalent rows");
                double[] copy = copy(db, accepted, source);
                Histogram h = load.latency;
                double loadSeconds = load.seconds;
                double profilesPerSecond = drain.stored == accepted ? accepted / (loadSeconds + drain.seconds) : Double.NaN;
                double copyPerSecond = copy[0] / copy[1];
                result = new Result(accepted, load.requests.sum(), new TreeMap<>(load.failuresAsMap()), loadSeconds,
                        accepted / loadSeconds, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue(),
                        drain.stored, drain.seconds, profilesPerSecond, (long) copy[0], copy[1], copyPerSecond,
                        profilesPerSecond / copyPerSecond, load.eventBytes.sum() / (double) Math.max(1, load.events.sum()));
                summary(result, hub, cpuBefore, cpuAfter, metricsBefore, metricsAtEnd, metricsAfter, loadBefore, loadDuring, storedDuringLoad);
            }
            say("stopping the hub (SIGTERM)");
            hub.close();
            say(String.format("hub stopped in %.1f s%s", hub.stopTime == null ? 0.0 : hub.stopTime.toMillis() / 1000.0,
                    options.keep ? "; kept " + hub.dir : ""));
            return result;
        }
    }

    // ------------------------------------------------------------------------------------ load

    private static final class Load {
        final LongAdder accepted = new LongAdder();
        final LongAdder events = new LongAdder();
        final LongAdder eventBytes = new LongAdder();
        final LongAdder requests = new LongAdder();
        final ConcurrentHashMap<String, AtomicLong> failures = new ConcurrentHashMap<>();
        final Histogram latency = new Histogram(120_000_000L, 3);
        double seconds;

        void fail(String why) {
            failures.computeIfAbsent(why, k -> new AtomicLong()).incrementAndGet();
        }

        Map<String, Long> failuresAsMap() {
            Map<String, Long> m = new TreeMap<>();
            failures.forEach((k, v) -> m.put(k, v.get()));
            return m;
        }
    }

    private Load load(HubProcess hub, String writeKey, int seconds, long seed) throws InterruptedException {
        Load load = new Load();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String auth = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        java.net.URI uri = hub.uri("/v1/batch");
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < options.threads; t++) {
            long threadSeed = seed * 1_000 + t;
            Thread thread = new Thread(() -> {
                EventGenerator gen = new EventGenerator(options.users, threadSeed);
                java.util.SplittableRandom sizes = new java.util.SplittableRandom(threadSeed ^ 0x77);
                Histogram mine = new Histogram(120_000_000L, 3);
                StringBuilder body = new StringBuilder(256 * 1024);
                while (System.nanoTime() < end) {
                    int n = options.batchMin + sizes.nextInt(options.batchMax - options.batchMin + 1);
                    long now = System.currentTimeMillis();
                    body.setLength(0);
                    body.append("{\"batch\":[");
                    for (int i = 0; i < n; i++) {
                        if (i > 0) {
                            body.append(',');
                        }
                        int before = body.length();
                        EventGenerator.writeSegment(gen.next(now), body);
                        load.eventBytes.add(body.length() - before);
                    }
                    body.append("],\"sentAt\":\"").append(Instant.ofEpochMilli(now)).append("\"}");
                    load.events.add(n);
                    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                            .header("Authorization", auth).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
                    long t1 = System.nanoTime();
                    try {
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        long micros = (System.nanoTime() - t1) / 1_000;
                        mine.recordValue(Math.min(micros, 120_000_000L));
                        load.requests.increment();
                        if (r.statusCode() == 200) {
                            load.accepted.add(n);
                        } else {
                            load.fail("HTTP " + r.statusCode());
                            if (r.statusCode() == 503 || r.statusCode() >= 500) {
                                sleepQuietly(100);
                            }
                        }
                    } catch (IOException e) {
                        load.fail(e.getClass().getSimpleName());
                        sleepQuietly(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                synchronized (load.latency) {
                    load.latency.add(mine);
                }
            }, "bench-client-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(seconds + 90).toMillis());
        }
        load.seconds = (System.nanoTime() - start) / 1e9;
        return load;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ----------------------------------------------------------------------------------- drain

    private record Drain(long stored, double seconds, long polls) {
    }

    /**
     * Polls until {@code expected} events with an id above {@code base} are in {@code events}:
     * {@code max(id)} (an index lookup) while it is clearly short, an exact count once it could be
     * there. Bounded by --drain-timeout.
     */
    private Drain drain(Connection db, long base, long expected) throws SQLException, InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(options.drainTimeoutSeconds).toNanos();
        long stored = 0;
        long polls = 0;
        long lastReport = t0;
        while (true) {
            polls++;
            long maxId = maxEventId(db);
            if (maxId - base >= expected) {
                stored = queryLong(db, "SELECT count(*) FROM events WHERE id > " + base);
                if (stored >= expected) {
                    return new Drain(stored, (System.nanoTime() - t0) / 1e9, polls);
                }
            }
            long now = System.nanoTime();
            if (now > deadline) {
                stored = queryLong(db, "SELECT count(*) FROM events WHERE id > " + base);
                say("drain: gave up after " + options.drainTimeoutSeconds + " s with " + stored + " of " + expected + " stored");
                return new Drain(stored, (now - t0) / 1e9, polls);
            }
            if (now - lastReport > 10_000_000_000L) {
                say("drain: about " + Math.min(expected, maxId - base) + " of " + expected + " stored so far");
                lastReport = now;
            }
            Thread.sleep(100);
        }
    }

    private static long maxEventId(Connection db) throws SQLException {
        return queryLong(db, "SELECT coalesce(max(id), 0) FROM events");
    }

    // ------------------------------------------------------------------------------------ copy

    /** COPYs {@code rows} equivalent rows into a scratch copy of {@code events}; {rows, seconds in COPY}. */
    private double[] copy(Connection db, long rows, String source) throws SQLException, IOException {
        try (Statement st = db.createStatement()) {
            st.execute("DROP TABLE IF EXISTS bench_copy_events");
            st.execute("CREATE TABLE bench_copy_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
            st.execute("CREATE SEQUENCE IF NOT EXISTS bench_copy_events_id_seq");
            st.execute("ALTER TABLE bench_copy_events ALTER COLUMN id SET DEFAULT nextval('bench_copy_events_id_seq')");
        }
        CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
        EventGenerator gen = new EventGenerator(options.users, options.seed + 7);
        String sql = "COPY bench_copy_events (message_id, profile_id, type, event, name, user_id, anonymous_id, timestamp, "
                + "sent_at, received_at, source, traits, properties, context, identities) FROM STDIN";
        long done = 0;
        long nanos = 0;
        StringBuilder chunk = new StringBuilder(options.copyChunk * 1_400);
        while (done < rows) {
            int n = (int) Math.min(options.copyChunk, rows - done);
            long nowMillis = System.currentTimeMillis();
            String now = Instant.ofEpochMilli(nowMillis).toString();
            chunk.setLength(0);
            for (int i = 0; i < n; i++) {
                EventGenerator.writeCopyRow(gen.next(nowMillis), source, now, chunk);
            }
            byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
            long t = System.nanoTime();
            copy.copyIn(sql, new ByteArrayInputStream(bytes)); // autocommit: one transaction per chunk
            nanos += System.nanoTime() - t;
            done += n;
        }
        long check = queryLong(db, "SELECT count(*) FROM bench_copy_events");
        try (Statement st = db.createStatement()) {
            st.execute("DROP TABLE bench_copy_events");
            st.execute("DROP SEQUENCE bench_copy_events_id_seq");
        }
        if (check != rows) {
            throw new IllegalStateException("COPY stored " + check + " rows, not " + rows);
        }
        return new double[] {rows, nanos / 1e9};
    }

    // ---------------------------------------------------------------------------------- report

    private void summary(Result r, HubProcess hub, CpuTicks before, CpuTicks after, Map<String, Double> mBefore,
                         Map<String, Double> mAtEnd, Map<String, Double> mAfter, String loadBefore, String loadDuring,
                         long storedDuringLoad) {
        double window = r.loadSeconds() + r.drainSeconds();
        StringBuilder s = new StringBuilder();
        s.append("\n==================== Atrium collector benchmark ====================\n");
        s.append(String.format("date                      %s%n", Instant.now().toString().substring(0, 19) + "Z"));
        s.append(String.format("machine                   %d CPUs (availableProcessors), %s, Java %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"), System.getProperty("java.version")));
        s.append(String.format("load average              before %s, after the load+drain %s%n", loadBefore, loadDuring));
        s.append(String.format("settings                  %s%n", options.describe()));
        s.append(String.format("hub                       distribution defaults (embedded PostgreSQL fsync=on, embedded Artemis), ATRIUM_JAVA_OPTS=%s%n",
                System.getenv().getOrDefault("ATRIUM_JAVA_OPTS", "(unset)")));
        s.append(String.format("event size                %.0f bytes of JSON on average (page/track/identify with context)%n", r.avgEventBytes()));
        s.append(String.format("requests                  %d (%s)%n", r.requests(), r.failures().isEmpty() ? "all 200" : "failures: " + r.failures()));
        s.append(String.format("accepted                  %d events in %.1f s = %,.0f events/s%n", r.accepted(), r.loadSeconds(), r.acceptedPerSecond()));
        s.append(String.format("request latency           p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                r.p50Micros() / 1000.0, r.p99Micros() / 1000.0, r.maxMicros() / 1000.0));
        s.append(String.format("in PostgreSQL             %d of %d; drain time after the load %.1f s%n", r.stored(), r.accepted(), r.drainSeconds()));
        s.append(String.format("into profiles             %,.0f events/s sustained (accepted / (load + drain))%n", r.profilesPerSecond()));
        s.append(String.format("  of which                about %,.0f events/s stored while the load ran, %,.0f events/s during the drain (no intake)%n",
                storedDuringLoad / r.loadSeconds(), (r.stored() - storedDuringLoad) / Math.max(0.001, r.drainSeconds())));
        s.append(String.format("raw COPY                  %d rows in %.1f s = %,.0f rows/s (same PostgreSQL, scratch table like events, %d rows per COPY)%n",
                r.copyRows(), r.copySeconds(), r.copyPerSecond(), options.copyChunk));
        s.append(String.format("RATIO hub/COPY            %.3f  (hub events/s into profiles / raw COPY rows/s)%n", r.ratio()));
        s.append(String.format("target 25,000 events/s    %s%n", r.profilesPerSecond() >= 25_000 ? "met" : "NOT met"));
        double hubCpu = after.hub - before.hub;
        double pgCpu = after.postgres - before.postgres;
        double benchCpu = after.bench - before.bench;
        s.append(String.format("CPU during load+drain     hub JVM %.1f s, PostgreSQL %.1f s, bench client %.1f s of %.1f s wall x %d CPUs%n",
                hubCpu, pgCpu, benchCpu, window, Runtime.getRuntime().availableProcessors()));
        s.append(String.format("CPU per 1,000 events      hub JVM %.0f ms, PostgreSQL %.0f ms, bench client %.0f ms%n",
                1e6 * hubCpu / r.accepted(), 1e6 * pgCpu / r.accepted(), 1e6 * benchCpu / r.accepted()));
        double queueAtEnd = sum(mAtEnd, "artemis_message_count", "atrium.events");
        s.append(String.format("queue at end of load      %.0f messages in atrium.events%n", queueAtEnd));
        double colCount = delta(mBefore, mAfter, "atrium_collector_requests_seconds_count", "endpoint=\"batch\"");
        double colSum = delta(mBefore, mAfter, "atrium_collector_requests_seconds_sum", "endpoint=\"batch\"");
        if (colCount > 0) {
            s.append(String.format("collector (server side)   %.0f requests, mean %.1f ms inside the controller%n", colCount, 1000 * colSum / colCount));
        }
        double batches = delta(mBefore, mAfter, "atrium_profiles_batch_latency_seconds_count", "");
        double batchSecs = delta(mBefore, mAfter, "atrium_profiles_batch_latency_seconds_sum", "");
        double batchEvents = delta(mBefore, mAfter, "atrium_profiles_batch_size_events_sum", "");
        if (batches > 0) {
            s.append(String.format("profile stage             %.0f batches, %.0f events/batch, %.0f ms per batch, %.1f s applying in all (both consumers)%n",
                    batches, batchEvents / batches, 1000 * batchSecs / batches, batchSecs));
        }
        s.append(String.format("merges                    %.0f%n", delta(mBefore, mAfter, "atrium_profiles_merges_total", "")));
        s.append("====================================================================\n");
        System.out.print(s);
    }

    private static double sum(Map<String, Double> m, String name, String labelPart) {
        double total = 0;
        for (Map.Entry<String, Double> e : m.entrySet()) {
            String k = e.getKey();
            if ((k.equals(name) || k.startsWith(name + "{")) && k.contains(labelPart)) {
                total += e.getValue();
            }
        }
        return total;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String labelPart) {
        return sum(after, name, labelPart) - sum(before, name, labelPart);
    }

    /** CPU seconds (user + system) used so far by the hub JVM, its PostgreSQL and this JVM. */
    record CpuTicks(double hub, double postgres, double bench) {
        static CpuTicks read(HubProcess hub) {
            double pg = 0;
            long postmaster = hub.postmasterPid();
            if (postmaster > 0) {
                pg = seconds(postmaster, true);
                try (var dirs = Files.list(Path.of("/proc"))) {
                    for (Path p : (Iterable<Path>) dirs::iterator) {
                        String n = p.getFileName().toString();
                        if (!n.chars().allMatch(Character::isDigit)) {
                            continue;
                        }
                        long[] f = stat(Long.parseLong(n));
                        if (f != null && f[0] == postmaster) {
                            pg += (f[1] + f[2]) / 100.0;
                        }
                    }
                } catch (IOException e) {
                    // leave what we have
                }
            }
            return new CpuTicks(seconds(hub.pid(), false), pg, seconds(ProcessHandle.current().pid(), false));
        }

        private static double seconds(long pid, boolean withChildren) {
            long[] f = stat(pid);
            if (f == null) {
                return 0;
            }
            return (f[1] + f[2] + (withChildren ? f[3] + f[4] : 0)) / 100.0; // USER_HZ is 100 on Linux
        }

        /** {ppid, utime, stime, cutime, cstime} from /proc/pid/stat, or null. */
        private static long[] stat(long pid) {
            try {
                String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                // after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
                return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                        Long.parseLong(f[13]), Long.parseLong(f[14])};
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    // ------------------------------------------------------------------------------------- jdbc

    static Connection connect(HubProcess hub) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", "atrium-bench");
        return DriverManager.getConnection(hub.jdbcUrl(), p);
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "bench";
        }
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
