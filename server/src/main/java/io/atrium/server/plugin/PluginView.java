package io.atrium.server.plugin;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A plugin as the admin API shows it.
 *
 * @param id         plugin id from its descriptor (or the file name when the descriptor cannot be read)
 * @param file       the file in plugins/ it came from
 * @param config     its configuration with secrets masked
 * @param configSpec the keys it accepts (name, type, required, default, secret, description)
 * @param enabled    false when an admin disabled the plugin through the API (it stays DISABLED until enabled)
 * @param disabledBy who disabled it through the API, or null while {@code enabled}
 * @param disabledAt when, or null while {@code enabled}
 * @param publicUrl  the base URL its HTTP endpoints (webhooks, the tracker script) are reached at from outside:
 *                   {@code atrium.public-url}, or null when that is not set (a console then uses its own address)
 */
public record PluginView(String id, String version, PluginState state, String error, String file,
                         String description, String provider, Instant since, List<String> routes,
                         List<String> components, List<String> channels, Map<String, Object> config,
                         List<Map<String, Object>> configSpec, boolean enabled, String disabledBy,
                         Instant disabledAt, String publicUrl) {
}
