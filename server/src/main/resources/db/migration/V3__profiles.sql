-- Profile store: one profile per person, its identities, traits, consents and event history,
-- and a record of every merge with enough of the before-state to undo it. See docs/profiles.md.

CREATE TABLE profiles (
    id          BIGSERIAL   PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One identity belongs to one profile.
CREATE TABLE identities (
    id          BIGSERIAL   PRIMARY KEY,
    profile_id  BIGINT      NOT NULL REFERENCES profiles (id),
    type        TEXT        NOT NULL,
    value       TEXT        NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT identities_type_value UNIQUE (type, value)
);
CREATE INDEX identities_profile ON identities (profile_id);

-- The newest value by event time wins: (set_at, message_id) of the event that set it.
CREATE TABLE traits (
    profile_id  BIGINT      NOT NULL REFERENCES profiles (id),
    name        TEXT        NOT NULL,
    value       JSONB       NOT NULL,
    set_at      TIMESTAMPTZ NOT NULL,
    message_id  TEXT        NOT NULL,
    PRIMARY KEY (profile_id, name)
);

CREATE TABLE consents (
    profile_id  BIGINT      NOT NULL REFERENCES profiles (id),
    channel     TEXT        NOT NULL,
    purpose     TEXT        NOT NULL,
    granted     BOOLEAN     NOT NULL,
    set_at      TIMESTAMPTZ NOT NULL,
    message_id  TEXT        NOT NULL,
    PRIMARY KEY (profile_id, channel, purpose)
);

-- A second event with the same message_id is the same event.
CREATE TABLE events (
    id                  BIGSERIAL   PRIMARY KEY,
    message_id          TEXT        NOT NULL,
    profile_id          BIGINT      REFERENCES profiles (id),
    type                TEXT        NOT NULL,
    event               TEXT,
    name                TEXT,
    user_id             TEXT,
    anonymous_id        TEXT,
    group_id            TEXT,
    previous_id         TEXT,
    timestamp           TIMESTAMPTZ NOT NULL,
    original_timestamp  TIMESTAMPTZ,
    sent_at             TIMESTAMPTZ,
    received_at         TIMESTAMPTZ,
    stored_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    source              TEXT,
    traits              JSONB       NOT NULL DEFAULT '{}'::jsonb,
    properties          JSONB       NOT NULL DEFAULT '{}'::jsonb,
    context             JSONB       NOT NULL DEFAULT '{}'::jsonb,
    identities          JSONB       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT events_message_id UNIQUE (message_id)
);
CREATE INDEX events_profile_time ON events (profile_id, timestamp DESC, id DESC);

CREATE TABLE merges (
    id          BIGSERIAL   PRIMARY KEY,
    winner_id   BIGINT      NOT NULL,
    loser_id    BIGINT      NOT NULL,
    message_id  TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    before      JSONB       NOT NULL,
    undone_at   TIMESTAMPTZ,
    undone_by   TEXT
);
CREATE INDEX merges_winner ON merges (winner_id);
CREATE INDEX merges_loser ON merges (loser_id);

-- The events a merge moved from the loser to the winner, so an undo moves exactly those back.
CREATE TABLE merge_events (
    merge_id    BIGINT NOT NULL REFERENCES merges (id) ON DELETE CASCADE,
    event_id    BIGINT NOT NULL,
    PRIMARY KEY (merge_id, event_id)
);
