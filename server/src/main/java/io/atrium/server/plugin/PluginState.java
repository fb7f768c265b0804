package io.atrium.server.plugin;

/** Where a plugin stands, as shown in {@code GET /api/v1/plugins}. */
public enum PluginState {
    /** Found in plugins/, not started yet (or waiting for its file to stop changing). */
    LOADING,
    /** Running: its routes, components and channels are live. */
    STARTED,
    /** Not running, with the reason in {@code error}: a bad zip or descriptor, bad configuration, a failed start, or superseded by a newer version. */
    DISABLED
}
