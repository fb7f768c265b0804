package io.atrium.plugin.api;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A plugin's small durable state, shared by every hub node of a cluster: keys mapped to small JSON
 * values (cursors, watermarks, what was last seen of a record), kept in the hub's PostgreSQL and
 * scoped to the plugin. Every write is atomic and bumps the entry's version, so that two nodes
 * cannot both advance a cursor from the same value: read the entry, work, then
 * {@link #compareAndSet} with the version that was read; when another node wrote first it returns
 * empty and nothing is written.
 *
 * <p>Keys are 1 to 200 characters; values are JSON texts of at most {@link #MAX_VALUE_CHARS}
 * characters (stored as PostgreSQL {@code jsonb}: what is read back is the same JSON, not always
 * the same text, e.g. object keys may come back in another order). Files that only one node needs
 * belong in {@link ConnectorContext#dataDirectory()}.
 */
public interface StateStore {

    /** The longest value accepted, in characters of JSON text. */
    int MAX_VALUE_CHARS = 65_536;

    /** A stored value and its version (1 for the first write of a key, then one more with every write). */
    record Entry(String json, long version) {
    }

    /** The entry of {@code key}, or empty when it was never written. */
    Optional<Entry> get(String key);

    /** Every entry whose key starts with {@code prefix} (an empty prefix: all of this plugin's), by key. */
    Map<String, Entry> list(String prefix);

    /**
     * Writes {@code json} for {@code key} if its stored version is still {@code expectedVersion}
     * ({@code 0}: only if the key does not exist yet).
     *
     * @return the new version, or empty when the key's version is another (someone else wrote first)
     * @throws IllegalArgumentException if the key or the value is not acceptable (naming which and why)
     * @throws IllegalStateException    if the hub's database cannot be reached
     */
    OptionalLong compareAndSet(String key, long expectedVersion, String json);

    /**
     * Writes {@code json} for {@code key} whatever is stored (last writer wins), for values no two
     * nodes race to advance.
     *
     * @return the new version
     */
    long put(String key, String json);
}
