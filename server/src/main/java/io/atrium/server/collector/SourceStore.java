package io.atrium.server.collector;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Sources in PostgreSQL, with write key lookups cached in memory for
 * {@code atrium.collector.source-cache-ttl} so that authenticating a collector request rarely
 * costs a query. Every change made through this store empties the cache at once.
 */
@Service
public class SourceStore {

    /** Longest write key we look up; anything longer is not one of ours. */
    private static final int MAX_KEY_LENGTH = 200;
    private static final int MAX_CACHED = 10_000;

    private final JdbcTemplate jdbc;
    private final long ttlNanos;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    /** Bumped by every change, so a lookup that raced with a change does not cache what it read. */
    private final AtomicLong generation = new AtomicLong();

    private record Cached(Source source, long expiresAt) {
    }

    public SourceStore(JdbcTemplate jdbc, CollectorProperties properties) {
        this.jdbc = jdbc;
        this.ttlNanos = properties.getSourceCacheTtl().toNanos();
    }

    /** Thrown when an active source already has the name. */
    public static class DuplicateNameException extends RuntimeException {
        public DuplicateNameException(String name) {
            super("a source named '" + name + "' already exists");
        }
    }

    public List<Source> list() {
        return jdbc.query("SELECT id, name, write_key, created_at, revoked_at FROM sources ORDER BY created_at, name",
                SourceStore::row);
    }

    public Optional<Source> get(UUID id) {
        return jdbc.query("SELECT id, name, write_key, created_at, revoked_at FROM sources WHERE id = ?",
                SourceStore::row, id).stream().findFirst();
    }

    public Source create(String name) {
        UUID id = UUID.randomUUID();
        String key = newWriteKey();
        try {
            jdbc.update("INSERT INTO sources (id, name, write_key) VALUES (?, ?, ?)", id, name, key);
        } catch (DuplicateKeyException e) {
            throw new DuplicateNameException(name);
        }
        invalidate();
        return get(id).orElseThrow();
    }

    /** Revokes the source; its key stops working at once. Empty when there is no such source. */
    public Optional<Source> revoke(UUID id) {
        jdbc.update("UPDATE sources SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL", id);
        invalidate();
        return get(id);
    }

    /** The active source whose write key this is. */
    public Optional<Source> authenticate(String writeKey) {
        if (writeKey == null || writeKey.isEmpty() || writeKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        Cached cached = cache.get(writeKey);
        if (cached == null || now - cached.expiresAt() > 0) {
            long seen = generation.get();
            Source found = jdbc.query("SELECT id, name, write_key, created_at, revoked_at FROM sources"
                    + " WHERE write_key = ? AND revoked_at IS NULL", SourceStore::row, writeKey).stream().findFirst().orElse(null);
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cached = new Cached(found, now + ttlNanos);
            if (generation.get() == seen) {
                cache.put(writeKey, cached);
            }
        }
        return Optional.ofNullable(cached.source());
    }

    private void invalidate() {
        generation.incrementAndGet();
        cache.clear();
    }

    /** 32 random bytes, URL-safe base64 without padding: 43 characters. */
    private String newWriteKey() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Source row(ResultSet rs, int i) throws SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new Source(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("write_key"),
                rs.getTimestamp("created_at").toInstant(), revoked == null ? null : revoked.toInstant());
    }
}
