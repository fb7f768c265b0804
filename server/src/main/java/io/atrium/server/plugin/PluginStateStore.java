package io.atrium.server.plugin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.StateStore;
import io.atrium.server.config.NodeName;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The plugins' {@link StateStore}s, in table {@code plugin_state}: one row per plugin and key,
 * written by single statements (an insert that only succeeds on a new key, an update that only
 * succeeds on the expected version), so every write is atomic and compare-and-set holds across
 * every node on the database.
 */
@Component
public class PluginStateStore {

    static final int MAX_KEY_CHARS = 200;

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final NodeName node;

    public PluginStateStore(JdbcTemplate jdbc, ObjectMapper mapper, NodeName node) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.node = node;
    }

    /** The store of one plugin. */
    public StateStore forPlugin(String pluginId) {
        return new Scoped(pluginId);
    }

    private final class Scoped implements StateStore {
        private final String pluginId;

        Scoped(String pluginId) {
            this.pluginId = pluginId;
        }

        @Override
        public Optional<Entry> get(String key) {
            checkKey(key);
            List<Entry> found = query(() -> jdbc.query("SELECT value::text, version FROM plugin_state WHERE plugin_id = ? AND key = ?",
                    (rs, i) -> new Entry(rs.getString(1), rs.getLong(2)), pluginId, key));
            return found.stream().findFirst();
        }

        @Override
        public Map<String, Entry> list(String prefix) {
            String p = prefix == null ? "" : prefix;
            Map<String, Entry> out = new LinkedHashMap<>();
            query(() -> {
                jdbc.query("SELECT key, value::text, version FROM plugin_state WHERE plugin_id = ? AND starts_with(key, ?) ORDER BY key",
                        rs -> {
                            out.put(rs.getString(1), new Entry(rs.getString(2), rs.getLong(3)));
                        }, pluginId, p);
                return null;
            });
            return out;
        }

        @Override
        public OptionalLong compareAndSet(String key, long expectedVersion, String json) {
            checkKey(key);
            checkValue(key, json);
            if (expectedVersion < 0) {
                throw new IllegalArgumentException("state key '" + key + "' of plugin '" + pluginId
                        + "': the expected version must be 0 (a new key) or a version read before, not " + expectedVersion);
            }
            int rows = query(() -> expectedVersion == 0
                    ? jdbc.update("INSERT INTO plugin_state (plugin_id, key, value, version, updated_by) VALUES (?, ?, ?::jsonb, 1, ?)"
                            + " ON CONFLICT (plugin_id, key) DO NOTHING", pluginId, key, json, node.get())
                    : jdbc.update("UPDATE plugin_state SET value = ?::jsonb, version = version + 1, updated_at = now(), updated_by = ?"
                            + " WHERE plugin_id = ? AND key = ? AND version = ?", json, node.get(), pluginId, key, expectedVersion));
            return rows == 1 ? OptionalLong.of(expectedVersion + 1) : OptionalLong.empty();
        }

        @Override
        public long put(String key, String json) {
            checkKey(key);
            checkValue(key, json);
            return query(() -> jdbc.queryForObject("INSERT INTO plugin_state (plugin_id, key, value, version, updated_by)"
                    + " VALUES (?, ?, ?::jsonb, 1, ?) ON CONFLICT (plugin_id, key) DO UPDATE SET value = EXCLUDED.value,"
                    + " version = plugin_state.version + 1, updated_at = now(), updated_by = EXCLUDED.updated_by"
                    + " RETURNING version", Long.class, pluginId, key, json, node.get()));
        }

        private void checkKey(String key) {
            if (key == null || key.isEmpty() || key.length() > MAX_KEY_CHARS) {
                throw new IllegalArgumentException("a state key of plugin '" + pluginId + "' must be 1 to " + MAX_KEY_CHARS
                        + " characters, not " + (key == null ? "null" : key.length() + " ('" + abbreviate(key) + "')"));
            }
        }

        private void checkValue(String key, String json) {
            if (json == null) {
                throw new IllegalArgumentException("state key '" + key + "' of plugin '" + pluginId + "': the value must be JSON, not null");
            }
            if (json.length() > MAX_VALUE_CHARS) {
                throw new IllegalArgumentException("state key '" + key + "' of plugin '" + pluginId + "': the value is "
                        + json.length() + " characters of JSON, more than the " + MAX_VALUE_CHARS + " a state value may be");
            }
            try {
                mapper.readTree(json);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("state key '" + key + "' of plugin '" + pluginId + "': the value is not JSON ("
                        + e.getOriginalMessage() + ")");
            }
        }

        private <T> T query(java.util.function.Supplier<T> call) {
            try {
                return call.get();
            } catch (DataAccessException e) {
                throw new IllegalStateException("the state of plugin '" + pluginId + "' cannot be read or written now: "
                        + e.getMostSpecificCause().getMessage(), e);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
