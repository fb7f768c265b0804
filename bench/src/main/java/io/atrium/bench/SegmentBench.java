package io.atrium.bench;

import static io.atrium.bench.BenchSupport.connect;
import static io.atrium.bench.BenchSupport.copyRows;
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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.atrium.bench.BenchSupport.Cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.HdrHistogram.Histogram;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The segment benchmark (issue 4). Starts the unpacked distribution and measures, in one run:
 * <ol>
 * <li><b>latency</b>: under a paced load of {@code --rate} events/s on the collector, probe events
 * that each make a new person enter a segment; the time from the collector's 200 for a probe to its
 * {@code segment_entered} (the {@code at} the segment stage announces on atrium.segment-events and
 * stores as the member's {@code entered_at}), and on to the event in the person's history;</li>
 * <li><b>recount</b>: {@code --profiles} profiles COPYed straight into the hub's embedded PostgreSQL,
 * then a segment's first computation and its full recounts (the hub's own timer), preview counts
 * through the API, and a CSV export, each set against a plain {@code SELECT count(*)} of the same
 * tables in the same PostgreSQL.</li>
 * </ol>
 * Usage: {@code bench/run-segments.sh [--rate 5000] [--duration 30] [--profiles 1000000] ...}; see {@link Options#usage()}.
 */
public final class SegmentBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Cities of the bulk profiles: none of them is a city of the load's people (EventGenerator), so they never qualify. */
    private static final String[] CITY = {"Uzhhorod", "Poltava", "Chernihiv", "Sumy", "Rivne", "Lutsk"};
    private static final String[] PLAN = {"free", "silver", "gold", "platinum"};

    /** The rule recounted over the bulk profiles: about 1 in 36 of them (1/6 city, 1/2 plan, 1/3 ordered). */
    static final String RECOUNT_RULE = "{\"all\": [{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Uzhhorod\"}, "
            + "{\"trait\": \"plan\", \"op\": \"in\", \"value\": [\"gold\", \"platinum\"]}, "
            + "{\"event\": \"Order Completed\", \"count\": {\"atLeast\": 1}}]}";

    /** Segments a shop would have while the latency is measured: the stage evaluates each of them for every change. */
    private static final Map<String, String> SHOP_SEGMENTS = Map.of(
            "Kyiv gold", "{\"all\": [{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}, "
                    + "{\"trait\": \"plan\", \"op\": \"in\", \"value\": [\"gold\", \"platinum\"]}]}",
            "Ordered this week", "{\"event\": \"Order Completed\", \"within\": \"7d\"}",
            "Abandoned checkout", "{\"event\": \"Checkout Started\", \"within\": \"1d\", "
                    + "\"notFollowedBy\": {\"event\": \"Order Completed\", \"within\": \"1h\"}}",
            "Keen browsers", "{\"event\": \"Product Added\", \"where\": [{\"property\": \"price\", \"op\": \"gte\", \"value\": 800}], "
                    + "\"count\": {\"atLeast\": 3}}");

    /** Settings; every one has a command-line option. */
    public static final class Options extends BenchSupport.HubOptions {
        public String only;
        public int rate = 5_000;
        public int durationSeconds = 30;
        public int warmupSeconds = 10;
        public int threads = 4;
        public int batch = 50;
        public int users = 50_000;
        public int probesPerSecond = 20;
        public boolean shopSegments = true;
        public int profiles = 1_000_000;
        public int recounts = 3;
        public int previews = 3;
        public int drainTimeoutSeconds = 300;
        public long seed = 42;
        public boolean explain;

        static String usage() {
            return """
                    Usage: bench/run-segments.sh [options]
                      --only latency|recount    run one part (default: both, latency first)
                     latency under load:
                      --rate N                  events/s offered to the collector, paced (default 5000)
                      --duration SECONDS        measured load time (default 30)
                      --warmup SECONDS          the same load before, not measured (default 10; 0: none)
                      --threads N               client threads for the load (default 4)
                      --batch N                 events per /v1/batch request (default 50)
                      --users N                 people in the load's population (default 50000)
                      --probes N                probe events per second, each a new person entering a segment (default 20)
                      --no-shop-segments        only the probe segment (default: four shop segments besides it)
                     recount:
                      --profiles N              profiles COPYed into PostgreSQL (default 1000000)
                      --recounts N              full recounts after the first computation (default 3)
                      --previews N              preview counts (default 3)
                      --explain                 print PostgreSQL's plan of the recount rule's count
                     both:
                      --drain-timeout SECONDS   longest wait for the pipeline to catch up (default 300)
                      --dist DIR                unpacked distribution (default distribution/target/atrium)
                      --seed N                  random seed (default 42)
                      --keep                    keep the temporary hub folder (data, logs) afterwards
                    Environment: ATRIUM_JAVA_OPTS is passed to the hub (e.g. a JFR recording).""";
        }

        public static Options parse(String... args) {
            Options o = new Options();
            o.read(args);
            return o;
        }

        @Override
        boolean flag(String a) {
            switch (a) {
                case "--explain" -> explain = true;
                case "--no-shop-segments" -> shopSegments = false;
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        boolean option(String a, String v) {
            switch (a) {
                case "--only" -> {
                    if (!v.equals("latency") && !v.equals("recount")) {
                        throw new IllegalArgumentException("--only is latency or recount, not " + v);
                    }
                    only = v;
                }
                case "--rate" -> rate = positive(a, v);
                case "--duration" -> durationSeconds = positive(a, v);
                case "--warmup" -> warmupSeconds = Integer.parseInt(v);
                case "--threads" -> threads = positive(a, v);
                case "--batch" -> batch = positive(a, v);
                case "--users" -> users = positive(a, v);
                case "--probes" -> probesPerSecond = positive(a, v);
                case "--profiles" -> profiles = positive(a, v);
                case "--recounts" -> recounts = positive(a, v);
                case "--previews" -> previews = positive(a, v);
                case "--drain-timeout" -> drainTimeoutSeconds = positive(a, v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> {
                    return false;
                }
            }
            return true;
        }

        boolean runs(String part) {
            return only == null || only.equals(part);
        }
    }

    /** What the latency part measured; times in microseconds. */
    public record Latency(long probes, long accepted, long entered, long inHistory, long p50, long p99, long max,
                          long historyP50, long historyP99, double offeredPerSecond, double acceptedPerSecond,
                          long eventsAccepted, double loadSeconds) {
    }

    /** What the recount part measured; times in seconds. */
    public record Recount(long profiles, long expectedMembers, long members, long previewCount, double loadSeconds,
                          double baselineSeconds, double firstSeconds, List<Double> recountSeconds, List<Double> previewSeconds,
                          long exportRows, double exportSeconds) {
    }

    public record Result(Latency latency, Recount recount) {
    }

    private final Options options;
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final StringBuilder report = new StringBuilder();

    public SegmentBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = optionsOrExit(args, Options::parse, Options.usage());
        Result r = new SegmentBench(options).run();
        boolean complete = (r.latency() == null || r.latency().entered() == r.latency().accepted())
                && (r.recount() == null || r.recount().members() == r.recount().expectedMembers());
        System.exit(complete ? 0 : 1);
    }

    public Result run() throws Exception {
        line("date", now());
        line("machine", machine());
        line("load average before", loadAverage());
        line("hub", "distribution defaults (embedded PostgreSQL fsync=on, embedded Artemis), ATRIUM_JAVA_OPTS=" + hubJavaOptions());
        try (HubProcess hub = startHub(options); Connection db = connect(hub, "atrium-bench")) {
            Latency latency = options.runs("latency") ? latency(hub, db) : null;
            Recount recount = options.runs("recount") ? recount(hub, db) : null;
            line("load average after", loadAverage());
            System.out.print("\n==================== Atrium segment benchmark ====================\n" + report
                    + "==================================================================\n");
            say("stopping the hub (SIGTERM)");
            hub.close();
            return new Result(latency, recount);
        }
    }

    private void line(String label, String value) {
        report.append(String.format("%-34s %s%n", label, value));
    }

    // --------------------------------------------------------------------------------- latency

    private record Probe(String user, Instant accepted, int status) {
    }

    private static final class Load {
        final LongAdder events = new LongAdder();
        final LongAdder accepted = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicLong behindMax = new AtomicLong();
        final ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
        final Histogram requestLatency = new Histogram(120_000_000L, 3);
        double seconds;
    }

    private Latency latency(HubProcess hub, Connection db) throws Exception {
        String writeKey = hub.createSource("segment-bench");
        String auth = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        long probeSegment = createSegment(hub, "Bench probe " + run, "{\"event\": \"bench_probe\"}");
        int segments = 1;
        if (options.shopSegments) {
            for (Map.Entry<String, String> s : SHOP_SEGMENTS.entrySet()) {
                createSegment(hub, s.getKey() + " " + run, s.getValue());
                segments++;
            }
        }
        line("latency: settings", String.format("%,d events/s offered for %d s (after a %d s warm-up), %d threads, %d events per /v1/batch, "
                        + "%,d people, %d probes/s, %d segments", options.rate, options.durationSeconds, options.warmupSeconds,
                options.threads, options.batch, options.users, options.probesPerSecond, segments));
        if (options.warmupSeconds > 0) {
            say("warm-up: " + options.warmupSeconds + " s at " + options.rate + " events/s");
            Load warm = load(hub, auth, options.warmupSeconds, "warm", options.seed + 1_000);
            awaitEntered(db, probeSegment, "probe-" + run + "-warm-", warm.probes.stream().filter(p -> p.status == 200).count(), false);
            awaitQuiet(hub);
        }
        Map<String, Double> before = hub.metrics();
        Cpu cpuBefore = Cpu.read(hub);
        say("load: " + options.durationSeconds + " s at " + options.rate + " events/s with " + options.probesPerSecond + " probes/s");
        Load load = load(hub, auth, options.durationSeconds, "run", options.seed);
        Map<String, Double> atEnd = hub.metrics();
        List<Probe> accepted = load.probes.stream().filter(p -> p.status == 200).toList();
        say("load done: " + load.accepted.sum() + " events and " + accepted.size() + " probes accepted; waiting for every probe's segment_entered");
        long waitStart = System.nanoTime();
        Map<String, Instant[]> seen = awaitEntered(db, probeSegment, "probe-" + run + "-run-", accepted.size(), true);
        double waited = (System.nanoTime() - waitStart) / 1e9;
        Cpu cpuAfter = Cpu.read(hub);
        awaitQuiet(hub);
        Map<String, Double> after = hub.metrics();
        Map<String, Instant> probeStored = probeStoredAt(db, accepted);

        Histogram entered = new Histogram(3_600_000_000L, 3);
        Histogram history = new Histogram(3_600_000_000L, 3);
        Histogram toStored = new Histogram(3_600_000_000L, 3);
        Histogram storedToEntered = new Histogram(3_600_000_000L, 3);
        Histogram firstThird = new Histogram(3_600_000_000L, 3);
        Histogram lastThird = new Histogram(3_600_000_000L, 3);
        long inHistory = 0;
        long early = 0;
        for (int i = 0; i < accepted.size(); i++) {
            Probe p = accepted.get(i);
            Instant[] s = seen.get(p.user);
            if (s == null || s[0] == null) {
                continue;
            }
            long micros = micros(p.accepted, s[0]);
            early += micros < 0 ? 1 : 0;
            entered.recordValue(Math.max(0, micros));
            if (i < accepted.size() / 3) {
                firstThird.recordValue(Math.max(0, micros));
            } else if (i >= 2 * accepted.size() / 3) {
                lastThird.recordValue(Math.max(0, micros));
            }
            if (s[1] != null) {
                inHistory++;
                history.recordValue(Math.max(0, micros(p.accepted, s[1])));
            }
            Instant stored = probeStored.get(p.user);
            if (stored != null) {
                toStored.recordValue(Math.max(0, micros(p.accepted, stored)));
                storedToEntered.recordValue(Math.max(0, micros(stored, s[0])));
            }
        }
        double offered = load.events.sum() / load.seconds;
        double acceptedRate = load.accepted.sum() / load.seconds;
        line("latency: load", String.format("%,d events accepted in %.1f s = %,.0f events/s (offered %,.0f/s, %d failed requests; "
                        + "request p50 %.1f ms, p99 %.1f ms)", load.accepted.sum(), load.seconds, acceptedRate, offered, load.failed.sum(),
                load.requestLatency.getValueAtPercentile(50) / 1000.0, load.requestLatency.getValueAtPercentile(99) / 1000.0));
        line("latency: probes", String.format("%d sent, %d accepted, %d entered the segment, %d of them in the history "
                + "(waited %.1f s after the load)", load.probes.size(), accepted.size(), entered.getTotalCount(), inHistory, waited));
        line("ACCEPTED -> segment_entered", String.format("p50 %s, p99 %s, max %s  (target p99 <= 100 ms: %s)",
                ms(entered.getValueAtPercentile(50)), ms(entered.getValueAtPercentile(99)), ms(entered.getMaxValue()),
                entered.getTotalCount() > 0 && entered.getValueAtPercentile(99) <= 100_000 ? "met" : "NOT met"));
        line("  first / last third of the run", String.format("p50 %s / %s, p99 %s / %s", ms(firstThird.getValueAtPercentile(50)),
                ms(lastThird.getValueAtPercentile(50)), ms(firstThird.getValueAtPercentile(99)), ms(lastThird.getValueAtPercentile(99))));
        line("  accepted -> profile batch began", String.format("p50 %s, p99 %s (events.stored_at: the batch's transaction start)",
                ms(toStored.getValueAtPercentile(50)), ms(toStored.getValueAtPercentile(99))));
        line("  batch began -> segment_entered", String.format("p50 %s, p99 %s (batch commit, profile-changed, segment stage)",
                ms(storedToEntered.getValueAtPercentile(50)), ms(storedToEntered.getValueAtPercentile(99))));
        line("ACCEPTED -> in the person's history", String.format("p50 %s, p99 %s (segment_entered through the intake and profile stage)",
                ms(history.getValueAtPercentile(50)), ms(history.getValueAtPercentile(99))));
        if (early > 0) {
            line("  note", early + " probes were decided before their HTTP answer reached the bench (counted as 0)");
        }
        double batches = delta(before, after, "atrium_profiles_batch_latency_seconds_count");
        if (batches > 0) {
            line("profile stage", String.format("%.0f batches, %.0f events/batch, %.0f ms per batch", batches,
                    delta(before, after, "atrium_profiles_batch_size_events_sum") / batches,
                    1000 * delta(before, after, "atrium_profiles_batch_latency_seconds_sum") / batches));
        }
        double reconciles = delta(before, after, "atrium_segments_reconcile_seconds_count", "scope=\"changed\"", "phase=\"evaluate\"");
        if (reconciles > 0) {
            double evaluate = delta(before, after, "atrium_segments_reconcile_seconds_sum", "scope=\"changed\"", "phase=\"evaluate\"");
            double announce = delta(before, after, "atrium_segments_reconcile_seconds_sum", "scope=\"changed\"", "phase=\"announce\"");
            line("segment stage", String.format("%.0f batches of profile changes x %d segments; per batch %.1f ms evaluating, %.1f ms announcing",
                    reconciles / segments, segments, 1000 * evaluate / (reconciles / segments), 1000 * announce / (reconciles / segments)));
        }
        double recomputes = delta(before, after, "atrium_segments_reconcile_seconds_count", "scope=\"everyone\"", "phase=\"evaluate\"");
        line("  recomputes of everyone", String.format("%.0f, %.0f ms in all (the safety net of time-dependent segments)", recomputes,
                1000 * delta(before, after, "atrium_segments_reconcile_seconds_sum", "scope=\"everyone\"")));
        line("  wake-ups", String.format("%.0f people re-checked when time alone could change their membership",
                delta(before, after, "atrium_segments_wakeups_total")));
        line("queue at end of load", String.format("%.0f messages in atrium.events", sum(atEnd, "artemis_message_count", "atrium.events")));
        double window = load.seconds + waited;
        line("CPU during load + wait", String.format("hub JVM %.1f s, PostgreSQL %.1f s, bench %.1f s of %.1f s wall x %d CPUs",
                cpuAfter.hub() - cpuBefore.hub(), cpuAfter.postgres() - cpuBefore.postgres(), cpuAfter.bench() - cpuBefore.bench(),
                window, Runtime.getRuntime().availableProcessors()));

        // The recount part wants a quiet hub: no shop segment recomputed by the clock over its million profiles.
        for (JsonNode s : JSON.readTree(hub.api("GET", "/api/v1/segments", null, 200))) {
            hub.api("DELETE", "/api/v1/segments/" + s.path("id").asLong(), null, 204);
        }
        return new Latency(load.probes.size(), accepted.size(), entered.getTotalCount(), inHistory,
                entered.getValueAtPercentile(50), entered.getValueAtPercentile(99), entered.getMaxValue(),
                history.getValueAtPercentile(50), history.getValueAtPercentile(99), offered, acceptedRate, load.accepted.sum(), load.seconds);
    }

    private static long micros(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1_000;
    }

    private static String ms(long micros) {
        return String.format("%.1f ms", micros / 1000.0);
    }

    private long createSegment(HubProcess hub, String name, String rule) throws IOException, InterruptedException {
        return JSON.readTree(hub.api("POST", "/api/v1/segments", "{\"name\": \"" + name + "\", \"rule\": " + rule + "}", 201))
                .path("id").asLong();
    }

    /** Paced load: {@code threads} senders of batches and one sender of probes, each on its own schedule. */
    private Load load(HubProcess hub, String auth, int seconds, String phase, long seed) throws InterruptedException {
        Load load = new Load();
        URI batchUri = hub.uri("/v1/batch");
        URI trackUri = hub.uri("/v1/track");
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        long every = (long) (1e9 * options.threads * options.batch / options.rate);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < options.threads; t++) {
            long threadSeed = seed * 1_000 + t;
            long first = start + every * t / options.threads;
            Thread thread = new Thread(() -> {
                EventGenerator gen = new EventGenerator(options.users, threadSeed);
                StringBuilder body = new StringBuilder(128 * 1024);
                Histogram mine = new Histogram(120_000_000L, 3);
                for (long due = first; due < end; due += every) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        sleepNanos(wait);
                    } else {
                        load.behindMax.accumulateAndGet(-wait / 1_000_000, Math::max);
                    }
                    long now = System.currentTimeMillis();
                    body.setLength(0);
                    body.append("{\"batch\":[");
                    for (int i = 0; i < options.batch; i++) {
                        if (i > 0) {
                            body.append(',');
                        }
                        EventGenerator.writeSegment(gen.next(now), body);
                    }
                    body.append("]}");
                    load.events.add(options.batch);
                    long t1 = System.nanoTime();
                    int status = post(batchUri, auth, body.toString());
                    mine.recordValue(Math.min((System.nanoTime() - t1) / 1_000, 120_000_000L));
                    if (status == 200) {
                        load.accepted.add(options.batch);
                    } else {
                        load.failed.increment();
                    }
                }
                synchronized (load.requestLatency) {
                    load.requestLatency.add(mine);
                }
            }, "bench-load-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
        long probeEvery = 1_000_000_000L / options.probesPerSecond;
        Thread prober = new Thread(() -> {
            int n = 0;
            for (long due = start + probeEvery / 2; due < end; due += probeEvery) {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    sleepNanos(wait);
                }
                String user = "probe-" + run + "-" + phase + "-" + (n++);
                String body = "{\"userId\":\"" + user + "\",\"event\":\"bench_probe\",\"messageId\":\"" + user
                        + "\",\"timestamp\":\"" + Instant.now() + "\"}";
                int status = post(trackUri, auth, body);
                load.probes.add(new Probe(user, Instant.now(), status));
            }
        }, "bench-probes");
        prober.setDaemon(true);
        threads.add(prober);
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(seconds + 120).toMillis());
        }
        load.seconds = (System.nanoTime() - start) / 1e9;
        return load;
    }

    private int post(URI uri, String auth, String body) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Authorization", auth)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until {@code expected} probes whose user id starts with {@code prefix} are members of the
     * probe segment (and, with {@code history}, have the segment_entered event in their history);
     * returns per user {entered_at, history stored_at}.
     */
    private Map<String, Instant[]> awaitEntered(Connection db, long segment, String prefix, long expected, boolean history)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(options.drainTimeoutSeconds).toNanos();
        long lastReport = System.nanoTime();
        Map<String, Instant[]> seen = new HashMap<>();
        Map<Long, String> userOf = new HashMap<>(); // a profile's user id does not change: looked up once
        while (true) {
            // Cheap queries only (by the segment's key and by profile id): this polls while the hub is
            // still digesting the load, on the same cores.
            // The probe segment's members by its key, then the user ids of members not seen before by
            // profile id: a join filtering user ids by prefix made PostgreSQL scan every user id
            // (73 ms a poll at 50,000 people, 12 % of its time while the stage drained the backlog).
            seen.clear();
            Map<Long, Instant> members = new HashMap<>();
            try (PreparedStatement st = db.prepareStatement("SELECT profile_id, entered_at FROM segment_members WHERE segment_id = ?")) {
                st.setLong(1, segment);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        members.put(rs.getLong(1), rs.getTimestamp(2).toInstant());
                    }
                }
            }
            Long[] unknown = members.keySet().stream().filter(p -> !userOf.containsKey(p)).toArray(Long[]::new);
            if (unknown.length > 0) {
                try (PreparedStatement st = db.prepareStatement("SELECT profile_id, value FROM identities "
                        + "WHERE profile_id = ANY(?) AND type = 'user_id'")) {
                    st.setArray(1, db.createArrayOf("bigint", unknown));
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            userOf.put(rs.getLong(1), rs.getString(2));
                        }
                    }
                }
            }
            Map<Long, String> users = new HashMap<>();
            members.forEach((profile, enteredAt) -> {
                String user = userOf.get(profile);
                if (user != null && user.startsWith(prefix)) {
                    seen.put(user, new Instant[] {enteredAt, null});
                    users.put(profile, user);
                }
            });
            long inHistory = 0;
            if (history && seen.size() >= expected) {
                try (PreparedStatement st = db.prepareStatement("SELECT h.profile_id, h.stored_at FROM events h "
                        + "WHERE h.profile_id = ANY(?) AND h.source = ? AND h.event = 'segment_entered'")) {
                    st.setArray(1, db.createArrayOf("bigint", users.keySet().toArray(Long[]::new)));
                    st.setString(2, "segment:" + segment);
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            Instant[] s = seen.get(users.get(rs.getLong(1)));
                            if (s != null && s[1] == null) {
                                s[1] = rs.getTimestamp(2).toInstant();
                                inHistory++;
                            }
                        }
                    }
                }
            }
            if (seen.size() >= expected && (!history || inHistory >= expected)) {
                return seen;
            }
            long now = System.nanoTime();
            if (now > deadline) {
                say("gave up waiting after " + options.drainTimeoutSeconds + " s: " + seen.size() + " of " + expected
                        + " probes entered, " + inHistory + " in the history");
                return seen;
            }
            if (now - lastReport > 10_000_000_000L) {
                say(seen.size() + " of " + expected + " probes entered, " + inHistory + " in the history so far");
                lastReport = now;
            }
            Thread.sleep(500);
        }
    }

    private Map<String, Instant> probeStoredAt(Connection db, List<Probe> probes) throws SQLException {
        Map<String, Instant> out = new HashMap<>();
        String[] ids = probes.stream().map(Probe::user).toArray(String[]::new);
        try (PreparedStatement st = db.prepareStatement("SELECT message_id, stored_at FROM events WHERE message_id = ANY(?)")) {
            Array array = db.createArrayOf("text", ids);
            st.setArray(1, array);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
            }
        }
        return out;
    }

    /** Waits until the events queue is empty, so that one measurement does not pay for the last one's tail. */
    private void awaitQuiet(HubProcess hub) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(options.drainTimeoutSeconds).toNanos();
        int quiet = 0;
        while (System.nanoTime() < deadline && quiet < 3) {
            Map<String, Double> m = hub.metrics();
            quiet = m.isEmpty() || sum(m, "artemis_message_count", "atrium.events") > 0 ? 0 : quiet + 1;
            Thread.sleep(300);
        }
    }

    // --------------------------------------------------------------------------------- recount

    /** What the bulk load gave each profile, so the bench knows the answer before it asks. */
    private static final class People {
        final byte[] city;
        final byte[] plan;
        final byte[] age;
        final byte[] orders;
        final byte[] consent; // 0 none, 1 refused, 2 granted
        final boolean[] email;

        People(int n, long seed) {
            city = new byte[n];
            plan = new byte[n];
            age = new byte[n];
            orders = new byte[n];
            consent = new byte[n];
            email = new boolean[n];
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < n; i++) {
                city[i] = (byte) r.nextInt(CITY.length);
                plan[i] = (byte) r.nextInt(PLAN.length);
                age[i] = (byte) (18 + r.nextInt(60));
                orders[i] = (byte) (r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0);
                consent[i] = (byte) (r.nextBoolean() ? 0 : 1 + r.nextInt(2));
                email[i] = r.nextInt(10) < 6;
            }
        }

        /** Those {@link #RECOUNT_RULE} selects. */
        long members() {
            long n = 0;
            for (int i = 0; i < city.length; i++) {
                n += city[i] == 0 && plan[i] >= 2 && orders[i] > 0 ? 1 : 0;
            }
            return n;
        }
    }

    private Recount recount(HubProcess hub, Connection db) throws Exception {
        awaitQuiet(hub);
        int n = options.profiles;
        People people = new People(n, options.seed + 4);
        say("bulk load: COPYing " + n + " profiles with identities, traits, consents and orders into PostgreSQL");
        long t0 = System.nanoTime();
        long first;
        try (Statement st = db.createStatement()) {
            // Reserve the ids: the hub's own profile stage may create profiles meanwhile.
            try (ResultSet rs = st.executeQuery("SELECT nextval('profiles_id_seq')")) {
                rs.next();
                first = rs.getLong(1) + 1;
            }
            st.execute("SELECT setval('profiles_id_seq', " + (first + n) + ")");
        }
        CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
        String now = Instant.now().toString();
        long rows = 0;
        rows += copyRows(copy, "COPY profiles (id) FROM STDIN", n, (i, out) -> out.append(first + i).append('\n'));
        rows += copyRows(copy, "COPY identities (profile_id, type, value) FROM STDIN", n, (i, out) -> {
            out.append(first + i).append("\tuser_id\tbulk-").append(run).append('-').append(i).append('\n');
            if (people.email[i]) {
                out.append(first + i).append("\temail\tbulk-").append(run).append('-').append(i).append("@example.com\n");
            }
        });
        rows += copyRows(copy, "COPY traits (profile_id, name, value, set_at, message_id) FROM STDIN", n, (i, out) -> {
            String tail = "\t" + now + "\tbulk-" + run + "\n";
            out.append(first + i).append("\tcity\t\"").append(CITY[people.city[i]]).append('"').append(tail);
            out.append(first + i).append("\tplan\t\"").append(PLAN[people.plan[i]]).append('"').append(tail);
            out.append(first + i).append("\tage\t").append(people.age[i]).append(tail);
        });
        rows += copyRows(copy, "COPY consents (profile_id, channel, purpose, granted, set_at, message_id) FROM STDIN", n, (i, out) -> {
            if (people.consent[i] > 0) {
                out.append(first + i).append("\temail\tmarketing\t").append(people.consent[i] == 2).append('\t').append(now)
                        .append("\tbulk-").append(run).append('\n');
            }
        });
        long nowMillis = System.currentTimeMillis();
        rows += copyRows(copy, "COPY events (message_id, profile_id, type, event, timestamp, properties) FROM STDIN", n, (i, out) -> {
            for (int k = 0; k < people.orders[i]; k++) {
                out.append("bulk-").append(run).append('-').append(i).append('-').append(k).append('\t').append(first + i)
                        .append("\ttrack\tOrder Completed\t").append(Instant.ofEpochMilli(nowMillis - (i * 7919L + k * 104729L) % 5_184_000_000L))
                        .append("\t{\"total\": ").append(100 + (i + k) % 9_900).append("}\n");
            }
        });
        try (Statement st = db.createStatement()) {
            st.execute("ANALYZE profiles, identities, traits, consents, events");
        }
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long expected = people.members();
        say(String.format("bulk load: %,d rows in %.1f s (with ANALYZE); %,d profiles should be in the segment", rows, loadSeconds, expected));
        line("recount: data", String.format("%,d profiles COPYed (%,d rows in profiles, identities, traits, consents, events) in %.1f s",
                n, rows, loadSeconds));

        // The plain count of the same tables, in the same PostgreSQL, warm.
        double baseline = 0;
        for (String table : List.of("profiles", "traits", "events")) {
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                queryLong(db, "SELECT count(*) FROM " + table);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
            baseline += best;
        }
        long totalProfiles = queryLong(db, "SELECT count(*) FROM profiles");
        line("  plain SELECT count(*)", String.format("%.3f s for profiles + traits + events (%,d profiles in all; best of 3 each)",
                baseline, totalProfiles));

        List<Double> previews = new ArrayList<>();
        long previewCount = -1;
        for (int i = 0; i < options.previews; i++) {
            long t = System.nanoTime();
            previewCount = JSON.readTree(hub.api("POST", "/api/v1/segments/preview", "{\"rule\": " + RECOUNT_RULE + "}", 200))
                    .path("count").asLong();
            previews.add((System.nanoTime() - t) / 1e9);
        }
        if (options.explain) {
            explain(db, "the recount rule's count (as a preview runs it)", "SELECT count(*) FROM profiles p WHERE " + RECOUNT_SQL);
        }

        // First computation: everyone who qualifies enters (and is announced).
        Map<String, Double> m0 = hub.metrics();
        long t1 = System.nanoTime();
        long segment = createSegment(hub, "Bench recount " + run, RECOUNT_RULE);
        Map<String, Double> m1 = awaitRecompute(hub, m0);
        double firstWall = (System.nanoTime() - t1) / 1e9;
        double firstEvaluate = delta(m0, m1, "atrium_segments_reconcile_seconds_sum", "scope=\"everyone\"", "phase=\"evaluate\"");
        double firstAnnounce = delta(m0, m1, "atrium_segments_reconcile_seconds_sum", "scope=\"everyone\"", "phase=\"announce\"");
        double firstEntered = delta(m0, m1, "atrium_segments_transitions_total", "type=\"entered\"");
        long members = queryLong(db, "SELECT count(*) FROM segment_members WHERE segment_id = " + segment);
        say(String.format("first computation: %,d entered; %.2f s evaluating, %.2f s announcing; waiting for their history events",
                (long) firstEntered, firstEvaluate, firstAnnounce));
        awaitQuiet(hub);

        List<Double> recounts = new ArrayList<>();
        String definition = "{\"name\": \"Bench recount " + run + "\", \"rule\": " + RECOUNT_RULE + "}";
        for (int i = 0; i < options.recounts; i++) {
            Map<String, Double> before = hub.metrics();
            hub.api("PUT", "/api/v1/segments/" + segment, definition, 200);
            Map<String, Double> after = awaitRecompute(hub, before);
            recounts.add(delta(before, after, "atrium_segments_reconcile_seconds_sum", "scope=\"everyone\"", "phase=\"evaluate\""));
        }

        if (options.explain) {
            explain(db, "a full recount (as the segment stage runs it)", reconcileSql(segment, null));
            StringBuilder ids = new StringBuilder("{");
            for (int i = 0; i < 1500; i++) {
                ids.append(i == 0 ? "" : ",").append(first + (i * 7919L) % n);
            }
            explain(db, "a recount of 1,500 changed profiles (as the segment stage runs it for one profile change)",
                    reconcileSql(segment, ids.append('}').toString()));
        }

        // A CSV export of the members.
        long t2 = System.nanoTime();
        JsonNode job = JSON.readTree(hub.api("POST", "/api/v1/segments/" + segment + "/exports", null, 202));
        String jobPath = "/api/v1/segments/" + segment + "/exports/" + job.path("id").asLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(options.drainTimeoutSeconds).toNanos();
        while (job.path("state").asText().equals("running") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            job = JSON.readTree(hub.api("GET", jobPath, null, 200));
        }
        double exportSeconds = (System.nanoTime() - t2) / 1e9;
        long exportRows = job.path("state").asText().equals("done") ? job.path("rows").asLong() : -1;
        long fileBytes = -1;
        if (exportRows >= 0) {
            HttpResponse<byte[]> file = client.send(HttpRequest.newBuilder(hub.uri(jobPath + "/file"))
                    .header("Authorization", "Bearer " + hub.token).build(), HttpResponse.BodyHandlers.ofByteArray());
            fileBytes = file.statusCode() == 200 ? file.body().length : -1;
        }

        double recountBest = recounts.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double previewBest = previews.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        line("  rule", RECOUNT_RULE);
        line("  members", String.format("%,d expected, %,d in segment_members, preview count %,d%s", expected, members, previewCount,
                expected == members && expected == previewCount ? "" : "  (MISMATCH)"));
        line("PREVIEW COUNT (API round trip)", String.format("%s; RATIO to the plain count %.1f", seconds(previews), previewBest / baseline));
        line("FIRST COMPUTATION", String.format("%.2f s evaluating and applying, %.2f s announcing %,d entries; %.2f s wall from POST",
                firstEvaluate, firstAnnounce, (long) firstEntered, firstWall));
        line("FULL RECOUNT (no change)", String.format("%s; RATIO to the plain count %.1f  (target <= 5 s: %s)", seconds(recounts),
                recountBest / baseline, recounts.stream().allMatch(s -> s <= 5.0) ? "met" : "NOT met"));
        line("CSV EXPORT", exportRows < 0 ? "did not finish: " + job : String.format("%,d rows, %,d bytes in %.2f s = %,.0f rows/s",
                exportRows, fileBytes, exportSeconds, exportRows / exportSeconds));
        return new Recount(n, expected, members, previewCount, loadSeconds, baseline, firstEvaluate, recounts, previews,
                exportRows, exportSeconds);
    }

    private static String seconds(List<Double> runs) {
        List<String> s = runs.stream().map(d -> String.format("%.2f", d)).toList();
        return String.join(", ", s) + " s";
    }

    /** Waits until the hub has recomputed a segment over everyone once more than in {@code before}; returns the metrics then. */
    private Map<String, Double> awaitRecompute(HubProcess hub, Map<String, Double> before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(options.drainTimeoutSeconds).toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Double> now = hub.metrics();
            if (delta(before, now, "atrium_segments_reconcile_seconds_count", "scope=\"everyone\"", "phase=\"announce\"") >= 1) {
                return now;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the hub did not recompute the segment within " + options.drainTimeoutSeconds + " s");
    }

    /** {@link #RECOUNT_RULE} as the hub compiles it (SegmentSql), with its values inline: for the plans only. */
    private static final String RECOUNT_SQL = "(EXISTS (SELECT 1 FROM traits t WHERE t.profile_id = p.id AND t.name = 'city' "
            + "AND t.value = '\"Uzhhorod\"'::jsonb) "
            + "AND EXISTS (SELECT 1 FROM traits t WHERE t.profile_id = p.id AND t.name = 'plan' "
            + "AND t.value IN ('\"gold\"'::jsonb, '\"platinum\"'::jsonb)) "
            + "AND EXISTS (SELECT 1 FROM events e WHERE e.profile_id = p.id AND (e.event = 'Order Completed' "
            + "OR (e.event IS NULL AND e.type = 'Order Completed'))))";

    /** The query that finds a recount's difference, as the segment stage runs it (SegmentStage.reconcile), for {@code among} (null: everyone). */
    private static String reconcileSql(long segment, String among) {
        String restrict = among == null ? "" : "p.id = ANY('" + among + "'::bigint[]) AND ";
        String restrictMembers = among == null ? "" : " AND profile_id = ANY('" + among + "'::bigint[])";
        return "SELECT coalesce(n.id, m.profile_id), CASE WHEN m.profile_id IS NULL THEN 'in' "
                + "WHEN EXISTS (SELECT 1 FROM profiles x WHERE x.id = m.profile_id) THEN 'out' ELSE 'gone' END "
                + "FROM (SELECT p.id FROM profiles p WHERE " + restrict + RECOUNT_SQL + ") n "
                + "FULL JOIN (SELECT profile_id FROM segment_members WHERE segment_id = " + segment + restrictMembers + ") m "
                + "ON m.profile_id = n.id WHERE n.id IS NULL OR m.profile_id IS NULL";
    }

    /** Prints PostgreSQL's plan of {@code sql} with EXPLAIN ANALYZE, in a transaction that is rolled back. */
    private static void explain(Connection db, String what, String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        db.setAutoCommit(false);
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            while (rs.next()) {
                String line = rs.getString(1);
                plan.append("    ").append(line.length() > 200 ? line.substring(0, 200) + " ..." : line).append('\n');
            }
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
        System.out.print("[bench] plan of " + what + ":\n" + plan);
    }
}
