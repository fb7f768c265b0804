package io.atrium.plugins.erp;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.ConfigType;
import io.atrium.plugin.api.PluginConfig;

/**
 * The plugin's configuration, declared once ({@link #SPEC}), and the rules between keys that a
 * per-key spec cannot say (what each source needs, the mapping's syntax). {@link #parse} collects
 * every problem and reports them together, each naming its key; secret values never appear in a
 * message.
 */
final class ErpConfig {

    static final String JDBC = "jdbc";
    static final String FILES = "files";
    static final String SFTP = "sftp";
    static final String WEBHOOK = "webhook";
    static final List<String> SOURCE_NAMES = List.of(JDBC, FILES, SFTP, WEBHOOK);

    static final String SOURCES = "sources";
    static final String MAPPING = "mapping.";

    static final String JDBC_URL = "jdbc.url";
    static final String JDBC_USER = "jdbc.user";
    static final String JDBC_PASSWORD = "jdbc.password";
    static final String JDBC_DRIVER = "jdbc.driver";
    static final String JDBC_DRIVER_PATH = "jdbc.driver-path";
    static final String JDBC_QUERY = "jdbc.query";
    static final String JDBC_WATERMARK = "jdbc.watermark-column";
    static final String JDBC_KEY = "jdbc.key-column";
    static final String JDBC_START = "jdbc.watermark-start";
    static final String JDBC_BATCH = "jdbc.batch-size";
    static final String JDBC_INTERVAL = "jdbc.poll-interval";
    static final String JDBC_TIMEOUT = "jdbc.query-timeout";

    static final String FILES_DIRECTORY = "files.directory";
    static final String FILES_ARCHIVE = "files.archive-directory";
    static final String FILES_ERROR = "files.error-directory";
    static final String FILES_INCLUDE = "files.include";
    static final String FILES_FORMAT = "files.format";
    static final String FILES_CHARSET = "files.charset";
    static final String FILES_DELIMITER = "files.csv-delimiter";
    static final String FILES_XML_ELEMENT = "files.xml-record-element";
    static final String FILES_BAD_ROWS = "files.bad-rows";
    static final String FILES_BATCH = "files.batch-size";
    static final String FILES_INTERVAL = "files.poll-interval";
    static final String FILES_MIN_AGE = "files.min-age";

    static final String SFTP_HOST = "sftp.host";
    static final String SFTP_PORT = "sftp.port";
    static final String SFTP_USER = "sftp.user";
    static final String SFTP_PASSWORD = "sftp.password";
    static final String SFTP_KEY = "sftp.private-key-file";
    static final String SFTP_PASSPHRASE = "sftp.private-key-passphrase";
    static final String SFTP_KNOWN_HOSTS = "sftp.known-hosts-file";
    static final String SFTP_STRICT = "sftp.strict-host-key-checking";
    static final String SFTP_DIRECTORY = "sftp.directory";
    static final String SFTP_ARCHIVE = "sftp.archive-directory";
    static final String SFTP_ERROR = "sftp.error-directory";

    static final String WEBHOOK_PATH = "webhook.path";
    static final String WEBHOOK_TOKEN = "webhook.token";
    static final String WEBHOOK_RECORDS = "webhook.records-field";

    static final String FORMATS = "auto, csv, json, jsonl, xml";

    static final ConfigSpec SPEC = ConfigSpec.of(
            ConfigKey.of(SOURCES, ConfigType.LIST).required()
                    .description("Where records come from, any of jdbc, files, sftp, webhook (a YAML list or comma-separated); "
                            + "[] for none (only the erp:map component)"),

            ConfigKey.of(MAPPING + Mapping.TYPE, ConfigType.LIST).defaultValue("track")
                    .description("Rules giving each record's event type: track or identify (or skip), e.g. "
                            + "'identify when kind = customer' then 'track'"),
            ConfigKey.of(MAPPING + Mapping.EVENT, ConfigType.LIST)
                    .description("Rules giving a track event's name: a fixed name, a template such as order_{status}, "
                            + "or 'order_created when status = new' followed by a fallback; skip leaves a record out"),
            ConfigKey.of(MAPPING + Mapping.ID_ERP, ConfigType.STRING)
                    .description("Field holding the person's id in the ERP (identity erp_id), e.g. customer_id"),
            ConfigKey.of(MAPPING + Mapping.ID_EMAIL, ConfigType.STRING)
                    .description("Field holding the person's e-mail address (identity email)"),
            ConfigKey.of(MAPPING + Mapping.ID_PHONE, ConfigType.STRING)
                    .description("Field holding the person's phone number (identity phone; the hub normalises it to E.164)"),
            ConfigKey.of(MAPPING + Mapping.ID_CRM, ConfigType.STRING)
                    .description("Field holding the person's CRM id (identity crm_id)"),
            ConfigKey.of(MAPPING + Mapping.ID_OTHER, ConfigType.LIST)
                    .description("Further identities as type=field, e.g. loyalty_card=card_no"),
            ConfigKey.of(MAPPING + Mapping.PROPERTIES, ConfigType.LIST)
                    .description("A track event's properties: field, name=field, field:type (string, number, integer, "
                            + "boolean, timestamp, date), field? when records may lack it; * for every field"),
            ConfigKey.of(MAPPING + Mapping.TRAITS, ConfigType.LIST)
                    .description("An identify event's traits, written like mapping.properties"),
            ConfigKey.of(MAPPING + Mapping.CONSENTS, ConfigType.LIST)
                    .description("An identify event's consents as channel.purpose=field with a yes/no value, "
                            + "e.g. email.marketing=email_opt_in"),
            ConfigKey.of(MAPPING + Mapping.TIMESTAMP, ConfigType.STRING)
                    .description("Field holding when it happened (e.g. updated_at); unset: when the hub received it"),
            ConfigKey.of(MAPPING + Mapping.TIMESTAMP_FORMAT, ConfigType.STRING)
                    .description("Pattern of date-times that are not ISO-8601, e.g. dd.MM.yyyy HH:mm:ss (Java DateTimeFormatter)"),
            ConfigKey.of(MAPPING + Mapping.TIMEZONE, ConfigType.STRING).defaultValue("UTC")
                    .description("Time zone of date-times without an offset (a database timestamp, 2026-03-01 10:00)"),
            ConfigKey.of(MAPPING + Mapping.DECIMAL_SEPARATOR, ConfigType.STRING).defaultValue(".").allowedValues(".", ",")
                    .description("Decimal separator of numbers written as text (CSV, XML)"),
            ConfigKey.of(MAPPING + Mapping.MESSAGE_ID, ConfigType.LIST)
                    .description("Fields that make a record's event id, e.g. order_id,updated_at; the same values give the "
                            + "same id, so a record sent again is stored once; unset: a hash of the whole record"),

            ConfigKey.of(JDBC_URL, ConfigType.STRING)
                    .description("JDBC URL of the ERP's database, e.g. jdbc:postgresql://erp-db:5432/erp"),
            ConfigKey.of(JDBC_USER, ConfigType.STRING)
                    .description("Database user (read access to the query's tables is enough)"),
            ConfigKey.of(JDBC_PASSWORD, ConfigType.STRING).secret()
                    .description("Database password"),
            ConfigKey.of(JDBC_DRIVER, ConfigType.STRING)
                    .description("JDBC driver class, e.g. com.microsoft.sqlserver.jdbc.SQLServerDriver; unset: the driver "
                            + "that accepts jdbc.url"),
            ConfigKey.of(JDBC_DRIVER_PATH, ConfigType.LIST)
                    .description("Jar files of a JDBC driver the hub does not ship (it ships PostgreSQL's)"),
            ConfigKey.of(JDBC_QUERY, ConfigType.STRING)
                    .description("SELECT giving the records, without ORDER BY: the plugin reads it in watermark order from "
                            + "where it stopped"),
            ConfigKey.of(JDBC_WATERMARK, ConfigType.STRING)
                    .description("Column of the query that grows with each change (updated_at, a version or id): rows are "
                            + "read in its order and the last one read is kept"),
            ConfigKey.of(JDBC_KEY, ConfigType.STRING)
                    .description("Column unique among rows of one watermark value (e.g. id), so rows sharing a watermark "
                            + "are never cut apart by a batch"),
            ConfigKey.of(JDBC_START, ConfigType.STRING)
                    .description("Where to start the first time, e.g. 2026-01-01T00:00:00 or 0; unset: every row"),
            ConfigKey.of(JDBC_BATCH, ConfigType.INT).defaultValue("500")
                    .description("Rows read and submitted at a time"),
            ConfigKey.of(JDBC_INTERVAL, ConfigType.DURATION).defaultValue("30s")
                    .description("How often the query is run once it has read everything"),
            ConfigKey.of(JDBC_TIMEOUT, ConfigType.DURATION).defaultValue("60s")
                    .description("Longest a query may run"),

            ConfigKey.of(FILES_DIRECTORY, ConfigType.STRING)
                    .description("Folder the ERP drops files into"),
            ConfigKey.of(FILES_ARCHIVE, ConfigType.STRING).defaultValue("archive")
                    .description("Where imported files go (relative: inside files.directory)"),
            ConfigKey.of(FILES_ERROR, ConfigType.STRING).defaultValue("error")
                    .description("Where files with bad rows go, each with its report, e.g. orders.csv.report.txt (relative: inside "
                            + "files.directory)"),
            ConfigKey.of(FILES_INCLUDE, ConfigType.STRING).defaultValue(".*\\.(csv|json|jsonl|ndjson|xml)")
                    .description("Regular expression a file name must match (ignoring case) to be read, local and on SFTP"),
            ConfigKey.of(FILES_FORMAT, ConfigType.STRING).defaultValue("auto").allowedValues("auto", "csv", "json", "jsonl", "xml")
                    .description("Format of the files; auto: by extension (.csv, .json, .jsonl or .ndjson, .xml)"),
            ConfigKey.of(FILES_CHARSET, ConfigType.STRING).defaultValue("UTF-8")
                    .description("Encoding of CSV and JSON files, e.g. windows-1251 (XML files say their own)"),
            ConfigKey.of(FILES_DELIMITER, ConfigType.STRING).defaultValue(",")
                    .description("Delimiter of CSV files: one character, or tab"),
            ConfigKey.of(FILES_XML_ELEMENT, ConfigType.STRING)
                    .description("Name of the repeated XML element that is one record; unset: each child of the root element"),
            ConfigKey.of(FILES_BAD_ROWS, ConfigType.STRING).defaultValue("skip").allowedValues("skip", "reject-file")
                    .description("skip: import a file's good rows and report the bad ones; reject-file: a file with a bad row "
                            + "imports nothing"),
            ConfigKey.of(FILES_BATCH, ConfigType.INT).defaultValue("500")
                    .description("Records of a file submitted to the hub at a time"),
            ConfigKey.of(FILES_INTERVAL, ConfigType.DURATION).defaultValue("10s")
                    .description("How often the folder is looked at (local and SFTP)"),
            ConfigKey.of(FILES_MIN_AGE, ConfigType.DURATION).defaultValue("2s")
                    .description("A file is read once it has not changed for this long, so half-written files are left alone"),

            ConfigKey.of(SFTP_HOST, ConfigType.STRING)
                    .description("SFTP server"),
            ConfigKey.of(SFTP_PORT, ConfigType.INT).defaultValue("22")
                    .description("SFTP port"),
            ConfigKey.of(SFTP_USER, ConfigType.STRING)
                    .description("SFTP user"),
            ConfigKey.of(SFTP_PASSWORD, ConfigType.STRING).secret()
                    .description("SFTP password (or sftp.private-key-file)"),
            ConfigKey.of(SFTP_KEY, ConfigType.STRING)
                    .description("Private key file for SFTP (OpenSSH or PEM format)"),
            ConfigKey.of(SFTP_PASSPHRASE, ConfigType.STRING).secret()
                    .description("Passphrase of sftp.private-key-file"),
            ConfigKey.of(SFTP_KNOWN_HOSTS, ConfigType.STRING)
                    .description("known_hosts file with the server's host key (ssh-keyscan -p PORT HOST)"),
            ConfigKey.of(SFTP_STRICT, ConfigType.BOOLEAN).defaultValue("true")
                    .description("Refuse a server whose host key is not in sftp.known-hosts-file; false trusts any server"),
            ConfigKey.of(SFTP_DIRECTORY, ConfigType.STRING)
                    .description("Folder on the server (relative to the login folder, or absolute with a leading /)"),
            ConfigKey.of(SFTP_ARCHIVE, ConfigType.STRING).defaultValue("archive")
                    .description("Where imported files go on the server (relative: inside sftp.directory)"),
            ConfigKey.of(SFTP_ERROR, ConfigType.STRING).defaultValue("error")
                    .description("Where files with bad rows go on the server, with their report (relative: inside sftp.directory)"),

            ConfigKey.of(WEBHOOK_PATH, ConfigType.STRING).defaultValue("/hooks/erp")
                    .description("Path of the webhook on the hub's HTTP port"),
            ConfigKey.of(WEBHOOK_TOKEN, ConfigType.STRING).secret()
                    .description("Secret the ERP sends as Authorization: Bearer, X-Webhook-Token or ?token= (16 or more "
                            + "characters)"),
            ConfigKey.of(WEBHOOK_RECORDS, ConfigType.STRING)
                    .description("Field of the body holding the record or records, e.g. data; unset: the body itself"));

    /** Keys without a default that a source needs: key to source. */
    static final Map<String, String> REQUIRED_WITH = orderedMap(
            JDBC_URL, JDBC, JDBC_QUERY, JDBC, JDBC_WATERMARK, JDBC,
            FILES_DIRECTORY, FILES,
            SFTP_HOST, SFTP, SFTP_USER, SFTP, SFTP_DIRECTORY, SFTP,
            WEBHOOK_TOKEN, WEBHOOK);

    /** Keys without a default that only mean something to one source (so "set" means the admin set them). */
    private static final Map<String, String> ONLY_FOR = orderedMap(
            JDBC_URL, JDBC, JDBC_USER, JDBC, JDBC_PASSWORD, JDBC, JDBC_DRIVER, JDBC, JDBC_DRIVER_PATH, JDBC,
            JDBC_QUERY, JDBC, JDBC_WATERMARK, JDBC, JDBC_KEY, JDBC, JDBC_START, JDBC,
            FILES_DIRECTORY, FILES,
            SFTP_HOST, SFTP, SFTP_USER, SFTP, SFTP_PASSWORD, SFTP, SFTP_KEY, SFTP, SFTP_PASSPHRASE, SFTP,
            SFTP_KNOWN_HOSTS, SFTP, SFTP_DIRECTORY, SFTP,
            WEBHOOK_TOKEN, WEBHOOK, WEBHOOK_RECORDS, WEBHOOK);

    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]*");
    private static final Pattern XML_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9._-]*");

    private ErpConfig() {
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The mapping's settings as the plugin's configuration holds them ({@code mapping.*}). */
    static Mapping.Settings mappingSettings(PluginConfig config) {
        return new Mapping.Settings() {
            @Override
            public Optional<Object> get(String name) {
                return config.get(MAPPING + name);
            }

            @Override
            public String describe(String name) {
                return "key '" + MAPPING + name + "'";
            }

            @Override
            public String key(String name) {
                return MAPPING + name;
            }
        };
    }

    /**
     * Checks the rules between keys and builds the settings.
     *
     * @throws IllegalArgumentException naming every offending key
     */
    static ErpSettings parse(PluginConfig config) {
        return ConfigSpec.settings(config, "erp plugin configuration", ErpConfig::build);
    }

    /** Every problem of the rules between keys, each with its key; nothing is opened or started. */
    static List<ConfigProblem> check(PluginConfig config) {
        return ConfigSpec.problems(config, ErpConfig::build);
    }

    /** The settings, or null when {@code problems} got any. */
    private static ErpSettings build(PluginConfig config, List<ConfigProblem> problems) {
        Set<String> sources = new LinkedHashSet<>();
        for (String s : config.getList(SOURCES)) {
            String name = s.strip().toLowerCase(java.util.Locale.ROOT);
            if (!SOURCE_NAMES.contains(name)) {
                problems.add(new ConfigProblem(SOURCES, "key '" + SOURCES + "' lists '" + s.strip() + "', which is not a "
                        + "source; the sources are " + String.join(", ", SOURCE_NAMES)));
            } else {
                sources.add(name);
            }
        }
        ONLY_FOR.forEach((key, source) -> ConfigSpec.onlyWhen(config, key, SOURCES, source).ifPresent(problems::add));
        // Two sources, where onlyWhen names one.
        if (ConfigSpec.isSet(config, FILES_XML_ELEMENT) && !sources.contains(FILES) && !sources.contains(SFTP)) {
            problems.add(new ConfigProblem(FILES_XML_ELEMENT, "key '" + FILES_XML_ELEMENT
                    + "' only applies to sources files and sftp, but key '" + SOURCES + "' lists neither"));
        }

        Mapping mapping = null;
        boolean anyMappingKey = Mapping.KEYS.stream().anyMatch(k -> ConfigSpec.isSet(config, MAPPING + k)
                && SPEC.key(MAPPING + k).defaultValue() == null);
        if (!sources.isEmpty() || anyMappingKey) {
            mapping = Mapping.compile(mappingSettings(config), problems);
        }

        ErpSettings.Jdbc jdbc = sources.contains(JDBC) ? jdbc(config, problems) : null;
        boolean files = sources.contains(FILES) || sources.contains(SFTP);
        ErpSettings.FileFormat format = files ? format(config, problems) : null;
        ErpSettings.Files local = sources.contains(FILES) ? files(config, problems) : null;
        ErpSettings.Sftp sftp = sources.contains(SFTP) ? sftp(config, problems) : null;
        ErpSettings.Webhook webhook = sources.contains(WEBHOOK) ? webhook(config, problems) : null;

        if (!problems.isEmpty()) {
            return null;
        }
        return new ErpSettings(Set.copyOf(sources), mapping, jdbc, format, local, sftp, webhook);
    }

    /** The configuration for the log: secrets masked, and the keys of sources not in use left out. */
    static Map<String, Object> shown(PluginConfig config) {
        Set<String> sources = new LinkedHashSet<>();
        config.getList(SOURCES).forEach(s -> sources.add(s.strip().toLowerCase(java.util.Locale.ROOT)));
        Map<String, Object> shown = new LinkedHashMap<>(config.masked());
        shown.computeIfPresent(JDBC_URL, (k, v) -> maskUrl(String.valueOf(v)));
        shown.keySet().removeIf(k -> {
            String prefix = k.contains(".") ? k.substring(0, k.indexOf('.')) : "";
            if (prefix.equals(FILES)) {
                return !sources.contains(FILES) && !sources.contains(SFTP);
            }
            return SOURCE_NAMES.contains(prefix) && !sources.contains(prefix);
        });
        return shown;
    }

    /** A JDBC URL with any password in it (?password=..., ;password=...) replaced by the mask. */
    static String maskUrl(String url) {
        return url.replaceAll("(?i)(password|pwd)=[^&;]*", "$1=" + ConfigSpec.MASK);
    }

    private static ErpSettings.Jdbc jdbc(PluginConfig config, List<ConfigProblem> problems) {
        String url = required(config, JDBC_URL, problems);
        if (url != null && !url.startsWith("jdbc:")) {
            // Never quote the URL: it may carry a password.
            problems.add(new ConfigProblem(JDBC_URL, "key '" + JDBC_URL + "' must be a JDBC URL starting with jdbc:, "
                    + "e.g. jdbc:postgresql://erp-db:5432/erp"));
        }
        String query = required(config, JDBC_QUERY, problems);
        if (query != null) {
            query = query.strip();
            while (query.endsWith(";")) {
                query = query.substring(0, query.length() - 1).strip();
            }
            if (!query.regionMatches(true, 0, "select", 0, 6) && !query.regionMatches(true, 0, "with", 0, 4)) {
                problems.add(new ConfigProblem(JDBC_QUERY, "key '" + JDBC_QUERY + "' must be a SELECT (or WITH ... SELECT) "
                        + "query"));
            }
        }
        String watermark = column(config, JDBC_WATERMARK, true, problems);
        String key = column(config, JDBC_KEY, false, problems);
        if (watermark != null && watermark.equalsIgnoreCase(key)) {
            problems.add(new ConfigProblem(JDBC_KEY, "key '" + JDBC_KEY + "' must be another column than '"
                    + JDBC_WATERMARK + "' (both are " + watermark + ")"));
        }
        List<Path> driverPath = new ArrayList<>();
        for (String p : config.get(JDBC_DRIVER_PATH).map(v -> (List<?>) v).orElse(List.of()).stream().map(String::valueOf).toList()) {
            Path path = Path.of(p.strip());
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                problems.add(new ConfigProblem(JDBC_DRIVER_PATH, "key '" + JDBC_DRIVER_PATH + "' names '" + p.strip()
                        + "', which is not a readable file"));
            } else {
                driverPath.add(path);
            }
        }
        int batch = range(config, JDBC_BATCH, 1, 100_000, problems);
        Duration interval = positive(config, JDBC_INTERVAL, problems);
        Duration timeout = positive(config, JDBC_TIMEOUT, problems);
        if (timeout.toSeconds() < 1) {
            problems.add(new ConfigProblem(JDBC_TIMEOUT, "key '" + JDBC_TIMEOUT + "' must be at least 1s (JDBC counts it "
                    + "in seconds), got " + timeout));
        }
        return new ErpSettings.Jdbc(url, string(config, JDBC_USER).orElse(null), string(config, JDBC_PASSWORD).orElse(null),
                string(config, JDBC_DRIVER).orElse(null), List.copyOf(driverPath), query, watermark, key,
                string(config, JDBC_START).orElse(null), batch, interval, timeout);
    }

    private static ErpSettings.FileFormat format(PluginConfig config, List<ConfigProblem> problems) {
        Pattern include = null;
        try {
            include = Pattern.compile(config.getString(FILES_INCLUDE), Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            problems.add(new ConfigProblem(FILES_INCLUDE, "key '" + FILES_INCLUDE + "' is not a regular expression ("
                    + e.getDescription() + ")"));
        }
        Charset charset = null;
        String cs = config.getString(FILES_CHARSET).strip();
        try {
            charset = Charset.forName(cs);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(FILES_CHARSET, "key '" + FILES_CHARSET + "' names no character set this Java "
                    + "knows: '" + cs + "' (e.g. UTF-8, windows-1251, ISO-8859-1)"));
        }
        String d = config.getString(FILES_DELIMITER);
        char delimiter = ',';
        if (d.equalsIgnoreCase("tab") || d.equals("\\t") || d.equals("\t")) {
            delimiter = '\t';
        } else if (d.length() == 1 && d.charAt(0) != '"' && d.charAt(0) != '\n' && d.charAt(0) != '\r') {
            delimiter = d.charAt(0);
        } else {
            problems.add(new ConfigProblem(FILES_DELIMITER, "key '" + FILES_DELIMITER + "' must be one character other "
                    + "than a quote or a line break (e.g. ',' or ';'), or tab; got '" + d + "'"));
        }
        String element = string(config, FILES_XML_ELEMENT).orElse(null);
        if (element != null && !XML_NAME.matcher(element).matches()) {
            problems.add(new ConfigProblem(FILES_XML_ELEMENT, "key '" + FILES_XML_ELEMENT + "' must be an XML element "
                    + "name such as order, not '" + element + "'"));
        }
        int batch = range(config, FILES_BATCH, 1, 100_000, problems);
        Duration interval = positive(config, FILES_INTERVAL, problems);
        Duration minAge = config.getDuration(FILES_MIN_AGE);
        if (minAge.isNegative()) {
            problems.add(new ConfigProblem(FILES_MIN_AGE, "key '" + FILES_MIN_AGE + "' must not be negative"));
        }
        return new ErpSettings.FileFormat(config.getString(FILES_FORMAT), include, charset, delimiter, element,
                config.getString(FILES_BAD_ROWS).equals("reject-file"), batch, interval, minAge);
    }

    private static ErpSettings.Files files(PluginConfig config, List<ConfigProblem> problems) {
        String dir = required(config, FILES_DIRECTORY, problems);
        String archive = config.getString(FILES_ARCHIVE).strip();
        String error = config.getString(FILES_ERROR).strip();
        folders(FILES_ARCHIVE, archive, FILES_ERROR, error, problems);
        return new ErpSettings.Files(dir == null ? null : Path.of(dir).toAbsolutePath().normalize(), archive, error);
    }

    private static void folders(String archiveKey, String archive, String errorKey, String error, List<ConfigProblem> problems) {
        for (String[] kv : new String[][] {{archiveKey, archive}, {errorKey, error}}) {
            String v = kv[1];
            if (v.isEmpty() || v.equals(".") || v.equals("./")) {
                problems.add(new ConfigProblem(kv[0], "key '" + kv[0] + "' must be another folder than the one files are "
                        + "read from"));
            }
        }
        if (!archive.isEmpty() && archive.equals(error)) {
            problems.add(new ConfigProblem(errorKey, "keys '" + archiveKey + "' and '" + errorKey
                    + "' must be different folders, both are '" + archive + "'"));
        }
    }

    private static ErpSettings.Sftp sftp(PluginConfig config, List<ConfigProblem> problems) {
        String host = required(config, SFTP_HOST, problems);
        int port = range(config, SFTP_PORT, 1, 65535, problems);
        String user = required(config, SFTP_USER, problems);
        String dir = required(config, SFTP_DIRECTORY, problems);
        Optional<String> password = string(config, SFTP_PASSWORD);
        Optional<String> key = string(config, SFTP_KEY);
        if (password.isEmpty() && key.isEmpty()) {
            problems.add(new ConfigProblem(SFTP_PASSWORD, "source sftp needs key '" + SFTP_PASSWORD + "' or key '"
                    + SFTP_KEY + "'"));
        }
        key.ifPresent(k -> readable(SFTP_KEY, k, problems));
        if (string(config, SFTP_PASSPHRASE).isPresent() && key.isEmpty()) {
            problems.add(new ConfigProblem(SFTP_PASSPHRASE, "key '" + SFTP_PASSPHRASE + "' is set but key '" + SFTP_KEY
                    + "' is not"));
        }
        boolean strict = config.getBoolean(SFTP_STRICT);
        Optional<String> knownHosts = string(config, SFTP_KNOWN_HOSTS);
        if (strict && knownHosts.isEmpty()) {
            problems.add(new ConfigProblem(SFTP_KNOWN_HOSTS, "key '" + SFTP_KNOWN_HOSTS + "' is required while '"
                    + SFTP_STRICT + "' is true: a known_hosts file with the server's key (ssh-keyscan -p " + port + " "
                    + (host == null ? "<host>" : host) + " > known_hosts)"));
        }
        knownHosts.ifPresent(k -> readable(SFTP_KNOWN_HOSTS, k, problems));
        String archive = config.getString(SFTP_ARCHIVE).strip();
        String error = config.getString(SFTP_ERROR).strip();
        folders(SFTP_ARCHIVE, archive, SFTP_ERROR, error, problems);
        return new ErpSettings.Sftp(host, port, user, password.orElse(null), key.orElse(null),
                string(config, SFTP_PASSPHRASE).orElse(null), knownHosts.orElse(null), strict, dir, archive, error);
    }

    private static ErpSettings.Webhook webhook(PluginConfig config, List<ConfigProblem> problems) {
        String path = config.getString(WEBHOOK_PATH).strip();
        if (!PATH.matcher(path).matches()) {
            problems.add(new ConfigProblem(WEBHOOK_PATH, "key '" + WEBHOOK_PATH + "' must be a path starting with '/' "
                    + "(letters, digits, '.', '_', '~', '-', '/'), got '" + path + "'"));
        }
        String token = required(config, WEBHOOK_TOKEN, problems);
        if (token != null && (token.length() < 16 || !token.matches("\\S+"))) {
            // Say what is wrong, never the value.
            problems.add(new ConfigProblem(WEBHOOK_TOKEN, "key '" + WEBHOOK_TOKEN + "' must be at least 16 characters "
                    + "without spaces (e.g. the output of 'openssl rand -hex 16'), got " + token.length() + " characters"));
        }
        String records = string(config, WEBHOOK_RECORDS).orElse(null);
        if (records != null && !records.matches("[^.\\s]+(\\.[^.\\s]+)*")) {
            problems.add(new ConfigProblem(WEBHOOK_RECORDS, "key '" + WEBHOOK_RECORDS + "' must be a field name or a "
                    + "dotted path such as data.items, not '" + records + "'"));
        }
        return new ErpSettings.Webhook(path, token, records);
    }

    private static void readable(String key, String file, List<ConfigProblem> problems) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            problems.add(new ConfigProblem(key, "key '" + key + "' names '" + file + "', which is not a readable file"));
        }
    }

    private static String column(PluginConfig config, String key, boolean required, List<ConfigProblem> problems) {
        Optional<String> v = string(config, key);
        if (v.isEmpty()) {
            if (required) {
                required(config, key, problems);
            }
            return null;
        }
        if (!COLUMN.matcher(v.get()).matches()) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be a column name of jdbc.query (letters, digits, "
                    + "_ and $; give the column an alias in the query if it needs more), not '" + v.get() + "'"));
            return null;
        }
        return v.get();
    }

    /** The value of a key its source needs ({@link #REQUIRED_WITH}), or null with the problem added. */
    private static String required(PluginConfig config, String key, List<ConfigProblem> problems) {
        String what = SPEC.key(key).description();
        if (what.length() > 1 && Character.isLowerCase(what.charAt(1))) {
            what = Character.toLowerCase(what.charAt(0)) + what.substring(1); // "Folder ..." but "SFTP server"
        }
        ConfigSpec.requiredWhen(config, key, SOURCES, REQUIRED_WITH.get(key), what).ifPresent(problems::add);
        return string(config, key).orElse(null);
    }

    private static Optional<String> string(PluginConfig config, String key) {
        return config.get(key).map(Object::toString).map(String::strip).filter(s -> !s.isEmpty());
    }

    private static int range(PluginConfig config, String key, int min, int max, List<ConfigProblem> problems) {
        int v = config.getInt(key);
        if (v < min || v > max) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be " + min + " to " + max + ", got " + v));
            return Math.max(min, Math.min(max, v));
        }
        return v;
    }

    private static Duration positive(PluginConfig config, String key, List<ConfigProblem> problems) {
        Duration d = config.getDuration(key);
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must be a positive duration below 24 days, got " + d));
            return Duration.ofSeconds(1);
        }
        return d;
    }
}
