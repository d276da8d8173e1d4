-- Up Migration

-- Pages of the document version filed, so a dossier's PageTotal (Phụ lục VI mục III.10) is
-- filled by the system.
ALTER TABLE dossier_documents ADD COLUMN pages integer NOT NULL DEFAULT 0 CHECK (pages >= 0);

-- Down Migration
-- Forward-only.
