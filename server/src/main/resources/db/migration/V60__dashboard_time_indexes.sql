-- The dashboard's per-minute series (GET /api/v1/dashboard) read only the newest rows of two
-- append-mostly tables. BRIN indexes on the time a row was written make "rows since T" cheap
-- however many millions of rows the tables hold, and cost almost nothing on insert (a summary per
-- 32 pages, not an entry per row). Rows are written with now(), so the physical order follows the
-- time; ranges not summarized yet (the newest) are always read, which is exactly what the
-- dashboard wants.
CREATE INDEX IF NOT EXISTS events_stored_at_brin ON events USING brin (stored_at)
    WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX IF NOT EXISTS message_statuses_recorded_at_brin ON message_statuses USING brin (recorded_at)
    WITH (pages_per_range = 32, autosummarize = on);
