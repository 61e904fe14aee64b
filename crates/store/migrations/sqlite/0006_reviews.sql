-- The review workflow. Verdicts and review requests belong to one revision, so a new
-- revision leaves earlier approvals behind (stale) without rewriting them.
CREATE TABLE review_requests (
    document_id TEXT NOT NULL REFERENCES documents (id),
    revision BIGINT NOT NULL,
    reviewer TEXT NOT NULL REFERENCES users (id),
    requested_by TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (document_id, revision, reviewer)
);

CREATE TABLE verdicts (
    document_id TEXT NOT NULL REFERENCES documents (id),
    revision BIGINT NOT NULL,
    reviewer TEXT NOT NULL REFERENCES users (id),
    verdict TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (document_id, revision, reviewer)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents (id),
    revision BIGINT NOT NULL,
    anchor TEXT NOT NULL,
    parent_id BIGINT REFERENCES comments (id),
    author TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT REFERENCES users (id)
);
CREATE INDEX comments_document ON comments (document_id, id);

-- What approval needs in a space; a space without a row gets the defaults in code.
CREATE TABLE space_policies (
    space TEXT PRIMARY KEY REFERENCES spaces (name),
    required_approvals BIGINT NOT NULL,
    block_on_errors BIGINT NOT NULL
);
