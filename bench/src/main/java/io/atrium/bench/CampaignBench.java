package io.atrium.bench;

import static io.atrium.bench.BenchSupport.connect;
import static io.atrium.bench.BenchSupport.copyRows;
import static io.atrium.bench.BenchSupport.hubJavaOptions;
import static io.atrium.bench.BenchSupport.loadAverage;
import static io.atrium.bench.BenchSupport.machine;
import static io.atrium.bench.BenchSupport.now;
import static io.atrium.bench.BenchSupport.optionsOrExit;
import static io.atrium.bench.BenchSupport.positive;
import static io.atrium.bench.BenchSupport.queryLong;
import static io.atrium.bench.BenchSupport.say;
import static io.atrium.bench.BenchSupport.secondsSince;
import static io.atrium.bench.BenchSupport.startHub;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.atrium.bench.BenchSupport.Cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The campaign benchmark (issue "Campaigns"): a broadcast to {@code --profiles} people, launched
 * through the API, timed until every journey has its first message enqueued on the channel's durable
 * outbound queue. The people (a profile, an e-mail identity, a first name, an e-mail marketing consent
 * and a membership of the audience segment each) are COPYed straight into the hub's embedded
 * PostgreSQL beforehand. The bundled email plugin is started but parked (its pace is one message per
 * {@code 1/rate} seconds, to an SMTP port nobody listens on), so what is measured is the campaign
 * engine putting messages on the queue, not an SMTP server taking them. While it runs, the progress
 * (messages recorded, queue depth, journeys by state) is sampled and printed with the rate.
 * Usage: {@code bench/run-campaigns.sh [--profiles 1000000] ...}; see {@link Options#usage()}.
 */
public final class CampaignBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CAMPAIGN = "bench-broadcast";
    private static final String QUEUE = "atrium.outbound.email";

    /** Settings; every one has a command-line option. */
    public static final class Options extends BenchSupport.HubOptions {
        public int profiles = 1_000_000;
        public int timeoutSeconds = 1_800;
        public double sampleSeconds = 5;
        public int statsEverySeconds = 30;
        public double parkedRate = 0.001;

        static String usage() {
            return """
                    Usage: bench/run-campaigns.sh [options]
                      --profiles N              people in the broadcast's audience, COPYed into PostgreSQL (default 1000000)
                      --timeout SECONDS         longest wait for every journey's first message (default 1800); the figures so far are printed
                      --sample SECONDS          how often progress is sampled and printed (default 5)
                      --stats-every SECONDS     how often GET /api/v1/campaigns/{id}/stats is called and timed (default 30)
                      --parked-rate R           rate-per-second of the parked email channel (default 0.001: it takes about one message)
                      --dist DIR                unpacked distribution (default distribution/target/atrium)
                      --keep                    keep the temporary hub folder (data, logs) afterwards
                    Environment: ATRIUM_JAVA_OPTS is passed to the hub (e.g. a JFR recording).""";
        }

        public static Options parse(String... args) {
            Options o = new Options();
            o.read(args);
            if (o.sampleSeconds < 0.2) {
                throw new IllegalArgumentException("--sample must be at least 0.2");
            }
            if (o.parkedRate <= 0) {
                throw new IllegalArgumentException("--parked-rate must be positive (0 would mean no limit)");
            }
            return o;
        }

        @Override
        boolean option(String a, String v) {
            switch (a) {
                case "--profiles" -> profiles = positive(a, v);
                case "--timeout" -> timeoutSeconds = positive(a, v);
                case "--sample" -> sampleSeconds = Double.parseDouble(v);
                case "--stats-every" -> statsEverySeconds = positive(a, v);
                case "--parked-rate" -> parkedRate = Double.parseDouble(v);
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    /** One progress sample. */
    public record Sample(double seconds, long messages, long queued, long waitingOrActive, long done) {
    }

    /**
     * What a run measured. {@code enqueued}: messages of the campaign in PostgreSQL (each queued on
     * the outbound queue in the same step); {@code queueAdded}: messages the outbound queue took.
     */
    public record Result(long profiles, long entered, double launchSeconds, long enqueued, long queueAdded, long queueDepth,
                         long failed, double seconds, boolean complete, double perSecond, List<Sample> samples,
                         JsonNode stats) {
    }

    private final Options options;
    private final List<String> report = new ArrayList<>();

    public CampaignBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = optionsOrExit(args, Options::parse, Options.usage());
        Result r = new CampaignBench(options).run();
        System.exit(r.complete() ? 0 : 1);
    }

    private void line(String key, String value) {
        report.add(String.format("%-26s%s", key, value));
    }

    public Result run() throws Exception {
        String loadBefore = loadAverage();
        try (HubProcess hub = startHub(options)) {
            parkEmailChannel(hub);
            hub.api("POST", "/api/v1/templates", """
                    {"id": "bench-hello", "name": "Winter sale", "channel": "email",
                     "subject": "{{traits.first_name}}, our winter sale starts today",
                     "text": "Hello {{traits.first_name}}, the winter sale starts today: https://shop.example.com/sale",
                     "html": "<p>Hello {{traits.first_name}},</p><p><a href=\\"https://shop.example.com/sale\\">The winter sale</a></p>",
                     "defaults": {"traits.first_name": "there"}}""", 201);
            // The rule is what the COPYed rows satisfy, so no recount ever changes the membership written below.
            long segment = JSON.readTree(hub.api("POST", "/api/v1/segments",
                    "{\"name\": \"Bench audience\", \"rule\": {\"all\": [{\"identity\": \"email\", \"op\": \"exists\"}, "
                            + "{\"consent\": {\"channel\": \"email\", \"purpose\": \"marketing\"}}]}}", 201)).path("id").asLong();
            try (Connection db = connect(hub, "atrium-campaign-bench")) {
                awaitSegmentSaved(db, segment);
                load(db, segment);
            }
            hub.api("POST", "/api/v1/campaigns", """
                    {"id": "%s", "name": "Winter sale broadcast", "trigger": {"type": "broadcast"}, "audience": {"segment": %d},
                     "steps": [{"id": "hello", "type": "send", "channel": "email", "template": "bench-hello"}]}"""
                    .formatted(CAMPAIGN, segment), 201);
            return measure(hub, loadBefore);
        }
    }

    /** The email plugin, started, with a pace that lets it take about one message during the run; SMTP goes nowhere. */
    private void parkEmailChannel(HubProcess hub) throws Exception {
        Files.writeString(hub.home.resolve("config/plugins/email.yml"), """
                # bench: the channel is started but parked, so the outbound queue keeps what the campaign enqueues
                smtp-host: 127.0.0.1
                smtp-port: %d
                smtp-security: none
                from: bench@example.com
                rate-per-second: %s
                """.formatted(HubProcess.freePort(), options.parkedRate));
        hub.awaitPluginStarted("email", Duration.ofSeconds(60));
        say("email channel started and parked (rate-per-second " + options.parkedRate + ")");
    }

    /** Saving a segment recomputes it in the background; with nobody loaded yet that is quick, and it must be over first. */
    private static void awaitSegmentSaved(Connection db, long segment) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            // computed_at is set once the background computation of the new rule has run (over nobody yet)
            if (queryLong(db, "SELECT count(*) FROM segments WHERE id = " + segment + " AND computed_at IS NOT NULL") == 1) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("segment " + segment + " was not computed within 30 s");
    }

    /** COPYs the people: profiles, e-mail identities, first names, consents and the audience membership. */
    private void load(Connection db, long segment) throws Exception {
        int n = options.profiles;
        say(String.format("bulk load: COPYing %,d people (profile, e-mail identity, first name, consent, segment membership)", n));
        long t = System.nanoTime();
        long first;
        try (Statement st = db.createStatement()) {
            first = queryLong(db, "SELECT COALESCE(max(id), 0) + 1 FROM profiles");
            st.execute("SELECT setval('profiles_id_seq', " + (first + n) + ")");
        }
        CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
        long rows = 0;
        long f = first;
        rows += copyRows(copy, "COPY profiles (id) FROM STDIN", n, (i, out) -> out.append(f + i).append('\n'));
        rows += copyRows(copy, "COPY identities (profile_id, type, value) FROM STDIN", n,
                (i, out) -> out.append(f + i).append("\temail\tbench-").append(i).append("@example.com\n"));
        rows += copyRows(copy, "COPY traits (profile_id, name, value, set_at, message_id) FROM STDIN", n,
                (i, out) -> out.append(f + i).append("\tfirst_name\t\"P").append(i).append("\"\t2026-11-01T10:00:00Z\tbench-load\n"));
        rows += copyRows(copy, "COPY consents (profile_id, channel, purpose, granted, set_at, message_id) FROM STDIN", n,
                (i, out) -> out.append(f + i).append("\temail\tmarketing\tt\t2026-11-01T10:00:00Z\tbench-load\n"));
        rows += copyRows(copy, "COPY segment_members (segment_id, profile_id) FROM STDIN", n,
                (i, out) -> out.append(segment).append('\t').append(f + i).append('\n'));
        try (Statement st = db.createStatement()) {
            st.execute("ANALYZE profiles, identities, traits, consents, segment_members");
        }
        double s = secondsSince(t);
        say(String.format("bulk load: %,d rows in %.1f s (with ANALYZE)", rows, s));
        line("people", String.format("%,d COPYed (%,d rows) in %.1f s", n, rows, s));
    }

    private Result measure(HubProcess hub, String loadBefore) throws Exception {
        long entered;
        double launchSeconds;
        List<Sample> samples = new ArrayList<>();
        JsonNode stats = null;
        String statsTimes = "";
        try (Connection db = connect(hub, "atrium-campaign-bench")) {
            Cpu cpuBefore = Cpu.read(hub);
            say("launch: POST /api/v1/campaigns/" + CAMPAIGN + "/launch");
            long t0 = System.nanoTime();
            // The launch enters the whole audience in one statement before it answers; the engine starts on them at once.
            JsonNode launch = JSON.readTree(hub.api("POST", "/api/v1/campaigns/" + CAMPAIGN + "/launch", null, 200));
            launchSeconds = secondsSince(t0);
            entered = launch.path("entered").asLong();
            say(String.format("launch answered after %.1f s: %,d people entered", launchSeconds, entered));

            long deadline = t0 + Duration.ofSeconds(options.timeoutSeconds).toNanos();
            long nextStats = t0 + Duration.ofSeconds(options.statsEverySeconds).toNanos();
            long lastMessages = 0;
            double lastAt = 0;
            long enqueued = 0;
            while (true) {
                double at = secondsSince(t0);
                enqueued = queryLong(db, "SELECT count(*) FROM messages WHERE campaign_id = '" + CAMPAIGN + "'");
                long[] states = journeyStates(db);
                QueueState q = queue(hub);
                samples.add(new Sample(at, enqueued, q.depth, states[0], states[1]));
                double rate = at > lastAt ? (enqueued - lastMessages) / (at - lastAt) : 0;
                say(String.format("t=%6.1f s  messages %,10d of %,d (%5.1f %%)  %,8.0f/s now, %,8.0f/s overall  queue depth %,10d"
                                + "  journeys active/waiting %,d, done %,d", at, enqueued, entered,
                        entered == 0 ? 100.0 : 100.0 * enqueued / entered, rate, at > 0 ? enqueued / at : 0, q.depth, states[0], states[1]));
                lastMessages = enqueued;
                lastAt = at;
                if (enqueued >= entered && q.added >= entered - 1) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    say("timeout after " + options.timeoutSeconds + " s: " + enqueued + " of " + entered + " enqueued");
                    break;
                }
                if (System.nanoTime() > nextStats) {
                    long ts = System.nanoTime();
                    stats = JSON.readTree(hub.api("GET", "/api/v1/campaigns/" + CAMPAIGN + "/stats", null, 200));
                    statsTimes += String.format("%s%.2f s at t=%.0f s", statsTimes.isEmpty() ? "" : ", ", secondsSince(ts), secondsSince(t0));
                    nextStats = System.nanoTime() + Duration.ofSeconds(options.statsEverySeconds).toNanos();
                }
                Thread.sleep((long) (options.sampleSeconds * 1000));
            }
            double seconds = secondsSince(t0);
            boolean complete = enqueued >= entered && entered == options.profiles;
            Cpu cpuAfter = Cpu.read(hub);
            String loadAfter = loadAverage();
            QueueState q = queue(hub);
            long failed = queryLong(db, "SELECT count(*) FROM messages WHERE campaign_id = '" + CAMPAIGN + "' AND status = 'failed'");
            long ts = System.nanoTime();
            stats = JSON.readTree(hub.api("GET", "/api/v1/campaigns/" + CAMPAIGN + "/stats", null, 200));
            statsTimes += String.format("%s%.2f s at the end", statsTimes.isEmpty() ? "" : ", ", secondsSince(ts));
            double perSecond = enqueued / seconds;

            line("date", now());
            line("machine", machine());
            line("load average", "before " + loadBefore + ", after " + loadAfter);
            line("hub", "distribution defaults (embedded PostgreSQL, embedded Artemis), ATRIUM_JAVA_OPTS=" + hubJavaOptions());
            line("campaign", "broadcast, one send step on email (template with HTML: links tracked, open pixel)");
            line("launch", String.format("%,d entered; the launch answered after %.1f s", entered, launchSeconds));
            line("enqueued", String.format("%,d of %,d in %.1f s after the launch = %,.0f messages/s%s", enqueued, entered, seconds,
                    perSecond, complete ? "" : "  (INCOMPLETE: timeout)"));
            Sample after = samples.stream().filter(s -> s.messages() > 0).findFirst().orElse(null);
            if (after != null && complete) {
                double engineSeconds = seconds - launchSeconds;
                line("  after the launch answer", String.format("%,d in %.1f s = %,.0f messages/s", enqueued, engineSeconds,
                        engineSeconds > 0 ? enqueued / engineSeconds : 0));
            }
            line("outbound queue", String.format("%s: depth %,d, added %,d; failed messages %,d", QUEUE, q.depth, q.added, failed));
            line("stats API", statsTimes);
            line("CPU during the run", String.format("hub JVM %.1f s, PostgreSQL %.1f s of %.1f s wall x %d CPUs",
                    cpuAfter.hub() - cpuBefore.hub(), cpuAfter.postgres() - cpuBefore.postgres(), seconds,
                    Runtime.getRuntime().availableProcessors()));
            if (enqueued > 0) {
                line("CPU per 1,000 messages", String.format("hub JVM %.0f ms, PostgreSQL %.0f ms",
                        1000 * 1000 * (cpuAfter.hub() - cpuBefore.hub()) / enqueued, 1000 * 1000 * (cpuAfter.postgres() - cpuBefore.postgres()) / enqueued));
            }
            line("target 1,000,000 in 60 s", options.profiles < 1_000_000 ? "(not a 1M run)"
                    : complete && seconds <= 60 ? "met" : String.format("NOT met (%.1f s%s)", seconds, complete ? "" : " and incomplete"));
            System.out.println("==================== Atrium campaign benchmark ====================");
            report.forEach(System.out::println);
            System.out.println("====================================================================");
            return new Result(options.profiles, entered, launchSeconds, enqueued, q.added, q.depth, failed, seconds, complete,
                    perSecond, samples, stats);
        }
    }

    /** {active or waiting, done} journeys of the campaign. */
    private static long[] journeyStates(Connection db) throws SQLException {
        long[] out = new long[2];
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FILTER (WHERE state IN ('active', 'waiting')), count(*) FILTER (WHERE state = 'done') "
                        + "FROM journeys WHERE campaign_id = '" + CAMPAIGN + "'")) {
            rs.next();
            out[0] = rs.getLong(1);
            out[1] = rs.getLong(2);
        }
        return out;
    }

    private record QueueState(long depth, long added) {
    }

    private QueueState queue(HubProcess hub) throws Exception {
        for (JsonNode q : JSON.readTree(hub.api("GET", "/api/v1/queues", null, 200))) {
            if (QUEUE.equals(q.path("name").asText())) {
                return new QueueState(q.path("messageCount").asLong(), q.path("messagesAdded").asLong());
            }
        }
        return new QueueState(0, 0);
    }
}
