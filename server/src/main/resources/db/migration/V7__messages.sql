-- Outbound messages, their status history, and the templates they are rendered from. See docs/messages.md.

CREATE TABLE templates (
    id          TEXT        PRIMARY KEY,
    name        TEXT        NOT NULL,
    channel     TEXT        NOT NULL,
    subject     TEXT,
    text        TEXT        NOT NULL,
    html        TEXT,
    defaults    JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per message the hub was asked to send, sent or not (status failed, reason no_consent, ...).
CREATE TABLE messages (
    id                  TEXT        PRIMARY KEY,
    profile_id          BIGINT,
    channel             TEXT        NOT NULL,
    address_type        TEXT,
    address             TEXT,
    purpose             TEXT        NOT NULL,
    template_id         TEXT,
    campaign_id         TEXT,
    step_id             TEXT,
    dedupe_key          TEXT,
    subject             TEXT,
    body_text           TEXT,
    body_html           TEXT,
    links               JSONB       NOT NULL DEFAULT '[]'::jsonb,
    attributes          JSONB       NOT NULL DEFAULT '{}'::jsonb,
    status              TEXT        NOT NULL,
    reason              TEXT,
    detail              TEXT,
    provider_message_id TEXT,
    attempts            INT         NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT messages_dedupe_key UNIQUE (dedupe_key)
);
CREATE INDEX messages_profile ON messages (profile_id, created_at DESC);
CREATE INDEX messages_campaign ON messages (campaign_id, step_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX messages_provider ON messages (channel, provider_message_id) WHERE provider_message_id IS NOT NULL;

-- Every status a message went through, with the time it happened; report_id makes a redelivered report count once.
CREATE TABLE message_statuses (
    id          BIGSERIAL   PRIMARY KEY,
    message_id  TEXT        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    report_id   TEXT        NOT NULL,
    status      TEXT        NOT NULL,
    reason      TEXT,
    detail      TEXT,
    at          TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    attributes  JSONB       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT message_statuses_report UNIQUE (report_id)
);
CREATE INDEX message_statuses_message ON message_statuses (message_id, id);
