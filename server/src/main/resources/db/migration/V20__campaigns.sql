-- Campaigns, the journeys of the people in them, and a log of every decision. See docs/campaigns.md.

CREATE TABLE campaigns (
    id          TEXT        PRIMARY KEY,
    name        TEXT        NOT NULL,
    definition  JSONB       NOT NULL,
    state       TEXT        NOT NULL DEFAULT 'draft',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    launched_at TIMESTAMPTZ,
    next_run_at TIMESTAMPTZ
);

-- One person's way through one campaign. entry_key is the profile id, or profile and trigger when re-entry is allowed.
CREATE TABLE journeys (
    id              BIGSERIAL   PRIMARY KEY,
    campaign_id     TEXT        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    profile_id      BIGINT      NOT NULL,
    entry_key       TEXT        NOT NULL,
    state           TEXT        NOT NULL,
    step            INT         NOT NULL DEFAULT 0,
    cascade         INT         NOT NULL DEFAULT 0,
    message_id      TEXT,
    last_message_id TEXT,
    wait_until      TIMESTAMPTZ,
    waiting_event   TEXT,
    last_wait       TEXT,
    wake_at         TIMESTAMPTZ,
    trigger         JSONB       NOT NULL DEFAULT '{}'::jsonb,
    entered_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at        TIMESTAMPTZ,
    end_reason      TEXT,
    converted_at    TIMESTAMPTZ,
    CONSTRAINT journeys_entry UNIQUE (campaign_id, entry_key)
);
CREATE INDEX journeys_wake ON journeys (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX journeys_profile ON journeys (profile_id, campaign_id);
CREATE INDEX journeys_message ON journeys (message_id) WHERE message_id IS NOT NULL;

-- Why each person did or did not get each message: entered, sent, skipped, fell_back, deferred, waited, converted, exited.
CREATE TABLE journey_log (
    id          BIGSERIAL   PRIMARY KEY,
    journey_id  BIGINT      NOT NULL REFERENCES journeys (id) ON DELETE CASCADE,
    campaign_id TEXT        NOT NULL,
    profile_id  BIGINT      NOT NULL,
    step_id     TEXT,
    kind        TEXT        NOT NULL,
    channel     TEXT,
    message_id  TEXT,
    detail      TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX journey_log_journey ON journey_log (journey_id, id);
CREATE INDEX journey_log_campaign ON journey_log (campaign_id, step_id, kind);
