-- Notifications: an outbox written in the same transaction as the action it tells of,
-- sent by a worker (any hub instance; rows are claimed with a lease, and on PostgreSQL
-- with FOR UPDATE SKIP LOCKED, so two instances never send one row at once); every
-- attempt kept in a delivery log; outgoing webhooks per space; per-user e-mail opt-out.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    event TEXT NOT NULL,
    document_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    failed_at BIGINT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id BIGINT NOT NULL REFERENCES outbox (id),
    attempt INTEGER NOT NULL,
    at BIGINT NOT NULL,
    ok INTEGER NOT NULL,
    status INTEGER NOT NULL,
    error TEXT NOT NULL,
    millis BIGINT NOT NULL
);
CREATE INDEX deliveries_outbox ON deliveries (outbox_id);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    space TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_space ON webhooks (space);
ALTER TABLE users ADD COLUMN notify_email INTEGER NOT NULL DEFAULT 1;
