package io.atrium.plugins.erp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records a source without files of its own (JDBC) could not import: one line each, with the
 * time, in {@code <name>} under the plugin's data directory (kept to about 10 MB: the older half
 * is moved to {@code <name>.1}), and a warning in the log.
 */
final class ProblemLog {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemLog.class);
    private static final long MAX_BYTES = 10L * 1024 * 1024;

    private final Path file;

    ProblemLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    synchronized void write(List<RecordProblem> problems) {
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        String now = Instant.now().toString();
        for (RecordProblem p : problems) {
            LOG.warn("erp: not imported: {}", p.describe());
            b.append(now).append(' ').append(p.describe().replace('\n', ' ')).append('\n');
        }
        try {
            if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("erp: could not write {}: {}", file, e.toString());
        }
    }
}
