-- Up Migration

-- Recall, update and replace requests (BussinessDocType 1/2/3) wait for the clerk's answer; a received
-- document the clerk returned (status 02) is kept with its reason.
ALTER TABLE exchanges DROP CONSTRAINT exchanges_state_check;
ALTER TABLE exchanges ADD CONSTRAINT exchanges_state_check
  CHECK (state IN ('queued', 'sent', 'failed', 'received', 'rejected', 'returned', 'awaiting-answer', 'answered'));
-- The exchange a recall, update or replacement is about (the original document's exchange).
ALTER TABLE exchanges ADD COLUMN related_exchange_id uuid REFERENCES exchanges (id);
-- The clerk's answer to a recall, update or replacement (15 agree, 16 refuse) and the reason.
ALTER TABLE exchanges ADD COLUMN answer jsonb;
CREATE INDEX exchanges_by_document ON exchanges (agency_code, document_id) WHERE document_id IS NOT NULL;

-- A status (03 registered, 04 assigned, ...) or a recall is queued once per exchange however often the event
-- driving it is delivered: the job carries a key that is unique while set.
ALTER TABLE hub_jobs ADD COLUMN dedupe_key text;
CREATE UNIQUE INDEX hub_jobs_once ON hub_jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- The tasks routing opened for the lead (chủ trì) of a received document: their claim or completion is the
-- moment the document is being handled (05).
CREATE TABLE lead_tasks (
  task_id      uuid        PRIMARY KEY,
  exchange_id  uuid        NOT NULL REFERENCES exchanges (id),
  created_at   timestamptz NOT NULL
);

-- Down Migration
-- Forward-only.
