-- Up Migration

-- The first summary routing asked documents to store for a consultation, kept (on a connection of its own that commits
-- at once) before documents is called: what the summary said (the input it was written from) and nothing stored yet.
-- A close that crashed after documents stored that summary but before its id was recorded here writes the same bytes
-- again from this row and sends them under the same Idempotency-Key (one per consultation), so documents answers with
-- the document it stored instead of making a second one; the id is recorded when documents answers.
ALTER TABLE consultation_summary_documents ALTER COLUMN document_id DROP NOT NULL;
ALTER TABLE consultation_summary_documents ADD COLUMN first_summary jsonb;
