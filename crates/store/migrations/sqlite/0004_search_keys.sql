-- The FTS5 row of a document gets a stable integer key, so replacing it is a rowid lookup.
-- Deleting by the UNINDEXED doc_id column scanned the whole index on every publish.
CREATE TABLE search_keys (
    key INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE REFERENCES documents (id)
);
INSERT INTO search_keys (doc_id) SELECT id FROM documents ORDER BY id;

CREATE VIRTUAL TABLE doc_search_keyed USING fts5 (doc_id UNINDEXED, title, body);
INSERT INTO doc_search_keyed (rowid, doc_id, title, body)
    SELECT k.key, s.doc_id, s.title, s.body FROM doc_search s JOIN search_keys k ON k.doc_id = s.doc_id;
DROP TABLE doc_search;
ALTER TABLE doc_search_keyed RENAME TO doc_search;
INSERT INTO doc_search (doc_search, rank) VALUES ('rank', 'bm25(0.0, 5.0, 1.0)');
