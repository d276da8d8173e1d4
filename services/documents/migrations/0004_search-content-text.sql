-- Up Migration

-- Accent-folded text extracted from the current PDF version, filled off the request path;
-- text_version says which version it came from (NULL: not yet extracted).
ALTER TABLE documents ADD COLUMN content_text text NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN text_version integer;
DROP INDEX documents_search_trgm;
CREATE INDEX documents_search_trgm ON documents USING gin ((search_text || ' ' || content_text) gin_trgm_ops);
CREATE INDEX documents_text_pending ON documents (created_at) WHERE text_version IS NULL;

-- Down Migration
-- Forward-only.
