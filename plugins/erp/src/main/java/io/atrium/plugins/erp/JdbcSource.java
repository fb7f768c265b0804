package io.atrium.plugins.erp;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.StateStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the ERP's database: runs {@code jdbc.query} wrapped as
 * <pre>
 * SELECT * FROM (&lt;query&gt;) erp_src
 *  WHERE erp_src.&lt;watermark&gt; &gt; ? [OR (erp_src.&lt;watermark&gt; = ? AND erp_src.&lt;key&gt; &gt; ?)]
 *  ORDER BY erp_src.&lt;watermark&gt; [, erp_src.&lt;key&gt;]
 * </pre>
 * reading at most {@code jdbc.batch-size} rows, maps them, submits their events, and only once
 * the hub has taken them stores the last row's watermark (and key) in the hub's plugin state
 * ({@link WatermarkStore}). A restart, or another hub node taking the poll lease over, goes on from
 * there; only the node holding the lease polls. Without a key column a full batch never ends inside a group of
 * rows sharing one watermark value: that group is left for the next query (or, when it fills the
 * whole batch, read completely). While the hub refuses, the watermark stays where it is and the
 * same rows are read again next time; their message ids make the retry store nothing twice. A row
 * the mapping (or the hub) rejects for good is written to {@code jdbc-problems.txt} and passed.
 */
final class JdbcSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcSource.class);
    static final String ALIAS = "erp_src";

    /** A problem of the configuration found at the database: the plugin cannot run as configured. */
    static final class ConfigurationProblem extends Exception {
        ConfigurationProblem(String message) {
            super(message, null, false, false);
        }
    }

    private record Row(Record record, Object watermark, Object key) {
    }

    private final ErpSettings.Jdbc settings;
    private final Mapping mapping;
    private final Intake intake;
    private final WatermarkStore store;
    /** Whether this hub node may poll now: it holds the plugin's JDBC lease (one node of a cluster at a time). */
    private final BooleanSupplier mayPoll;
    private final ProblemLog problems;
    private final Driver driver;
    private final URLClassLoader driverLoader;

    private final java.util.concurrent.locks.ReentrantLock polling = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean stopping;
    private volatile String lastWarning;
    private SqlValue watermarkKind;
    private SqlValue keyKind;
    private WatermarkStore.Mark mark;
    private boolean ready;

    JdbcSource(ErpSettings.Jdbc settings, Mapping mapping, Intake intake, StateStore state, Path dataDirectory,
               BooleanSupplier mayPoll) throws ConfigurationProblem {
        this.settings = settings;
        this.mapping = mapping;
        this.intake = intake;
        this.mayPoll = mayPoll;
        this.store = new WatermarkStore(state, dataDirectory);
        this.problems = new ProblemLog(dataDirectory.resolve("jdbc-problems.txt"));
        URLClassLoader loader = null;
        if (!settings.driverPath().isEmpty()) {
            List<URL> urls = new ArrayList<>();
            for (Path p : settings.driverPath()) {
                try {
                    urls.add(p.toUri().toURL());
                } catch (IOException e) {
                    throw new ConfigurationProblem("key '" + ErpConfig.JDBC_DRIVER_PATH + "': " + p + ": " + e.getMessage());
                }
            }
            loader = new URLClassLoader(urls.toArray(URL[]::new), JdbcSource.class.getClassLoader());
        }
        this.driverLoader = loader;
        this.driver = driver(loader == null ? JdbcSource.class.getClassLoader() : loader);
    }

    private Driver driver(ClassLoader loader) throws ConfigurationProblem {
        if (settings.driver() != null) {
            try {
                Object d = Class.forName(settings.driver(), true, loader).getDeclaredConstructor().newInstance();
                if (!(d instanceof Driver driver)) {
                    throw new ConfigurationProblem("key '" + ErpConfig.JDBC_DRIVER + "': " + settings.driver()
                            + " is not a java.sql.Driver");
                }
                return driver;
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new ConfigurationProblem("key '" + ErpConfig.JDBC_DRIVER + "': cannot load the class "
                        + settings.driver() + " (" + e.getClass().getSimpleName() + "); is its jar in '"
                        + ErpConfig.JDBC_DRIVER_PATH + "'?");
            }
        }
        for (Driver d : ServiceLoader.load(Driver.class, loader)) {
            try {
                if (d.acceptsURL(settings.url())) {
                    return d;
                }
            } catch (SQLException e) {
                // not this one
            }
        }
        try {
            return DriverManager.getDriver(settings.url());
        } catch (SQLException e) {
            throw new ConfigurationProblem("no JDBC driver accepts key '" + ErpConfig.JDBC_URL + "' (a " + scheme()
                    + " URL); the hub ships PostgreSQL's: put another database's driver jar in key '"
                    + ErpConfig.JDBC_DRIVER_PATH + "'");
        }
    }

    private String scheme() {
        String[] parts = settings.url().split(":", 3);
        return parts.length >= 2 ? parts[0] + ":" + parts[1] + ":" : "jdbc:";
    }

    /**
     * Checks the query against the database (its columns, the watermark's type, the mapping's
     * fields) and reads the stored watermark.
     *
     * @return true when ready; false when the database cannot be reached now (checked again at the next poll)
     * @throws ConfigurationProblem when the database says the configuration is wrong
     */
    boolean open() throws ConfigurationProblem {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM (" + settings.query() + ") " + ALIAS + " WHERE 1 = 0")) {
            ps.setQueryTimeout((int) settings.queryTimeout().toSeconds());
            ResultSetMetaData md;
            try (ResultSet rs = ps.executeQuery()) {
                md = rs.getMetaData();
                check(md);
            }
            loadMark();
            ready = true;
            LOG.info("erp: jdbc source ready; {}", mark == null ? (settings.watermarkStart() == null
                    ? "no watermark yet: reading every row" : "starting at " + ErpConfig.JDBC_START + " "
                    + settings.watermarkStart()) : "going on after " + mark.describe());
            return true;
        } catch (SQLException e) {
            if (unreachable(e)) {
                warnOnce("erp: the database of key '" + ErpConfig.JDBC_URL + "' cannot be reached (" + safe(e)
                        + "); trying again every " + human(settings.pollInterval()));
                return false;
            }
            throw new ConfigurationProblem(explain(e));
        }
    }

    private void check(ResultSetMetaData md) throws SQLException, ConfigurationProblem {
        Map<String, Integer> columns = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.put(md.getColumnLabel(i), i);
        }
        List<String> problems = new ArrayList<>();
        Integer wm = column(columns, settings.watermarkColumn());
        if (wm == null) {
            problems.add("key '" + ErpConfig.JDBC_WATERMARK + "': jdbc.query has no column '" + settings.watermarkColumn()
                    + "' (its columns: " + String.join(", ", columns.keySet()) + ")");
        } else {
            watermarkKind = SqlValue.of(md, wm);
            if (watermarkKind == null) {
                problems.add("key '" + ErpConfig.JDBC_WATERMARK + "': column '" + settings.watermarkColumn() + "' is of type "
                        + md.getColumnTypeName(wm) + "; a watermark must be a number, a date, a timestamp or a text");
            }
        }
        if (settings.keyColumn() != null) {
            Integer k = column(columns, settings.keyColumn());
            if (k == null) {
                problems.add("key '" + ErpConfig.JDBC_KEY + "': jdbc.query has no column '" + settings.keyColumn()
                        + "' (its columns: " + String.join(", ", columns.keySet()) + ")");
            } else {
                keyKind = SqlValue.of(md, k);
                if (keyKind == null) {
                    problems.add("key '" + ErpConfig.JDBC_KEY + "': column '" + settings.keyColumn() + "' is of type "
                            + md.getColumnTypeName(k) + "; a key must be a number, a date, a timestamp or a text");
                }
            }
        }
        Set<String> needed = mapping.requiredFields();
        for (String f : needed) {
            if (column(columns, f) == null) {
                problems.add("the mapping names the field '" + f + "', which jdbc.query has no column for (its columns: "
                        + String.join(", ", columns.keySet()) + "); end the name with ? if records may lack it");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationProblem(String.join("; ", problems));
        }
    }

    private static Integer column(Map<String, Integer> columns, String name) {
        Integer exact = columns.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, Integer> e : columns.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private void loadMark() throws ConfigurationProblem {
        WatermarkStore.Mark stored;
        try {
            stored = store.load(mapping.values().zone());
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationProblem("the stored watermark in " + store.where() + " cannot be read (" + e.getMessage()
                    + "); fix or delete it (deleting reads every row again, or from " + ErpConfig.JDBC_START + ")");
        }
        if (stored != null && (!stored.column().equalsIgnoreCase(settings.watermarkColumn()) || stored.kind() != watermarkKind)) {
            LOG.warn("erp: the stored watermark is for column {} ({}), now {} is {} ({}): starting again from the start",
                    stored.column(), stored.kind(), ErpConfig.JDBC_WATERMARK, settings.watermarkColumn(), watermarkKind);
            stored = null;
        }
        if (stored != null && (settings.keyColumn() == null || !settings.keyColumn().equalsIgnoreCase(stored.keyColumn())
                || stored.keyKind() != keyKind)) {
            stored = new WatermarkStore.Mark(stored.column(), stored.kind(), stored.value(), null, null, null);
        }
        if (stored == null && settings.watermarkStart() != null) {
            try {
                watermarkKind.parse(settings.watermarkStart(), mapping.values().zone());
            } catch (IllegalArgumentException e) {
                throw new ConfigurationProblem("key '" + ErpConfig.JDBC_START + "': " + e.getMessage() + ", as column '"
                        + settings.watermarkColumn() + "' holds");
            }
        }
        mark = stored;
    }

    /** Called by the route's timer: reads and submits batches until everything new is read, the hub refuses, or the plugin stops. */
    void poll() {
        if (stopping || !mayPoll.getAsBoolean() || !polling.tryLock()) {
            return;
        }
        try {
            pollLocked();
        } finally {
            polling.unlock();
        }
    }

    private void pollLocked() {
        if (stopping) {
            return;
        }
        if (!ready) {
            try {
                if (!open()) {
                    return;
                }
            } catch (ConfigurationProblem e) {
                warnOnce("erp: the jdbc source cannot run as configured: " + e.getMessage());
                return;
            }
        } else {
            try {
                loadMark(); // another hub node may have polled since (it held the lease then)
            } catch (ConfigurationProblem e) {
                warnOnce("erp: the jdbc source cannot run as configured: " + e.getMessage());
                return;
            }
        }
        try (Connection c = connect()) {
            while (!stopping) {
                List<Row> rows = query(c, settings.batchSize());
                if (rows.isEmpty()) {
                    break;
                }
                boolean full = rows.size() == settings.batchSize();
                List<Row> take = rows;
                if (full && settings.keyColumn() == null) {
                    Object last = rows.get(rows.size() - 1).watermark();
                    int cut = rows.size();
                    while (cut > 0 && Objects.equals(rows.get(cut - 1).watermark(), last)) {
                        cut--;
                    }
                    take = cut > 0 ? rows.subList(0, cut) : group(c, last);
                }
                submit(take);
                Row last = take.get(take.size() - 1);
                WatermarkStore.Mark next = new WatermarkStore.Mark(settings.watermarkColumn(), watermarkKind, last.watermark(),
                        settings.keyColumn(), keyKind, last.key());
                if (!store.save(next)) {
                    LOG.info("erp: jdbc: another hub node moved the watermark on (it holds the poll lease now); this poll ends here");
                    break;
                }
                mark = next;
                lastWarning = null;
                if (!full) {
                    break;
                }
            }
        } catch (Intake.HubUnavailable e) {
            warnOnce("erp: jdbc: " + e.getMessage() + "; the watermark stays at "
                    + (mark == null ? "the start" : mark.describe()) + " and the rows are read again next time");
        } catch (SQLException e) {
            warnOnce("erp: jdbc: the query failed (" + safe(e) + "); trying again in " + human(settings.pollInterval()));
        } catch (IOException e) {
            LOG.error("erp: jdbc: could not store the watermark in {} ({}); the rows after it will be read again",
                    store.where(), e.toString());
        } catch (IllegalStateException e) {
            warnOnce("erp: jdbc: " + e.getMessage() + "; the rows after the watermark are read again next time");
        }
    }

    private void submit(List<Row> rows) {
        List<Event> events = new ArrayList<>();
        List<RecordProblem> bad = new ArrayList<>();
        List<Record> mapped = new ArrayList<>();
        for (Row r : rows) {
            Mapping.Result result = mapping.map(r.record(), ErpConfig.JDBC);
            if (result.ok()) {
                events.add(result.event());
                mapped.add(r.record());
            } else {
                bad.addAll(result.problems());
            }
        }
        for (int from = 0; from < events.size(); from += settings.batchSize()) {
            int to = Math.min(events.size(), from + settings.batchSize());
            for (Intake.Refused refused : intake.submit(events.subList(from, to))) {
                bad.add(new RecordProblem(mapped.get(from + refused.index()).position(), (String) null,
                        "the hub refused its event: " + refused.reason()));
            }
        }
        problems.write(bad);
        LOG.debug("erp: jdbc: {} rows, {} events submitted, {} not imported", rows.size(), events.size(), bad.size());
    }

    /** The next rows after the mark, at most {@code limit} (0: all). */
    private List<Row> query(Connection c, int limit) throws SQLException {
        String wm = ALIAS + "." + settings.watermarkColumn();
        String key = settings.keyColumn() == null ? null : ALIAS + "." + settings.keyColumn();
        StringBuilder sql = new StringBuilder("SELECT * FROM (").append(settings.query()).append(") ").append(ALIAS);
        List<Object[]> params = new ArrayList<>();
        if (mark != null) {
            if (key != null && mark.key() != null) {
                sql.append(" WHERE (").append(wm).append(" > ? OR (").append(wm).append(" = ? AND ").append(key)
                        .append(" > ?))");
                params.add(new Object[] {watermarkKind, mark.value()});
                params.add(new Object[] {watermarkKind, mark.value()});
                params.add(new Object[] {keyKind, mark.key()});
            } else {
                sql.append(" WHERE ").append(wm).append(" > ?");
                params.add(new Object[] {watermarkKind, mark.value()});
            }
        } else if (settings.watermarkStart() != null) {
            sql.append(" WHERE ").append(wm).append(" >= ?");
            params.add(new Object[] {watermarkKind, watermarkKind.parse(settings.watermarkStart(), mapping.values().zone())});
        } else {
            sql.append(" WHERE ").append(wm).append(" IS NOT NULL");
        }
        sql.append(" ORDER BY ").append(wm);
        if (key != null) {
            sql.append(", ").append(key);
        }
        return run(c, sql.toString(), params, limit);
    }

    /** Every row whose watermark is {@code value} (a group that fills a whole batch). */
    private List<Row> group(Connection c, Object value) throws SQLException {
        String wm = ALIAS + "." + settings.watermarkColumn();
        String sql = "SELECT * FROM (" + settings.query() + ") " + ALIAS + " WHERE " + wm + " = ?";
        List<Object[]> params = new ArrayList<>();
        params.add(new Object[] {watermarkKind, value});
        LOG.info("erp: jdbc: more than {} rows share {} = {}: reading all of them at once", settings.batchSize(),
                settings.watermarkColumn(), watermarkKind.write(value));
        return run(c, sql, params, 0);
    }

    private List<Row> run(Connection c, String sql, List<Object[]> params, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout((int) settings.queryTimeout().toSeconds());
            ps.setMaxRows(limit);
            ps.setFetchSize(Math.min(limit == 0 ? 1000 : limit, 1000));
            for (int i = 0; i < params.size(); i++) {
                ((SqlValue) params.get(i)[0]).bind(ps, i + 1, params.get(i)[1]);
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                String[] labels = new String[n];
                Integer wmIndex = null;
                Integer keyIndex = null;
                for (int i = 1; i <= n; i++) {
                    labels[i - 1] = md.getColumnLabel(i);
                    if (wmIndex == null && labels[i - 1].equalsIgnoreCase(settings.watermarkColumn())) {
                        wmIndex = i;
                    }
                    if (keyIndex == null && settings.keyColumn() != null && labels[i - 1].equalsIgnoreCase(settings.keyColumn())) {
                        keyIndex = i;
                    }
                }
                while (rs.next()) {
                    Map<String, Object> fields = new LinkedHashMap<>();
                    for (int i = 1; i <= n; i++) {
                        fields.put(labels[i - 1], SqlValue.any(rs, md, i));
                    }
                    Object wm = watermarkKind.read(rs, wmIndex);
                    Object key = keyIndex == null ? null : keyKind.read(rs, keyIndex);
                    String name = key != null ? settings.keyColumn() + "=" + keyKind.write(key) + ", " : "";
                    name += settings.watermarkColumn() + "=" + (wm == null ? "null" : watermarkKind.write(wm));
                    rows.add(new Row(new Record(Position.dbRow(name), fields), wm, key));
                }
            }
            return rows;
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (settings.user() != null) {
            p.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            p.setProperty("password", settings.password());
        }
        Connection c = driver.connect(settings.url(), p);
        if (c == null) {
            throw new SQLException("the driver " + driver.getClass().getName() + " does not take this kind of URL", "08001");
        }
        try {
            c.setReadOnly(true);
        } catch (SQLException e) {
            // not every driver can; the query only reads anyway
        }
        return c;
    }

    private static boolean unreachable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.SocketTimeoutException || t instanceof java.io.EOFException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null && (s.getSQLState().startsWith("08")
                    || s.getSQLState().equals("57P03"))) {
                return true;
            }
        }
        return false;
    }

    private String explain(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28")) {
            return "the database refused the login of key '" + ErpConfig.JDBC_USER + "' ("
                    + (settings.user() == null ? "none" : settings.user()) + ") with key '" + ErpConfig.JDBC_PASSWORD
                    + "': " + safe(e);
        }
        if (state.startsWith("42")) {
            return "key '" + ErpConfig.JDBC_QUERY + "' failed at the database: " + safe(e);
        }
        return "the database of key '" + ErpConfig.JDBC_URL + "' refused the query of key '" + ErpConfig.JDBC_QUERY
                + "': " + safe(e);
    }

    /** The exception's message with the password taken out, should a driver repeat it. */
    String safe(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (settings.password() != null && !settings.password().isEmpty()) {
            m = m.replace(settings.password(), io.atrium.plugin.api.ConfigSpec.MASK);
        }
        m = ErpConfig.maskUrl(m);
        if (e instanceof SQLException s && s.getSQLState() != null) {
            m += " [SQLState " + s.getSQLState() + "]";
        }
        return m.replace('\n', ' ').strip();
    }

    static String human(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private void warnOnce(String message) {
        if (!message.equals(lastWarning)) {
            LOG.warn(message);
            lastWarning = message;
        } else {
            LOG.debug(message);
        }
    }

    /** Where the source stands, for tests and the log. */
    WatermarkStore.Mark mark() {
        return mark;
    }

    Path problemFile() {
        return problems.file();
    }

    void stopping() {
        stopping = true;
    }

    /** Whether the plugin began to stop (for tests). */
    boolean isStopping() {
        return stopping;
    }

    /** Stops polling: waits for a batch in progress (at most the query timeout and a bit) so its watermark is kept. */
    @Override
    public void close() {
        stopping = true;
        boolean locked = false;
        try {
            locked = polling.tryLock(settings.queryTimeout().toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (locked) {
            polling.unlock();
        } else {
            LOG.warn("erp: jdbc: a poll is still running while the plugin stops; its rows are read again next time");
        }
        if (driverLoader != null) {
            try {
                driverLoader.close();
            } catch (IOException e) {
                LOG.debug("erp: closing the driver's class loader: {}", e.toString());
            }
        }
    }
}
