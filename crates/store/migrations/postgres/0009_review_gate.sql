-- The review gate: the findings of a revision that are errors once it is in review,
-- computed once at publish (JSON list of {code, message, line, section, anchor}); a
-- verdict's reason; and every status change with who made it and why, for the doc page
-- and its history.
ALTER TABLE revisions ADD COLUMN gate TEXT NOT NULL DEFAULT '[]';
ALTER TABLE verdicts ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE TABLE status_changes (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    revision BIGINT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX status_changes_document ON status_changes (document_id, id);
