-- Fewer rows and index entries per campaign message (docs/campaigns.md, "How a broadcast is written"),
-- and the record the outbound sweeper works from (docs/messages.md, "Messages that never reached the queue").

-- The campaign stats read journey_log by campaign only for these three kinds; "entered", "sent" and
-- "exited" (two or three lines per journey) need no entry in this index. The trace reads by journey.
DROP INDEX IF EXISTS journey_log_campaign;
CREATE INDEX journey_log_campaign ON journey_log (campaign_id, step_id, kind)
    WHERE kind IN ('skipped', 'fell_back', 'deferred');

-- Ids committed to PostgreSQL whose trip to the channel's outbound queue is not confirmed yet: one row per
-- batch of queued messages, written in the transaction that inserts them and deleted, under a row lock,
-- once the broker committed their ids. A row left behind (a node killed between the two commits) and no
-- longer locked is what the sweeper re-queues.
CREATE TABLE message_enqueues (
    id          BIGSERIAL   PRIMARY KEY,
    message_ids TEXT[]      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Nothing reads a journey_log line by its id alone (the trace reads a journey's lines through
-- journey_log_journey, in id order): no primary key index, one index entry less per line. And no foreign
-- key to journeys, whose check cost an index probe per line and, for the lines a broadcast writes with
-- its journeys, a lock written into each new journey row; a deleted journey's lines (a campaign deleted,
-- a person erased or merged) are deleted by this trigger instead of the cascade.
ALTER TABLE journey_log DROP CONSTRAINT IF EXISTS journey_log_pkey;
ALTER TABLE journey_log DROP CONSTRAINT IF EXISTS journey_log_journey_id_fkey;
CREATE FUNCTION journey_log_of_deleted_journey() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM journey_log WHERE journey_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER journeys_delete_log AFTER DELETE ON journeys FOR EACH ROW EXECUTE FUNCTION journey_log_of_deleted_journey();
