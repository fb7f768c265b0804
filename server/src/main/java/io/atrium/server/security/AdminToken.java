package io.atrium.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import io.atrium.server.config.AtriumProperties;
import io.atrium.server.config.DataDirectory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The admin API token: {@code atrium.security.admin-token} (env ATRIUM_SECURITY_ADMIN_TOKEN) when
 * set; otherwise the one kept in {@code <data>/admin-token}, generated and printed once on the
 * first start.
 */
@Component
public class AdminToken {

    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);
    static final String FILE = "admin-token";

    private final byte[] token;

    public AdminToken(AtriumProperties properties, DataDirectory data) {
        String configured = properties.getSecurity().getAdminToken();
        if (configured != null && !configured.isBlank()) {
            token = configured.strip().getBytes(StandardCharsets.UTF_8);
            log.info("Admin API token: taken from configuration (atrium.security.admin-token)");
            return;
        }
        Path file = data.root().resolve(FILE);
        try {
            if (Files.exists(file)) {
                token = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
                log.info("Admin API token: read from {}", file);
                return;
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path temp = Files.createTempFile(data.root(), ".admin-token", ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(temp, generated + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            token = generated.getBytes(StandardCharsets.UTF_8);
            log.warn("""

                    ==================================================================
                    Generated the admin API token (kept in {}):

                        {}

                    Send it as 'Authorization: Bearer <token>'. It is printed only now.
                    ==================================================================
                    """, file, generated);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Constant-time comparison. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }
}
