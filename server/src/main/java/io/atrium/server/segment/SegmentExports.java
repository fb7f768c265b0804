package io.atrium.server.segment;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.api.ApiException;
import io.atrium.server.config.DataDirectory;
import io.atrium.server.support.PeriodicTask;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;

/**
 * CSV exports of a segment's members, for segments of any size. A job is a row in
 * {@code segment_exports} (so every hub node sees its progress); a bounded pool of background
 * threads runs it: one read-only REPEATABLE READ transaction counts the members and finds the
 * columns, then reads the members through a server-side cursor one page at a time and writes them
 * to a file under the data directory ({@code exports/}). Only one page is ever in memory.
 */
@Service
public class SegmentExports {

    private static final Logger log = LoggerFactory.getLogger(SegmentExports.class);

    /** Identity columns come first in this order; other types follow alphabetically. */
    private static final List<String> IDENTITY_ORDER = List.of("user_id", "email", "phone", "crm_id", "erp_id", "viber_id",
            "anonymous_id");

    public record Job(long id, long segmentId, String state, long rows, Long total, Instant startedAt, Instant finishedAt,
                      String error) {
    }

    /** Called after each page is written and its progress recorded; a seam for tests that watch a job run. */
    interface PageListener {
        void afterPage(long jobId, long rows) throws InterruptedException;
    }

    private final JdbcTemplate jdbc;
    private final DataSource dataSource;
    private final SegmentStore store;
    private final SegmentMembers members;
    private final ObjectMapper mapper;
    private final DataDirectory data;
    private final String node;
    private final int pageSize;
    private final int threads;
    private final Duration keep;
    private final ThreadPoolExecutor executor;
    private ScheduledExecutorService cleaner;

    volatile Duration progressEvery = Duration.ofMillis(500);
    volatile PageListener pages = (job, rows) -> { };

    public SegmentExports(JdbcTemplate jdbc, DataSource dataSource, SegmentStore store, SegmentMembers members,
                          ObjectMapper mapper, DataDirectory data,
                          @Value("${atrium.segments.exports.threads:1}") int threads,
                          @Value("${atrium.segments.exports.queue:8}") int queue,
                          @Value("${atrium.segments.exports.page-size:1000}") int pageSize,
                          @Value("${atrium.segments.exports.keep:7d}") Duration keep) {
        if (threads < 1 || queue < 1 || pageSize < 1) {
            throw new IllegalArgumentException("atrium.segments.exports.threads, .queue and .page-size must be at least 1 (are "
                    + threads + ", " + queue + ", " + pageSize + ")");
        }
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.store = store;
        this.members = members;
        this.mapper = mapper;
        this.data = data;
        this.pageSize = pageSize;
        this.threads = threads;
        this.keep = keep;
        this.node = nodeName(data.root());
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "atrium-segment-export-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static String nodeName(Path dataRoot) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + ":" + dataRoot;
    }

    private Path dir() {
        return data.dir("exports");
    }

    private static String fileName(long segmentId, long jobId) {
        return "segment-" + segmentId + "-export-" + jobId + ".csv";
    }

    // ------------------------------------------------------------------------------ job records

    private static final RowMapper<Job> JOBS = (rs, i) -> new Job(rs.getLong("id"), rs.getLong("segment_id"), rs.getString("state"),
            rs.getLong("rows"), (Long) rs.getObject("total"), instant(rs.getTimestamp("started_at")),
            instant(rs.getTimestamp("finished_at")), rs.getString("error"));

    private static final String COLUMNS = "id, segment_id, state, rows, total, started_at, finished_at, error";

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    public Optional<Job> get(long segmentId, long jobId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM segment_exports WHERE id = ? AND segment_id = ?", JOBS, jobId, segmentId)
                .stream().findFirst();
    }

    public List<Job> list(long segmentId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM segment_exports WHERE segment_id = ? ORDER BY id DESC", JOBS, segmentId);
    }

    /** Starts an export of the segment's members now; the job runs in the background. */
    public Job start(SegmentStore.Segment segment) {
        return start(segment, pageSize);
    }

    Job start(SegmentStore.Segment segment, int rowsPerPage) {
        Job job = jdbc.queryForObject("INSERT INTO segment_exports (segment_id, state, node) VALUES (?, 'running', ?) RETURNING "
                + COLUMNS, JOBS, segment.id(), node);
        try {
            executor.execute(() -> run(job.id(), segment.id(), rowsPerPage));
        } catch (RejectedExecutionException e) {
            jdbc.update("DELETE FROM segment_exports WHERE id = ?", job.id());
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "busy", Map.of("message",
                    "this hub runs " + threads + " export(s) at a time and " + executor.getQueue().size()
                            + " are waiting; try again when one has finished"));
        }
        return job;
    }

    // ------------------------------------------------------------------------------- the work

    private void run(long jobId, long segmentId, int rowsPerPage) {
        Path file = dir().resolve(fileName(segmentId, jobId));
        Path part = file.resolveSibling(file.getFileName() + ".part");
        long t0 = System.nanoTime();
        try {
            SegmentStore.Segment segment = store.get(segmentId)
                    .orElseThrow(() -> new IllegalStateException("the segment was deleted"));
            long rows = write(jobId, segment, part, rowsPerPage);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            int n = jdbc.update("UPDATE segment_exports SET state = 'done', rows = ?, file = ?, finished_at = now(), updated_at = now() "
                    + "WHERE id = ?", rows, file.getFileName().toString(), jobId);
            if (n == 0) {
                Files.deleteIfExists(file); // the segment was deleted meanwhile
            }
            log.info("Export {} of segment {}: {} rows in {} ms to {}", jobId, segmentId, rows,
                    (System.nanoTime() - t0) / 1_000_000, file);
        } catch (Exception e) {
            String why = e instanceof InterruptedException ? "the hub stopped during the export"
                    : e.getMessage() == null ? e.toString() : e.getMessage();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            } else {
                log.warn("Export {} of segment {} failed: {}", jobId, segmentId, why, e);
            }
            try {
                Files.deleteIfExists(part);
                jdbc.update("UPDATE segment_exports SET state = 'failed', error = ?, finished_at = now(), updated_at = now() "
                        + "WHERE id = ?", why, jobId);
            } catch (Exception again) {
                log.warn("Export {}: could not record its failure: {}", jobId, again.toString());
            }
        }
    }

    /** Writes the CSV to {@code part}, recording progress; returns the number of member rows. */
    private long write(long jobId, SegmentStore.Segment segment, Path part, int rowsPerPage) throws Exception {
        SegmentSql.Condition c = members.compile(segment.rule());
        String selected = "SELECT p.id FROM profiles p WHERE " + c.sql();
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            db.setReadOnly(true);
            try {
                // One snapshot for the count, the columns and the rows: rows end equal to total.
                long total;
                List<String> identityTypes;
                List<String> traitNames;
                try (PreparedStatement st = db.prepareStatement("WITH m AS MATERIALIZED (" + selected + ") SELECT "
                        + "(SELECT count(*) FROM m), "
                        + "ARRAY(SELECT DISTINCT i.type FROM identities i JOIN m ON m.id = i.profile_id), "
                        + "ARRAY(SELECT DISTINCT t.name FROM traits t JOIN m ON m.id = t.profile_id ORDER BY 1)")) {
                    bind(st, c.params());
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                        identityTypes = orderedTypes((String[]) rs.getArray(2).getArray());
                        traitNames = List.of((String[]) rs.getArray(3).getArray());
                    }
                }
                progress(jobId, 0, total);
                List<String> header = new ArrayList<>();
                header.add("profile_id");
                header.addAll(identityTypes);
                traitNames.forEach(t -> header.add("traits." + t));

                long rows = 0;
                try (Writer out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(part), StandardCharsets.UTF_8), 1 << 16)) {
                    SegmentCsv.record(out, header);
                    try (PreparedStatement declare = db.prepareStatement("DECLARE atrium_export NO SCROLL CURSOR FOR SELECT p.id, "
                            + "(SELECT jsonb_object_agg(x.type, x.vals) FROM (SELECT i.type, string_agg(i.value, ';' ORDER BY i.value) AS vals "
                            + "FROM identities i WHERE i.profile_id = p.id GROUP BY i.type) x)::text, "
                            // every value as the text PostgreSQL keeps (12.50 stays 12.50), JSON null as none
                            + "(SELECT jsonb_object_agg(t.name, CASE jsonb_typeof(t.value) WHEN 'string' THEN t.value "
                            + "WHEN 'null' THEN NULL ELSE to_jsonb(t.value::text) END) FROM traits t WHERE t.profile_id = p.id)::text "
                            + "FROM profiles p WHERE " + c.sql() + " ORDER BY p.id")) {
                        bind(declare, c.params());
                        declare.execute();
                    }
                    long lastProgress = System.nanoTime();
                    List<String> fields = new ArrayList<>(header.size());
                    try (Statement fetch = db.createStatement()) {
                        while (true) {
                            int n = 0;
                            try (ResultSet rs = fetch.executeQuery("FETCH FORWARD " + rowsPerPage + " FROM atrium_export")) {
                                while (rs.next()) {
                                    n++;
                                    fields.clear();
                                    fields.add(Long.toString(rs.getLong(1)));
                                    JsonNode ids = json(rs.getString(2));
                                    for (String type : identityTypes) {
                                        fields.add(SegmentCsv.cell(ids.get(type)));
                                    }
                                    JsonNode traits = json(rs.getString(3));
                                    for (String name : traitNames) {
                                        fields.add(SegmentCsv.cell(traits.get(name)));
                                    }
                                    SegmentCsv.record(out, fields);
                                }
                            }
                            rows += n;
                            if (n < rowsPerPage) {
                                break;
                            }
                            if (Thread.interrupted()) {
                                throw new InterruptedException();
                            }
                            if (System.nanoTime() - lastProgress >= progressEvery.toNanos()) {
                                out.flush();
                                progress(jobId, rows, total);
                                lastProgress = System.nanoTime();
                                pages.afterPage(jobId, rows);
                            }
                        }
                        fetch.execute("CLOSE atrium_export");
                    }
                }
                db.commit();
                return rows;
            } catch (Exception e) {
                db.rollback();
                throw e;
            }
        }
    }

    private static List<String> orderedTypes(String[] types) {
        List<String> out = new ArrayList<>();
        Set<String> present = new HashSet<>(Arrays.asList(types));
        for (String t : IDENTITY_ORDER) {
            if (present.remove(t)) {
                out.add(t);
            }
        }
        present.stream().sorted().forEach(out::add);
        return out;
    }

    private JsonNode json(String text) throws IOException {
        return text == null ? mapper.createObjectNode() : mapper.readTree(text);
    }

    private static void bind(PreparedStatement st, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p instanceof Object[] array) {
                st.setArray(i + 1, st.getConnection().createArrayOf("bigint", array));
            } else {
                st.setObject(i + 1, p);
            }
        }
    }

    /** Records progress; a job whose row is gone (its segment was deleted) stops. */
    private void progress(long jobId, long rows, long total) {
        if (jdbc.update("UPDATE segment_exports SET rows = ?, total = ?, updated_at = now() WHERE id = ? AND state = 'running'",
                rows, total, jobId) == 0) {
            throw new IllegalStateException("the export was removed (its segment was deleted)");
        }
    }

    // ------------------------------------------------------------------------------ the file

    /** Where a finished job's file is, or a refusal that says why there is none to serve here. */
    public Path file(Job job) {
        if (job.state().equals("running")) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("message", "the export is still running: "
                    + job.rows() + " of " + (job.total() == null ? "?" : job.total()) + " rows written", "state", job.state()));
        }
        if (job.state().equals("failed")) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("message", "the export failed: " + job.error(),
                    "state", job.state()));
        }
        Map<String, Object> where = jdbc.queryForMap("SELECT node, file FROM segment_exports WHERE id = ?", job.id());
        if (!node.equals(where.get("node"))) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("message",
                    "the file was written by another hub node; ask that node for it", "node", where.get("node")));
        }
        Path file = dir().resolve((String) where.get("file"));
        if (!Files.isRegularFile(file)) {
            throw ApiException.notFound("the file of export " + job.id() + " is gone from " + dir());
        }
        return file;
    }

    /**
     * Copies a finished file to {@code out}, leaving out people erased since it was written (their
     * profile is gone and no merge moved them elsewhere).
     */
    public void copy(Path file, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            SegmentCsv.Records records = new SegmentCsv.Records(r);
            String header = records.next();
            if (header != null) {
                w.write(header);
            }
            List<String> chunk = new ArrayList<>(pageSize);
            for (String record = records.next(); record != null; record = records.next()) {
                chunk.add(record);
                if (chunk.size() == pageSize) {
                    writeKept(chunk, w);
                }
            }
            writeKept(chunk, w);
        }
        w.flush();
    }

    private void writeKept(List<String> records, Writer w) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Long[] ids = new Long[records.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Long.parseLong(SegmentCsv.Records.first(records.get(i)));
        }
        Set<Long> erased = new HashSet<>(jdbc.queryForList("SELECT x FROM unnest(?::bigint[]) x "
                + "WHERE NOT EXISTS (SELECT 1 FROM profiles WHERE id = x) AND NOT EXISTS (SELECT 1 FROM merges WHERE loser_id = x)",
                Long.class, (Object) ids));
        for (int i = 0; i < ids.length; i++) {
            if (!erased.contains(ids[i])) {
                w.write(records.get(i));
            }
        }
        records.clear();
    }

    // --------------------------------------------------------------------------- housekeeping

    /** Drops the files this node wrote for a segment that is being deleted (its job rows go with it). */
    public void forgetSegment(long segmentId) {
        for (String name : jdbc.queryForList("SELECT file FROM segment_exports WHERE segment_id = ? AND node = ? AND file IS NOT NULL",
                String.class, segmentId, node)) {
            deleteQuietly(dir().resolve(name));
        }
    }

    /**
     * At start: jobs this node was running when it stopped are failed, and their partial files
     * deleted. Then, every hour, jobs older than {@code atrium.segments.exports.keep} go with their files.
     */
    @EventListener(ApplicationReadyEvent.class)
    public void startHousekeeping() {
        int stale = jdbc.update("UPDATE segment_exports SET state = 'failed', error = 'the hub stopped during the export', "
                + "finished_at = now(), updated_at = now() WHERE node = ? AND state = 'running'", node);
        if (stale > 0) {
            log.warn("{} segment export(s) were running when this hub stopped; marked failed", stale);
        }
        cleanUp();
        cleaner = PeriodicTask.every(Duration.ofHours(1), "atrium-segment-export-cleanup", log, this::cleanUp);
    }

    void cleanUp() {
        for (String name : jdbc.queryForList("DELETE FROM segment_exports WHERE node = ? AND state <> 'running' "
                + "AND finished_at < now() - make_interval(secs => ?) RETURNING file", String.class, node, (double) keep.toSeconds())) {
            if (name != null) {
                deleteQuietly(dir().resolve(name));
            }
        }
        // Files no job refers to any more: a deleted segment, a crash before the rename.
        Set<String> known = new HashSet<>(jdbc.queryForList("SELECT file FROM segment_exports WHERE node = ? AND file IS NOT NULL",
                String.class, node));
        Set<Long> running = new HashSet<>(jdbc.queryForList("SELECT id FROM segment_exports WHERE node = ? AND state = 'running'",
                Long.class, node));
        try (var files = Files.list(dir())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (known.contains(name) || running.stream().anyMatch(id -> name.contains("-export-" + id + ".csv"))) {
                    continue;
                }
                deleteQuietly(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", f, e.toString());
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (cleaner != null) {
            cleaner.shutdownNow();
        }
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("Segment exports did not stop within 10 s");
        }
    }
}
