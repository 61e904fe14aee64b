-- Login failures are purged by time, on a timer: the purge needs an index on time alone.
CREATE INDEX login_failures_at ON login_failures (at);

-- Browsers that signed in to an account before (the SHA-256 of a random cookie). While an
-- account is under attack from elsewhere, only these may keep trying its password.
CREATE TABLE known_devices (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id);

-- Service tokens name the spaces they may publish into (a comma-separated list; NULL for
-- tokens made before scopes, which keep publishing into public spaces) and whether the
-- status in a document's front matter stands when they publish it.
ALTER TABLE api_tokens ADD COLUMN spaces TEXT;
ALTER TABLE api_tokens ADD COLUMN trusted_status INTEGER NOT NULL DEFAULT 1;
