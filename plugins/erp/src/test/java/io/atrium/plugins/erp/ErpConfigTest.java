package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.PluginConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per configuration rule: the spec's own checks, then the rules between keys in {@link ErpConfig#parse}. */
class ErpConfigTest {

    static final String TOKEN = "0123456789abcdef0123";
    static final String PASSWORD = "s3cr3t-Pa55";

    @TempDir
    Path dir;

    static Map<String, Object> mapping() {
        Map<String, Object> c = new HashMap<>();
        c.put("mapping.event", "order_created");
        c.put("mapping.identities.erp_id", "customer_id");
        return c;
    }

    static Map<String, Object> jdbc() {
        Map<String, Object> c = mapping();
        c.put("sources", "jdbc");
        c.put("jdbc.url", "jdbc:postgresql://erp-db:5432/erp");
        c.put("jdbc.user", "atrium");
        c.put("jdbc.password", PASSWORD);
        c.put("jdbc.query", "SELECT * FROM orders;");
        c.put("jdbc.watermark-column", "updated_at");
        c.put("jdbc.key-column", "id");
        return c;
    }

    static Map<String, Object> webhook() {
        Map<String, Object> c = mapping();
        c.put("sources", List.of("webhook"));
        c.put("webhook.token", TOKEN);
        return c;
    }

    Map<String, Object> sftp() throws Exception {
        Path known = Files.writeString(dir.resolve("known_hosts"), "[sftp]:22 ssh-ed25519 AAAA\n");
        Map<String, Object> c = mapping();
        c.put("sources", "sftp");
        c.put("sftp.host", "sftp.erp.example");
        c.put("sftp.user", "atrium");
        c.put("sftp.password", PASSWORD);
        c.put("sftp.directory", "outbox");
        c.put("sftp.known-hosts-file", known.toString());
        return c;
    }

    static PluginConfig valid(Map<String, Object> raw) {
        var v = ErpConfig.SPEC.validate(raw);
        assertThat(v.problems()).isEmpty();
        return v.config();
    }

    static String problem(Map<String, Object> raw) {
        try {
            ErpConfig.parse(valid(raw));
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain(TOKEN);
            return e.getMessage();
        }
        throw new AssertionError("expected a configuration problem in " + raw);
    }

    @Test
    void everyKeyHasADescriptionAndTheSecretsAreMarked() {
        for (ConfigKey key : ErpConfig.SPEC.keys()) {
            assertThat(key.description()).as(key.name()).isNotBlank();
        }
        assertThat(ErpConfig.SPEC.keys()).filteredOn(ConfigKey::isSecret).extracting(ConfigKey::name)
                .containsExactlyInAnyOrder("jdbc.password", "sftp.password", "sftp.private-key-passphrase", "webhook.token");
        for (String k : Mapping.KEYS) {
            assertThat(ErpConfig.SPEC.key("mapping." + k)).as(k).isNotNull();
        }
    }

    @Test
    void sourcesIsRequiredAndOnlyKnowsTheFourSources() {
        assertThat(ErpConfig.SPEC.validate(mapping()).problems()).extracting(ConfigProblem::message)
                .singleElement().asString().startsWith("missing required key 'sources'");
        Map<String, Object> c = webhook();
        c.put("sources", "webhook, ftp");
        assertThat(problem(c)).contains("key 'sources' lists 'ftp', which is not a source; the sources are jdbc, files, sftp, webhook");
    }

    @Test
    void noSourcesAndNoMappingIsAPluginThatOnlyOffersTheComponent() {
        ErpSettings s = ErpConfig.parse(valid(Map.of("sources", List.of())));
        assertThat(s.sources()).isEmpty();
        assertThat(s.mapping()).isNull();
    }

    @Test
    void aSourceNeedsAMapping() {
        Map<String, Object> c = new HashMap<>(webhook());
        c.remove("mapping.event");
        c.remove("mapping.identities.erp_id");
        String p = problem(c);
        assertThat(p).contains("key 'mapping.event' is required when records become track events");
        assertThat(p).contains("no identity is mapped");
    }

    @Test
    void jdbcDefaultsAndTheQueryLosesItsSemicolon() {
        ErpSettings.Jdbc j = ErpConfig.parse(valid(jdbc())).jdbc();
        assertThat(j.query()).isEqualTo("SELECT * FROM orders");
        assertThat(j.batchSize()).isEqualTo(500);
        assertThat(j.pollInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(j.queryTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(j.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void jdbcNeedsItsUrlQueryAndWatermark() {
        Map<String, Object> c = mapping();
        c.put("sources", "jdbc");
        String p = problem(c);
        assertThat(p).contains("key 'jdbc.url' is required when 'sources' lists 'jdbc': set it to JDBC URL of the ERP's database",
                "key 'jdbc.query' is required when 'sources' lists 'jdbc': set it to SELECT giving the records",
                "key 'jdbc.watermark-column' is required when 'sources' lists 'jdbc': set it to column of the query");
    }

    @Test
    void jdbcValuesAreChecked() {
        Map<String, Object> c = jdbc();
        c.put("jdbc.url", "postgresql://erp-db/erp?password=" + PASSWORD);
        c.put("jdbc.query", "DELETE FROM orders");
        c.put("jdbc.watermark-column", "updated at");
        c.put("jdbc.key-column", "id");
        c.put("jdbc.batch-size", 0);
        c.put("jdbc.poll-interval", "0s");
        c.put("jdbc.driver-path", List.of("/nonexistent/mssql-jdbc.jar"));
        String p = problem(c);
        assertThat(p).contains("key 'jdbc.url' must be a JDBC URL starting with jdbc:",
                "key 'jdbc.query' must be a SELECT", "key 'jdbc.watermark-column' must be a column name",
                "key 'jdbc.batch-size' must be 1 to 100000, got 0", "key 'jdbc.poll-interval' must be a positive duration",
                "key 'jdbc.driver-path' names '/nonexistent/mssql-jdbc.jar', which is not a readable file");
        Map<String, Object> same = jdbc();
        same.put("jdbc.key-column", "UPDATED_AT");
        assertThat(problem(same)).contains("key 'jdbc.key-column' must be another column than 'jdbc.watermark-column'");
    }

    @Test
    void keysOfASourceThatIsNotListedAreRefused() {
        Map<String, Object> c = webhook();
        c.put("jdbc.url", "jdbc:postgresql://erp-db/erp");
        c.put("sftp.password", PASSWORD);
        c.put("files.xml-record-element", "order");
        String p = problem(c);
        assertThat(p).contains("key 'jdbc.url' only applies when 'sources' lists 'jdbc', but 'sources' does not list it; "
                        + "set that or remove 'jdbc.url'",
                "key 'sftp.password' only applies when 'sources' lists 'sftp'",
                "key 'files.xml-record-element' only applies to sources files and sftp");
    }

    @Test
    void filesDefaultsAndFormatChecks() {
        Map<String, Object> c = mapping();
        c.put("sources", "files");
        c.put("files.directory", dir.toString());
        ErpSettings s = ErpConfig.parse(valid(c));
        assertThat(s.files().directory()).isEqualTo(dir.toAbsolutePath());
        assertThat(s.files().archiveDirectory()).isEqualTo("archive");
        assertThat(s.files().errorDirectory()).isEqualTo("error");
        assertThat(s.fileFormat().include().matcher("Orders-2026.CSV").matches()).isTrue();
        assertThat(s.fileFormat().include().matcher("orders.csv.part").matches()).isFalse();
        assertThat(s.fileFormat().csvDelimiter()).isEqualTo(',');
        assertThat(s.fileFormat().rejectFileOnBadRows()).isFalse();

        c.put("files.csv-delimiter", "tab");
        assertThat(ErpConfig.parse(valid(c)).fileFormat().csvDelimiter()).isEqualTo('\t');

        c.put("files.include", "*.csv");
        c.put("files.charset", "klingon-8");
        c.put("files.csv-delimiter", ";;");
        c.put("files.xml-record-element", "<order>");
        c.put("files.archive-directory", "done");
        c.put("files.error-directory", "done");
        String p = problem(c);
        assertThat(p).contains("key 'files.include' is not a regular expression",
                "key 'files.charset' names no character set this Java knows: 'klingon-8'",
                "key 'files.csv-delimiter' must be one character", "key 'files.xml-record-element' must be an XML element name",
                "keys 'files.archive-directory' and 'files.error-directory' must be different folders");
        c.remove("files.directory");
        assertThat(problem(c)).contains("key 'files.directory' is required when 'sources' lists 'files': set it to folder the ERP drops files into");
    }

    @Test
    void theArchiveCannotBeTheFolderItself() {
        Map<String, Object> c = mapping();
        c.put("sources", "files");
        c.put("files.directory", dir.toString());
        c.put("files.archive-directory", ".");
        assertThat(problem(c)).contains("key 'files.archive-directory' must be another folder than the one files are read from");
    }

    @Test
    void sftpNeedsACredentialAndTheServersKey() throws Exception {
        ErpSettings.Sftp s = ErpConfig.parse(valid(sftp())).sftp();
        assertThat(s.port()).isEqualTo(22);
        assertThat(s.strictHostKeyChecking()).isTrue();
        assertThat(s.toString()).doesNotContain(PASSWORD);

        Map<String, Object> c = sftp();
        c.remove("sftp.password");
        c.remove("sftp.known-hosts-file");
        c.put("sftp.private-key-passphrase", PASSWORD);
        String p = problem(c);
        assertThat(p).contains("source sftp needs key 'sftp.password' or key 'sftp.private-key-file'",
                "key 'sftp.known-hosts-file' is required while 'sftp.strict-host-key-checking' is true",
                "ssh-keyscan -p 22 sftp.erp.example",
                "key 'sftp.private-key-passphrase' is set but key 'sftp.private-key-file' is not");

        Map<String, Object> trusting = sftp();
        trusting.remove("sftp.known-hosts-file");
        trusting.put("sftp.strict-host-key-checking", false);
        assertThat(ErpConfig.parse(valid(trusting)).sftp().strictHostKeyChecking()).isFalse();

        Map<String, Object> missing = sftp();
        missing.put("sftp.private-key-file", dir.resolve("id_ed25519").toString());
        missing.put("sftp.port", 70000);
        assertThat(problem(missing)).contains("key 'sftp.private-key-file' names", "which is not a readable file",
                "key 'sftp.port' must be 1 to 65535");
    }

    @Test
    void theWebhookNeedsAPathAndALongTokenThatIsNeverShown() {
        ErpSettings.Webhook w = ErpConfig.parse(valid(webhook())).webhook();
        assertThat(w.path()).isEqualTo("/hooks/erp");
        assertThat(w.toString()).doesNotContain(TOKEN);

        Map<String, Object> c = webhook();
        c.put("webhook.token", "short");
        c.put("webhook.path", "hooks erp");
        c.put("webhook.records-field", "data..items");
        String p = problem(c);
        assertThat(p).contains("key 'webhook.token' must be at least 16 characters without spaces", "got 5 characters",
                "key 'webhook.path' must be a path starting with '/'", "key 'webhook.records-field' must be a field name");
        assertThat(p).doesNotContain("short");
        c.remove("webhook.token");
        assertThat(problem(c)).contains("key 'webhook.token' is required when 'sources' lists 'webhook': set it to secret the ERP sends");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> c = jdbc();
        c.put("sources", List.of("jdbc", "webhook"));
        c.put("jdbc.batch-size", -1);
        c.put("mapping.timezone", "Nowhere/Else");
        String p = problem(c);
        assertThat(p).startsWith("erp plugin configuration: ")
                .contains("jdbc.batch-size", "mapping.timezone", "webhook.token");
    }

    @Test
    void theLoggedConfigurationMasksSecretsAndLeavesOutUnusedSources() {
        Map<String, Object> c = jdbc();
        Map<String, Object> shown = ErpConfig.shown(valid(c));
        assertThat(shown).containsEntry("jdbc.password", "******").containsKey("jdbc.url").containsKey("mapping.event")
                .doesNotContainKeys("webhook.path", "files.format", "sftp.port");
        assertThat(shown.toString()).doesNotContain(PASSWORD);

        c.put("jdbc.url", "jdbc:sqlserver://erp-db:1433;databaseName=erp;user=atrium;password=" + PASSWORD + ";encrypt=true");
        assertThat(ErpConfig.shown(valid(c)).get("jdbc.url"))
                .isEqualTo("jdbc:sqlserver://erp-db:1433;databaseName=erp;user=atrium;password=******;encrypt=true");
        assertThat(ErpConfig.maskUrl("jdbc:postgresql://db/erp?user=a&password=" + PASSWORD)).doesNotContain(PASSWORD);
    }

    @Test
    void theConnectorsValidateGivesEveryRuleBetweenKeysWithItsKeyForTheConsoleForm() {
        Map<String, Object> c = webhook();
        c.put("sources", List.of("webhook", "ftp"));
        c.put("jdbc.query", "SELECT 1");
        List<ConfigProblem> problems = new ErpConnector().validate(valid(c));
        assertThat(problems).extracting(ConfigProblem::key).contains("sources", "jdbc.query");
        assertThat(problems).filteredOn(p -> p.key().equals("sources")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("'ftp', which is not a source"));
        assertThat(problems.toString()).doesNotContain(TOKEN);
        assertThat(problem(c)).contains("'ftp', which is not a source", "jdbc.query");
        assertThat(new ErpConnector().validate(valid(webhook()))).isEmpty();
    }
}
