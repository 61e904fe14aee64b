-- Filters by author and tag, the component/entity registers and findings per revision,
-- and API tokens (stored as SHA-256 hashes; the token itself is shown once).
CREATE TABLE document_labels (
    document_id TEXT NOT NULL REFERENCES documents (id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (document_id, kind, value)
);
CREATE INDEX document_labels_value ON document_labels (kind, value);

CREATE TABLE components (
    revision_id BIGINT NOT NULL REFERENCES revisions (id),
    ordinal BIGINT NOT NULL,
    name TEXT NOT NULL,
    anchor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    PRIMARY KEY (revision_id, ordinal)
);

CREATE TABLE entities (
    revision_id BIGINT NOT NULL REFERENCES revisions (id),
    ordinal BIGINT NOT NULL,
    name TEXT NOT NULL,
    defined BIGINT NOT NULL,
    PRIMARY KEY (revision_id, ordinal)
);

CREATE TABLE findings (
    revision_id BIGINT NOT NULL REFERENCES revisions (id),
    code TEXT NOT NULL,
    level TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (revision_id, code, level)
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX documents_updated ON documents (updated_at);

-- The rendered page of a revision and the renderer version that made it (re-rendered
-- lazily when the renderer changes).
ALTER TABLE revisions ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN renderer TEXT NOT NULL DEFAULT '';
