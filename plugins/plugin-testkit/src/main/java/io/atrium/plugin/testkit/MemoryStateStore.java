package io.atrium.plugin.testkit;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.StateStore;

/**
 * A {@link StateStore} in memory with the hub's rules (versions from 1, compare-and-set, keys of 1
 * to 200 characters, values that must be JSON of at most {@link #MAX_VALUE_CHARS}), for a plugin's
 * tests; {@link TestConnectorContext#state()} is one. Values come back as written.
 */
public final class MemoryStateStore implements StateStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Entry> entries = new TreeMap<>();

    @Override
    public synchronized Optional<Entry> get(String key) {
        check(key, "{}");
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public synchronized Map<String, Entry> list(String prefix) {
        Map<String, Entry> out = new TreeMap<>();
        entries.forEach((k, v) -> {
            if (k.startsWith(prefix == null ? "" : prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Override
    public synchronized OptionalLong compareAndSet(String key, long expectedVersion, String json) {
        check(key, json);
        Entry now = entries.get(key);
        long version = now == null ? 0 : now.version();
        if (version != expectedVersion) {
            return OptionalLong.empty();
        }
        entries.put(key, new Entry(json, version + 1));
        return OptionalLong.of(version + 1);
    }

    @Override
    public synchronized long put(String key, String json) {
        check(key, json);
        Entry now = entries.get(key);
        long version = (now == null ? 0 : now.version()) + 1;
        entries.put(key, new Entry(json, version));
        return version;
    }

    private static void check(String key, String json) {
        if (key == null || key.isEmpty() || key.length() > 200) {
            throw new IllegalArgumentException("a state key must be 1 to 200 characters, not " + key);
        }
        if (json == null || json.length() > MAX_VALUE_CHARS) {
            throw new IllegalArgumentException("state key '" + key + "': the value must be JSON of at most "
                    + MAX_VALUE_CHARS + " characters");
        }
        try {
            JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("state key '" + key + "': the value is not JSON (" + e.getOriginalMessage() + ")");
        }
    }
}
