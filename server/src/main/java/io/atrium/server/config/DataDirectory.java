package io.atrium.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The data directory, locked for the life of this process so that two hubs never share one
 * embedded database or broker journal. Created before anything that writes there.
 */
@Component
public class DataDirectory {

    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    public DataDirectory(AtriumProperties properties) {
        this.root = properties.getData().toAbsolutePath().normalize();
        try {
            Files.createDirectories(root);
            lockChannel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = tryLock(lockChannel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data directory " + root + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            throw new IllegalStateException("data directory " + root + " is in use by another Atrium process;"
                    + " stop it or set ATRIUM_DATA to another directory");
        }
        log.info("Data directory: {}", root);
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null; // held by this very JVM
        }
    }

    public Path root() {
        return root;
    }

    /** A sub-directory, created if missing. */
    public Path dir(String name) {
        Path p = root.resolve(name);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    @PreDestroy
    void release() throws IOException {
        lock.release();
        lockChannel.close();
    }
}
