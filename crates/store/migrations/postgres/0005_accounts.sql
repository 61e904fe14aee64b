-- Accounts, sessions, roles (global and per space), private spaces, login throttling and
-- the audit log. Passwords are argon2id PHC strings; session secrets are stored as SHA-256.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE space_members (
    space TEXT NOT NULL REFERENCES spaces (name),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (space, user_id)
);

ALTER TABLE spaces ADD COLUMN private BIGINT NOT NULL DEFAULT 0;

-- A token created by a user acts as that user; one made with `designdoc token create`
-- (user_id NULL) is a service token that may publish into any space.
ALTER TABLE api_tokens ADD COLUMN user_id TEXT REFERENCES users (id);

CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at);
