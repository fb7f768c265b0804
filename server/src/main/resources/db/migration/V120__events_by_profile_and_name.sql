-- Segment rules' event conditions ask "does this person have an event named X (in a window)?":
-- SegmentSql matches an event by coalesce(event, type) (a track's name, else its type: page,
-- identify, ...). With only events_profile_time every one of the person's events was read from the
-- heap to compare its name; with the name in the key a person without such an event costs one
-- index probe and no heap page, and a window on the timestamp is a range of the same index.
-- One more index entry per stored event (about the size of events_profile_time).
CREATE INDEX IF NOT EXISTS events_profile_name_time ON events (profile_id, (coalesce(event, type)), timestamp);
