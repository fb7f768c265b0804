-- Sources: named origins of events, each with its own write key (collector auth).
-- A revoked source keeps its row (events refer to its id); only active names must be unique,
-- so a name can be used again after its source was revoked.
CREATE TABLE sources (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL,
    write_key   TEXT        NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX sources_active_name ON sources (name) WHERE revoked_at IS NULL;
