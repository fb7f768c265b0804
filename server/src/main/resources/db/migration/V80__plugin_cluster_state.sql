-- What every hub node of a cluster must agree on about plugins (docs/plugins.md#state-shared-by-the-cluster).

-- A plugin's small durable state (ConnectorContext.state()): key -> JSON, with a version for compare-and-set.
CREATE TABLE plugin_state (
    plugin_id  TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    value      JSONB       NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by TEXT        NOT NULL,
    CONSTRAINT plugin_state_pk PRIMARY KEY (plugin_id, key)
);

-- Leases (ConnectorContext.lease(name)): at most one node runs a plugin's poller at a time.
CREATE TABLE plugin_leases (
    plugin_id   TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    holder      TEXT        NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT plugin_leases_pk PRIMARY KEY (plugin_id, name)
);

-- Plugins an admin disabled through the API (was data/plugins-disabled.json on each node).
CREATE TABLE plugins_disabled (
    plugin_id   TEXT        NOT NULL PRIMARY KEY,
    disabled_by TEXT        NOT NULL,
    disabled_at TIMESTAMPTZ NOT NULL
);
