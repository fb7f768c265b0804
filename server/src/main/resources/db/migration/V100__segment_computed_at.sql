-- When a segment's members were last brought in line with its rule over everyone. NULL while a new or
-- edited rule has not been computed yet: a broadcast to it computes it first, and a hub that starts
-- computes every segment left NULL (a node stopped before its background computation ran).
-- Segments from before this column start NULL, so the first start after the upgrade checks them once.
ALTER TABLE segments ADD COLUMN computed_at TIMESTAMPTZ;
