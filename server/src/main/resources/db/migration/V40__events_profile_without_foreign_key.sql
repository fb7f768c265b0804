-- events.profile_id no longer has a foreign key to profiles. The check cost about 40 µs per stored
-- event (an index probe of profiles and a share lock on the profile row, for every row of every
-- batch), the largest single cost of storing an event after the row itself. It guarded nothing the
-- writers do not already guarantee: events are written only by the profile stage, which holds the
-- row locks of every profile a batch writes to (FOR UPDATE, in id order) for its whole transaction,
-- and the three statements that delete a profile move or delete its events first under that same
-- row lock (a merge moves them to the winner, an unmerge moves them back, an erasure deletes them).
-- ProfileStoreIT and ProfileConcurrencyIT check that no event is left pointing at a missing profile.
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_profile_id_fkey;
