package io.atrium.bench;

import static io.atrium.bench.BenchSupport.connect;
import static io.atrium.bench.BenchSupport.delta;
import static io.atrium.bench.BenchSupport.hubJavaOptions;
import static io.atrium.bench.BenchSupport.loadAverage;
import static io.atrium.bench.BenchSupport.machine;
import static io.atrium.bench.BenchSupport.now;
import static io.atrium.bench.BenchSupport.optionsOrExit;
import static io.atrium.bench.BenchSupport.positive;
import static io.atrium.bench.BenchSupport.queryLong;
import static io.atrium.bench.BenchSupport.say;
import static io.atrium.bench.BenchSupport.startHub;
import static io.atrium.bench.BenchSupport.sum;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.atrium.bench.BenchSupport.Cpu;

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
    public static final class Options extends BenchSupport.HubOptions {
        public int durationSeconds = 30;
        public int warmupSeconds = 5;
        public int threads = 8;
        public int batchMin = 50;
        public int batchMax = 100;
        public int users = 50_000;
        public int drainTimeoutSeconds = 300;
        public int copyChunk = 10_000;
        public long seed = 42;

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
            o.read(args);
            if (o.batchMax < o.batchMin) {
                throw new IllegalArgumentException("--batch-max must be at least --batch-min");
            }
            return o;
        }

        @Override
        boolean option(String a, String v) {
            switch (a) {
                case "--duration" -> durationSeconds = positive(a, v);
                case "--warmup" -> warmupSeconds = Integer.parseInt(v);
                case "--threads" -> threads = positive(a, v);
                case "--batch-min" -> batchMin = positive(a, v);
                case "--batch-max" -> batchMax = positive(a, v);
                case "--users" -> users = positive(a, v);
                case "--drain-timeout" -> drainTimeoutSeconds = positive(a, v);
                case "--copy-chunk" -> copyChunk = positive(a, v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> {
                    return false;
                }
            }
            return true;
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
        Options options = optionsOrExit(args, Options::parse, Options.usage());
        CollectorBench bench = new CollectorBench(options);
        Result r = bench.run();
        System.exit(r.allStored() ? 0 : 1);
    }

    public Result run() throws Exception {
        String loadBefore = loadAverage();
        try (HubProcess hub = startHub(options)) {
            String writeKey = hub.createSource("bench");
            String source;
            try (Connection c = connect(hub, "atrium-bench")) {
                source = queryString(c, "SELECT id::text FROM sources WHERE name = 'bench' AND revoked_at IS NULL");
            } catch (SQLException e) {
                source = "bench";
            }
            Result result;
            try (Connection db = connect(hub, "atrium-bench")) {
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
                Cpu cpuBefore = Cpu.read(hub);
                say("load: " + options.durationSeconds + " s, " + options.threads + " threads");
                Load load = load(hub, writeKey, options.durationSeconds, options.seed);
                long accepted = load.accepted.sum();
                long storedDuringLoad = Math.min(accepted, maxEventId(db) - base); // ids may have gaps: about
                Map<String, Double> metricsAtEnd = hub.metrics();
                say("load done: " + accepted + " events accepted in " + load.requests.sum()
                        + " requests; waiting until all are in PostgreSQL");
                Drain drain = drain(db, base, accepted);
                Cpu cpuAfter = Cpu.read(hub);
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

    private void summary(Result r, HubProcess hub, Cpu before, Cpu after, Map<String, Double> mBefore,
                         Map<String, Double> mAtEnd, Map<String, Double> mAfter, String loadBefore, String loadDuring,
                         long storedDuringLoad) {
        double window = r.loadSeconds() + r.drainSeconds();
        StringBuilder s = new StringBuilder();
        s.append("\n==================== Atrium collector benchmark ====================\n");
        s.append(String.format("date                      %s%n", now()));
        s.append(String.format("machine                   %s%n", machine()));
        s.append(String.format("load average              before %s, after the load+drain %s%n", loadBefore, loadDuring));
        s.append(String.format("settings                  %s%n", options.describe()));
        s.append(String.format("hub                       distribution defaults (embedded PostgreSQL fsync=on, embedded Artemis), ATRIUM_JAVA_OPTS=%s%n",
                hubJavaOptions()));
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
        double hubCpu = after.hub() - before.hub();
        double pgCpu = after.postgres() - before.postgres();
        double benchCpu = after.bench() - before.bench();
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

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "bench";
        }
    }
}
