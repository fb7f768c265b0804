-- Failed sign-ins per user name, shared by every hub node (SignInThrottle): five within 10 minutes
-- lock the name for 5 minutes on all nodes. Rows older than the window are deleted as new ones come.
-- UNLOGGED: a PostgreSQL crash empties it, which only forgets recent failures.
CREATE UNLOGGED TABLE sign_in_failures (
    username TEXT        NOT NULL,
    at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_name ON sign_in_failures (username, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
