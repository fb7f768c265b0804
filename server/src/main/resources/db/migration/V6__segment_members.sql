-- Who is in which segment now, kept current by the segment stage (docs/segments.md).
CREATE TABLE segment_members (
    segment_id  BIGINT      NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    profile_id  BIGINT      NOT NULL,
    entered_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (segment_id, profile_id)
);
CREATE INDEX segment_members_profile ON segment_members (profile_id);
