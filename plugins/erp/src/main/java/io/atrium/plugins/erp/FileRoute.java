package io.atrium.plugins.erp;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One folder of files, local (camel-file) or on SFTP (camel-ftp's sftp), read by a consumer the
 * plugin configures itself (so paths and passwords never go through a URI). Each file that
 * matches {@code files.include} and has not changed for {@code files.min-age} is imported by
 * {@link FileImport}; then Camel moves it: to the archive folder when every record went in, to
 * the error folder, with {@code <name>.report.txt} next to it, when some did not. While the hub
 * refuses for now, the file stays where it is and is tried again at the next poll.
 */
final class FileRoute extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(FileRoute.class);

    /** The header Camel's move expression reads: where the file goes once processed. */
    static final String MOVE_TO = "ErpMoveTo";
    static final int REPORT_LINES = 1000;

    /** Writes a report into the error folder. */
    interface ReportWriter {
        void write(String fileName, String content) throws Exception;
    }

    private final String routeId;
    private final String source;
    private final GenericFileEndpoint<?> endpoint;
    private final FileImport importer;
    private final String archive;
    private final String error;
    private final ReportWriter reports;
    private final Path workDirectory;

    /**
     * @param endpoint  the consumer endpoint, made by the caller with its connection settings
     * @param archive   the archive folder as the move expression takes it (relative to the read folder, or absolute)
     * @param error     the error folder, likewise
     */
    FileRoute(String routeId, String source, GenericFileEndpoint<?> endpoint, ErpSettings.FileFormat format, FileImport importer,
              String archive, String error, ReportWriter reports, Path workDirectory) {
        this.routeId = routeId;
        this.source = source;
        this.endpoint = endpoint;
        this.importer = importer;
        this.archive = trimSlash(archive);
        this.error = trimSlash(error);
        this.reports = reports;
        this.workDirectory = workDirectory;
        configureEndpoint(endpoint, format);
    }

    private static String trimSlash(String dir) {
        String d = dir.replace('\\', '/');
        while (d.length() > 1 && d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d;
    }

    private void configureEndpoint(GenericFileEndpoint<?> ep, ErpSettings.FileFormat format) {
        Pattern include = format.include();
        @SuppressWarnings({"rawtypes", "unchecked"})
        org.apache.camel.component.file.GenericFileFilter filter = f -> !((GenericFile) f).isDirectory()
                && include.matcher(((GenericFile) f).getFileNameOnly()).matches();
        @SuppressWarnings({"rawtypes", "unchecked"})
        GenericFileEndpoint raw = ep;
        raw.setFilter(filter);
        ep.setRecursive(false);
        ep.setDelay(format.pollInterval().toMillis());
        ep.setInitialDelay(Math.min(1000, format.pollInterval().toMillis()));
        ep.setSortBy("file:modified");
        ep.setReadLock("changed");
        long minAge = format.minAge().toMillis();
        if (minAge > 0) {
            ep.setReadLockMinAge(minAge);
        }
        long check = minAge > 0 ? Math.max(50, Math.min(1000, minAge / 2)) : 1000;
        ep.setReadLockCheckInterval(check);
        ep.setReadLockTimeout(Math.max(10_000, 4 * check));
        ep.setMove("${header." + MOVE_TO + "}");
        ep.setExceptionHandler(quiet());
    }

    /** Camel reports a rolled-back file through this; the route has logged why already. */
    private ExceptionHandler quiet() {
        return new ExceptionHandler() {
            @Override
            public void handleException(Throwable exception) {
                handleException(null, null, exception);
            }

            @Override
            public void handleException(String message, Throwable exception) {
                handleException(message, null, exception);
            }

            @Override
            public void handleException(String message, Exchange exchange, Throwable exception) {
                if (exception instanceof Intake.HubUnavailable) {
                    LOG.debug("erp: {}: {}", source, message);
                } else {
                    LOG.warn("erp: {}: {}{}", source, message == null ? "" : message + ": ", exception == null ? ""
                            : exception.toString());
                }
            }
        };
    }

    @Override
    public void configure() {
        onException(Intake.HubUnavailable.class).handled(false).logExhausted(false).logStackTrace(false)
                .logRetryAttempted(false).logHandled(false);
        from((Endpoint) endpoint).routeId(routeId).process(this::process);
    }

    void process(Exchange exchange) throws Exception {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Path file = localFile(exchange);
        Path copy = null;
        try {
            if (file == null) {
                copy = Files.createTempFile(workDirectory, "erp-", ".part");
                try (InputStream in = exchange.getIn().getBody(InputStream.class)) {
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                }
                file = copy;
            }
            FileImport.Outcome outcome;
            try {
                outcome = importer.run(file, name);
            } catch (Intake.HubUnavailable e) {
                LOG.warn("erp: {}: {}: {}; the file stays and is imported again at the next poll", source, name,
                        e.getMessage());
                throw e;
            } catch (RuntimeException e) {
                // Not the file's data and not the hub: reading it again would fail again, so it goes to the error folder.
                LOG.error("erp: {}: {}: could not be imported", source, name, e);
                outcome = new FileImport.Outcome(name, importer.formatOf(name) == null ? "unknown" : importer.formatOf(name),
                        0, 0, 0, List.of(new RecordProblem(Position.fileLine(source, name, -1), (String) null,
                        "could not be imported (" + e + "); records before the failure may have been imported")),
                        false, java.time.Instant.now());
            }
            if (outcome.clean()) {
                LOG.info("erp: {}: {}: imported {} of {} records ({} skipped by the mapping's rules); moved to {}",
                        source, name, outcome.imported(), outcome.records(), outcome.skipped(), archive);
                exchange.getIn().setHeader(MOVE_TO, archive + "/" + name);
            } else {
                String report = name + ".report.txt";
                reports.write(report, outcome.report(REPORT_LINES));
                LOG.warn("erp: {}: {}: {} of {} records imported, problems: {}; moved to {} with {}", source, name,
                        outcome.imported(), outcome.records(), outcome.problems().size(), error, report);
                exchange.getIn().setHeader(MOVE_TO, error + "/" + name);
            }
        } finally {
            if (copy != null) {
                Files.deleteIfExists(copy);
            }
        }
    }

    private static Path localFile(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        if (body instanceof GenericFile<?> gf) {
            body = gf.getBody();
            if (body == null) {
                body = gf.getFile();
            }
        }
        if (body instanceof File f && f.isFile()) {
            return f.toPath();
        }
        if (body instanceof Path p && Files.isRegularFile(p)) {
            return p;
        }
        return null;
    }
}
