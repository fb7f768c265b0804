package io.atrium.bench;

import java.io.IOException;
import java.io.StringReader;
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
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

import org.postgresql.copy.CopyManager;

/**
 * What the bench mains share: the options every bench has and how arguments are read, the start of
 * the hub with its progress line, the JDBC connection to its PostgreSQL, the CPU the hub, its
 * PostgreSQL and the bench used (from /proc), the hub's Prometheus samples, and bulk COPYs.
 */
final class BenchSupport {

    private BenchSupport() {
    }

    /**
     * The options of every bench: the unpacked distribution (--dist), whether to keep the hub's folder
     * (--keep), how long the hub may take to start. {@link #read} parses a command line: -h/--help,
     * --keep and --dist here, a bench's own flags through {@link #flag}, its options with a value
     * through {@link #option}; a mistake is an IllegalArgumentException naming the option (an empty
     * message: the usage was asked for).
     */
    abstract static class HubOptions {
        public Path dist = Path.of(System.getProperty("atrium.dist.dir", "distribution/target/atrium"));
        public int startupSeconds = 300; // a loaded machine: Flyway and the embedded PostgreSQL can take minutes
        public boolean keep;

        /** Sets the bench's flag {@code name} and returns true, or returns false if it has none of that name. */
        boolean flag(String name) {
            return false;
        }

        /** Sets the bench's option {@code name} to {@code value} and returns true, or returns false if it has none of that name. */
        abstract boolean option(String name, String value);

        final void read(String... args) {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    throw new IllegalArgumentException("");
                }
                if (a.equals("--keep")) {
                    keep = true;
                    continue;
                }
                if (flag(a)) {
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                if (a.equals("--dist")) {
                    dist = Path.of(v);
                } else if (!option(a, v)) {
                    throw new IllegalArgumentException("unknown option " + a);
                }
            }
        }
    }

    static int positive(String option, String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException(option + " must be positive, not " + v);
        }
        return n;
    }

    /**
     * The options {@code parse} makes of a main's arguments; on a mistake, prints it and the usage and
     * exits with 2 (with 0 and the usage only for --help).
     */
    static <O> O optionsOrExit(String[] args, Function<String[], O> parse, String usage) {
        try {
            return parse.apply(args);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!why.isEmpty()) {
                System.err.println("atrium-bench: " + why);
            }
            System.err.println(usage);
            System.exit(why.isEmpty() ? 0 : 2);
            throw e;
        }
    }

    /** A progress line: "[bench HH:MM:SS] ...". */
    static void say(String line) {
        System.out.println("[bench " + Instant.now().toString().substring(11, 19) + "] " + line);
    }

    /** Starts the hub of {@code options} (see {@link HubProcess#start}) and says where it runs. */
    static HubProcess startHub(HubOptions options) throws IOException, InterruptedException {
        Path dist = options.dist.toAbsolutePath().normalize();
        say("starting the hub from " + dist);
        long t0 = System.nanoTime();
        HubProcess hub = HubProcess.start(dist, options.keep, Duration.ofSeconds(options.startupSeconds));
        say(String.format("hub healthy after %.1f s (pid %d, http 127.0.0.1:%d, PostgreSQL 127.0.0.1:%d, folder %s)",
                secondsSince(t0), hub.pid(), hub.httpPort, hub.dbPort, hub.dir));
        return hub;
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The time now, to the second, for a summary's "date". */
    static String now() {
        return Instant.now().toString().substring(0, 19) + "Z";
    }

    /** A summary's "machine": CPUs, architecture, Java. */
    static String machine() {
        return String.format("%d CPUs (availableProcessors), %s, Java %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"), System.getProperty("java.version"));
    }

    /** ATRIUM_JAVA_OPTS as the hub got it, or "(unset)". */
    static String hubJavaOptions() {
        return System.getenv().getOrDefault("ATRIUM_JAVA_OPTS", "(unset)");
    }

    /** The 1, 5 and 15 minute load averages, or "n/a". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    // ------------------------------------------------------------------------------------- jdbc

    /** A connection to the hub's embedded PostgreSQL as postgres, named {@code applicationName} in pg_stat_activity. */
    static Connection connect(HubProcess hub, String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(hub.jdbcUrl(), p);
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Writes the rows of person {@code i} of a bulk load, in COPY's text format. */
    interface RowWriter {
        void write(int i, StringBuilder out);
    }

    /** COPYs the rows {@code writer} makes for people 0..n-1, 50,000 people per COPY statement; returns the rows written. */
    static long copyRows(CopyManager copy, String sql, int n, RowWriter writer) throws SQLException, IOException {
        long rows = 0;
        StringBuilder chunk = new StringBuilder(4 << 20);
        for (int from = 0; from < n; from += 50_000) {
            chunk.setLength(0);
            for (int i = from; i < Math.min(n, from + 50_000); i++) {
                writer.write(i, chunk);
            }
            if (chunk.length() > 0) {
                rows += copy.copyIn(sql, new StringReader(chunk.toString()));
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------------------------- metrics

    /** The sum of every sample of {@code name} in {@code m} ({@link HubProcess#metrics}) whose labels contain all of {@code labels}. */
    static double sum(Map<String, Double> m, String name, String... labels) {
        double total = 0;
        for (Map.Entry<String, Double> e : m.entrySet()) {
            String k = e.getKey();
            if (!(k.equals(name) || k.startsWith(name + "{"))) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= k.contains(l);
            }
            if (all) {
                total += e.getValue();
            }
        }
        return total;
    }

    /** How much {@link #sum} grew from {@code before} to {@code after}. */
    static double delta(Map<String, Double> before, Map<String, Double> after, String name, String... labels) {
        return sum(after, name, labels) - sum(before, name, labels);
    }

    /**
     * CPU seconds (user + system) used so far by the hub JVM, its PostgreSQL (the postmaster, the
     * children it has now and those it reaped) and this JVM, from /proc.
     */
    record Cpu(double hub, double postgres, double bench) {
        private static final double USER_HZ = 100.0; // on Linux

        static Cpu read(HubProcess hub) {
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
                            pg += (f[1] + f[2]) / USER_HZ;
                        }
                    }
                } catch (IOException e) {
                    // leave what we have
                }
            }
            return new Cpu(seconds(hub.pid(), false), pg, seconds(ProcessHandle.current().pid(), false));
        }

        private static double seconds(long pid, boolean withReapedChildren) {
            long[] f = stat(pid);
            if (f == null) {
                return 0;
            }
            return (f[1] + f[2] + (withReapedChildren ? f[3] + f[4] : 0)) / USER_HZ;
        }

        /** {ppid, utime, stime, cutime, cstime} from /proc/pid/stat, or null. */
        private static long[] stat(long pid) {
            try {
                String s = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                // after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
                return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                        Long.parseLong(f[13]), Long.parseLong(f[14])};
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
