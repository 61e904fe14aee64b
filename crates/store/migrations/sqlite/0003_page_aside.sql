-- The rendered side panel of a revision's page (contents and findings), stored at publish
-- so a page view is one query and no parsing.
ALTER TABLE revisions ADD COLUMN aside TEXT NOT NULL DEFAULT '';

-- `ORDER BY rank` ranks with the same weights as before (title 5x body), so search can
-- take the top matches inside FTS5 before joining documents.
INSERT INTO doc_search (doc_search, rank) VALUES ('rank', 'bm25(0.0, 5.0, 1.0)');
