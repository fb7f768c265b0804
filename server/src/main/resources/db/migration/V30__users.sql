-- Console and API users kept by the hub itself (LDAP users are not stored: their role comes from
-- their directory groups at each sign-in). Passwords are stored only as Spring Security
-- DelegatingPasswordEncoder hashes ("{bcrypt}$2a$...").
CREATE TABLE users (
    username       TEXT        PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
    password_hash  TEXT        NOT NULL,
    role           TEXT        NOT NULL CHECK (role IN ('admin', 'integrator', 'marketer', 'viewer')),
    display_name   TEXT,
    enabled        BOOLEAN     NOT NULL DEFAULT true,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login_at  TIMESTAMPTZ
);
