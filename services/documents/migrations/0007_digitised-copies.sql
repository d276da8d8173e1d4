-- Up Migration

-- A digitised copy (paper → electronic, NĐ 30/2020 Điều 25.1) is made from a paper original that
-- need not be in the system: it is then described instead of referenced.
ALTER TABLE copies ALTER COLUMN source_document_id DROP NOT NULL;
ALTER TABLE copies ALTER COLUMN source_version DROP NOT NULL;
ALTER TABLE copies ADD COLUMN source_description text CHECK (char_length(source_description) <= 500);
ALTER TABLE copies ADD CONSTRAINT copies_have_a_source CHECK (source_document_id IS NOT NULL OR source_description IS NOT NULL);

-- Down Migration
-- Forward-only.
