-- The rendered side panel of a revision's page (contents and findings), stored at publish
-- so a page view is one query and no parsing.
ALTER TABLE revisions ADD COLUMN aside TEXT NOT NULL DEFAULT '';
