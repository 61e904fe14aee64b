-- designdoc hub schema, PostgreSQL.
CREATE TABLE spaces (
    name TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    space TEXT NOT NULL REFERENCES spaces (name),
    path TEXT NOT NULL,
    doc_key TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    authors TEXT NOT NULL,
    tags TEXT NOT NULL,
    current_revision BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (space, path)
);

CREATE TABLE revisions (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    number BIGINT NOT NULL,
    content TEXT NOT NULL,
    hash TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    front_matter TEXT NOT NULL,
    findings TEXT NOT NULL,
    UNIQUE (document_id, number)
);

CREATE TABLE sections (
    revision_id BIGINT NOT NULL REFERENCES revisions (id),
    ordinal BIGINT NOT NULL,
    level BIGINT NOT NULL,
    title TEXT NOT NULL,
    anchor TEXT NOT NULL,
    PRIMARY KEY (revision_id, ordinal)
);

CREATE TABLE risks (
    revision_id BIGINT NOT NULL REFERENCES revisions (id),
    ordinal BIGINT NOT NULL,
    risk TEXT NOT NULL,
    impact TEXT NOT NULL,
    likelihood TEXT NOT NULL,
    mitigation TEXT NOT NULL,
    PRIMARY KEY (revision_id, ordinal)
);

CREATE INDEX documents_status ON documents (status);

ALTER TABLE documents ADD COLUMN search TSVECTOR;
CREATE INDEX documents_search ON documents USING GIN (search);
