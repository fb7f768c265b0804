-- CSV exports of a segment's members (docs/segments.md): one row per job, so that every hub node
-- sees its progress. The file itself is under the data directory of the node that wrote it.
CREATE TABLE segment_exports (
    id          BIGSERIAL   PRIMARY KEY,
    segment_id  BIGINT      NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    state       TEXT        NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    rows        BIGINT      NOT NULL DEFAULT 0,
    total       BIGINT,
    node        TEXT        NOT NULL,
    file        TEXT,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    error       TEXT
);
CREATE INDEX segment_exports_segment ON segment_exports (segment_id, id);
