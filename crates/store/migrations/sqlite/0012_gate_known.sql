-- Whether a revision's review gate was computed: revisions stored before the gate existed
-- (0009 gave them an empty one) have it computed from their content the first time a
-- review reads it, rather than passing as if they had no findings.
ALTER TABLE revisions ADD COLUMN gate_known INTEGER NOT NULL DEFAULT 0;
