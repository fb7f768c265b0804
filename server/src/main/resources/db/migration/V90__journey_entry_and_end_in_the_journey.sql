-- A journey's entry and end are its own row's (entered_at and entry_detail, ended_at and end_reason);
-- the trace shows them as its first and last lines (docs/campaigns.md). The log keeps only the
-- decisions in between: a broadcast to a million people writes a million rows fewer at launch and a
-- million fewer as its journeys end.
ALTER TABLE journeys ADD COLUMN entry_detail TEXT;

UPDATE journeys j SET entry_detail = l.detail
FROM journey_log l
WHERE l.journey_id = j.id AND l.kind = 'entered';

DELETE FROM journey_log WHERE kind IN ('entered', 'exited');
