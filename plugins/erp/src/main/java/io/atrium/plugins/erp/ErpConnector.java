package io.atrium.plugins.erp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.Lease;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.component.file.remote.SftpConfiguration;
import org.apache.camel.component.file.remote.SftpEndpoint;
import org.apache.camel.support.service.ServiceHelper;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings orders and customers from an ERP into the hub as events and identities, from any of
 * four sources at once: a database table polled over JDBC with a watermark ({@link JdbcSource}),
 * files dropped into a folder or onto an SFTP server ({@link FileRoute}), and an HTTP webhook
 * ({@link WebhookRoute}). What a record becomes is configuration ({@link Mapping}). Also
 * contributes the {@code erp:map} Camel component ({@link ErpComponent}) for IT's own routes.
 */
@Extension
public class ErpConnector implements Connector {

    private static final Logger LOG = LoggerFactory.getLogger(ErpConnector.class);

    static final String JDBC_LEASE = "jdbc";
    static final String SFTP_LEASE = "sftp";

    private final List<AutoCloseable> opened = new ArrayList<>();
    private volatile JdbcSource jdbc;

    @Override
    public ConfigSpec configSpec() {
        return ErpConfig.SPEC;
    }

    /** The rules between keys ({@link ErpConfig#check}), for the hub to report per key before start and in the console. */
    @Override
    public List<ConfigProblem> validate(PluginConfig config) {
        return ErpConfig.check(config);
    }

    @Override
    public void start(ConnectorContext ctx) throws Exception {
        ErpSettings settings = ErpConfig.parse(ctx.config());
        LOG.info("erp: starting with {}", ErpConfig.shown(ctx.config()));
        try {
            ctx.addComponent(ErpComponent.SCHEME, new ErpComponent(ctx.config(), settings.mapping(), ctx.events()));
            Intake intake = new Intake(ctx.events());
            if (settings.jdbc() != null) {
                startJdbc(ctx, settings, intake);
            }
            if (settings.files() != null) {
                startFiles(ctx, settings, intake);
            }
            if (settings.sftp() != null) {
                startSftp(ctx, settings, intake);
            }
            if (settings.webhook() != null) {
                ctx.addRoutes(new WebhookRoute(settings.webhook(), settings.mapping(), ctx.events()));
                LOG.info("erp: webhook at {}{}", ctx.publicUrl(), settings.webhook().path());
            }
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private void startJdbc(ConnectorContext ctx, ErpSettings settings, Intake intake) throws Exception {
        JdbcSource source;
        try {
            Lease lease = ctx.lease(JDBC_LEASE); // one hub node of a cluster polls the database at a time
            source = new JdbcSource(settings.jdbc(), settings.mapping(), intake, ctx.state(), ctx.dataDirectory(),
                    lease::isHeld);
        } catch (JdbcSource.ConfigurationProblem e) {
            throw new IllegalArgumentException("erp plugin, source jdbc: " + e.getMessage());
        }
        jdbc = source;
        opened.add(source);
        try {
            source.open();
        } catch (JdbcSource.ConfigurationProblem e) {
            throw new IllegalArgumentException("erp plugin, source jdbc: " + e.getMessage());
        }
        long period = settings.jdbc().pollInterval().toMillis();
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:erp-jdbc?delay=0&period=" + period).routeId("erp-jdbc").process(e -> source.poll());
            }
        });
    }

    private void startFiles(ConnectorContext ctx, ErpSettings settings, Intake intake) throws Exception {
        ErpSettings.Files f = settings.files();
        Path dir = f.directory();
        Path archive = dir.resolve(f.archiveDirectory()).normalize();
        Path error = dir.resolve(f.errorDirectory()).normalize();
        create(dir, ErpConfig.FILES_DIRECTORY);
        create(archive, ErpConfig.FILES_ARCHIVE);
        create(error, ErpConfig.FILES_ERROR);
        FileEndpoint endpoint = (FileEndpoint) ctx.camelContext().getComponent("file").createEndpoint("file:" + dir);
        endpoint.setAutoCreate(true);
        FileImport importer = new FileImport(ErpConfig.FILES, settings.fileFormat(), settings.mapping(), intake);
        FileRoute.ReportWriter reports = (name, content) -> Files.writeString(error.resolve(name), content,
                StandardCharsets.UTF_8);
        ctx.addRoutes(new FileRoute("erp-files", ErpConfig.FILES, endpoint, settings.fileFormat(), importer,
                archive.toString(), error.toString(), reports, work(ctx)));
        LOG.info("erp: reading files from {} (archive {}, errors {})", dir, archive, error);
    }

    private static void create(Path dir, String key) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("erp plugin: key '" + key + "': cannot create the folder " + dir + " ("
                    + e + ")");
        }
    }

    private static Path work(ConnectorContext ctx) throws IOException {
        return Files.createDirectories(ctx.dataDirectory().resolve("work"));
    }

    private void startSftp(ConnectorContext ctx, ErpSettings settings, Intake intake) throws Exception {
        ErpSettings.Sftp s = settings.sftp();
        CamelContext camel = ctx.camelContext();
        SftpEndpoint consumer = sftpEndpoint(camel, s, s.directory());
        consumer.setLocalWorkDirectory(work(ctx).toString());
        // Every hub node of a cluster sees the same server: one of them at a time reads it (the files
        // folder is each node's own and is read by every node).
        Lease lease = ctx.lease(SFTP_LEASE);
        consumer.setPollStrategy(new LeasedPolls(consumer.getPollStrategy(), lease::isHeld));
        String errorPath = s.errorDirectory().startsWith("/") ? s.errorDirectory()
                : trim(s.directory()) + "/" + s.errorDirectory();
        SftpEndpoint reportEndpoint = sftpEndpoint(camel, s, errorPath);
        reportEndpoint.setAutoCreate(true);
        ServiceHelper.startService(reportEndpoint);
        ProducerTemplate template = camel.createProducerTemplate();
        opened.add(template);
        opened.add(() -> ServiceHelper.stopService(reportEndpoint));
        FileRoute.ReportWriter reports = (name, content) -> template.sendBodyAndHeader(reportEndpoint, content,
                Exchange.FILE_NAME, name);
        FileImport importer = new FileImport(ErpConfig.SFTP, settings.fileFormat(), settings.mapping(), intake);
        ctx.addRoutes(new FileRoute("erp-sftp", ErpConfig.SFTP, consumer, settings.fileFormat(), importer,
                s.archiveDirectory(), s.errorDirectory(), reports, work(ctx)));
        LOG.info("erp: reading files from sftp://{}@{}:{}/{} (archive {}, errors {})", s.user(), s.host(), s.port(),
                s.directory(), s.archiveDirectory(), s.errorDirectory());
    }

    private static String trim(String dir) {
        String d = dir;
        while (d.length() > 1 && d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d;
    }

    /** An SFTP endpoint with the credentials set on its configuration, never in its URI (which Camel may log). */
    private static SftpEndpoint sftpEndpoint(CamelContext camel, ErpSettings.Sftp s, String directory) throws Exception {
        String path = directory.startsWith("/") ? "/" + directory : directory;
        SftpEndpoint ep = (SftpEndpoint) camel.getComponent("sftp").createEndpoint("sftp://" + s.host() + ":" + s.port()
                + "/" + path);
        SftpConfiguration c = ep.getConfiguration();
        c.setUsername(s.user());
        if (s.password() != null) {
            c.setPassword(s.password());
        }
        if (s.privateKeyFile() != null) {
            c.setPrivateKeyFile(s.privateKeyFile());
            if (s.privateKeyPassphrase() != null) {
                c.setPrivateKeyPassphrase(s.privateKeyPassphrase());
            }
        }
        c.setUseUserKnownHostsFile(false);
        if (s.knownHostsFile() != null) {
            c.setKnownHostsFile(s.knownHostsFile());
        }
        c.setStrictHostKeyChecking(s.strictHostKeyChecking() ? "yes" : "no");
        if (!s.strictHostKeyChecking()) {
            LOG.warn("erp: key '{}' is false: the SFTP server at {} is trusted without checking its host key",
                    ErpConfig.SFTP_STRICT, s.host());
        }
        return ep;
    }

    /** The JDBC source, when there is one (for tests). */
    JdbcSource jdbc() {
        return jdbc;
    }

    @Override
    public void stop() {
        JdbcSource j = jdbc;
        if (j != null) {
            j.stopping();
        }
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                LOG.debug("erp: closing: {}", e.toString());
            }
        }
        opened.clear();
        jdbc = null;
    }
}
