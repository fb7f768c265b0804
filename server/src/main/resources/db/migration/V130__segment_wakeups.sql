-- When time alone can next change a person's membership of a segment (an event leaves a window, a
-- "not followed by" window closes, a date operator's range moves): the segment stage re-checks that
-- person then, and writes the next moment. Written whenever the stage evaluates the person for a
-- segment whose rule depends on the clock; a moment that changes nothing only costs a re-check.
CREATE TABLE segment_wakeups (
    segment_id BIGINT      NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    profile_id BIGINT      NOT NULL,
    wake_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (segment_id, profile_id)
);
CREATE INDEX segment_wakeups_due ON segment_wakeups (wake_at);
