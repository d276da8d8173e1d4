-- Up Migration

-- Projections built only from events. Each event writes only the columns (or rows) it owns, so
-- the result does not depend on the order in which topics are read: a rebuild from offset 0, a
-- duplicate or a late event from another topic gives the same tables.

-- One fact per document (documents topic): direction, form, registration, issue and recall.
ALTER TABLE document_facts
  ALTER COLUMN direction DROP NOT NULL,
  ALTER COLUMN created_at DROP NOT NULL,
  ALTER COLUMN event_id DROP NOT NULL,
  ADD COLUMN subject text,
  ADD COLUMN created_by text,
  ADD COLUMN type_code text,
  -- No event carries the drafting unit yet; kept so per-unit reports need no new table.
  ADD COLUMN unit_code text,
  -- electronic, paper (a printed copy) or digitised (a scanned paper original).
  ADD COLUMN form text NOT NULL DEFAULT 'electronic' CHECK (form IN ('electronic', 'paper', 'digitised')),
  ADD COLUMN copy_kind text,
  ADD COLUMN copy_source_document_id uuid,
  ADD COLUMN notation text,
  ADD COLUMN urgency text,
  ADD COLUMN registered_at timestamptz,
  ADD COLUMN issued_at timestamptz,
  ADD COLUMN issued_version integer,
  ADD COLUMN issued_by text,
  ADD COLUMN recalled_at timestamptz,
  ADD COLUMN recall_status text;
CREATE INDEX document_facts_by_agency_issued ON document_facts (agency_code, issued_at) WHERE issued_at IS NOT NULL;

-- Every signature applied to a document (signing topic), with the version holding it: the
-- signatures a document carries at issue are those held by a version up to the issued one.
CREATE TABLE signature_facts (
  signature_id        uuid        PRIMARY KEY,
  document_id         uuid        NOT NULL,
  agency_code         text        NOT NULL,
  kind                text        NOT NULL,
  level               text        NOT NULL,
  signed_version      integer     NOT NULL,
  version             integer     NOT NULL,
  signer_user_id      text,
  certificate_sha256  text        NOT NULL,
  certificate_subject text        NOT NULL,
  authority_prefix    text,
  signed_at           timestamptz NOT NULL
);
CREATE INDEX signature_facts_by_document ON signature_facts (document_id, version);
CREATE INDEX signature_facts_by_agency ON signature_facts (agency_code, signed_at);

-- The latest validation of each document version (signing topic).
CREATE TABLE validation_facts (
  document_id        uuid        NOT NULL,
  version            integer     NOT NULL,
  agency_code        text        NOT NULL,
  verdict            text        NOT NULL,
  signatures_total   integer     NOT NULL,
  signatures_passed  integer     NOT NULL,
  report_id          uuid        NOT NULL,
  validated_at       timestamptz NOT NULL,
  PRIMARY KEY (document_id, version)
);

-- Certificates per person (signing topic): registered, activated, and later unregistered,
-- reassigned or suspended once those events exist.
CREATE TABLE certificate_facts (
  certificate_id  uuid        PRIMARY KEY,
  agency_code     text        NOT NULL,
  user_id         text        NOT NULL,
  sha256          text,
  subject         text,
  not_after       timestamptz,
  registered_at   timestamptz,
  activated_at    timestamptz,
  activated_by    text,
  ended_at        timestamptz,
  ended_reason    text
);
CREATE INDEX certificate_facts_by_agency ON certificate_facts (agency_code, user_id);

-- Processes and tasks (routing topic): deadlines and outcomes for the on-time rates and the
-- NĐ 30/2020 Phụ lục IV processing reports.
CREATE TABLE process_facts (
  process_id    uuid        PRIMARY KEY,
  agency_code   text        NOT NULL,
  kind          text,
  document_id   uuid,
  started_at    timestamptz,
  started_by    text,
  urgency       text,
  due_at        timestamptz,
  completed_at  timestamptz,
  outcome       text,
  on_time       boolean,
  returned_count integer    NOT NULL DEFAULT 0
);
CREATE INDEX process_facts_by_agency ON process_facts (agency_code, completed_at);
CREATE INDEX process_facts_by_document ON process_facts (document_id);

CREATE TABLE task_facts (
  task_id          uuid        PRIMARY KEY,
  process_id       uuid,
  agency_code      text        NOT NULL,
  step             text,
  document_id      uuid,
  assignee_user_id text,
  assignee_unit    text,
  assigned_at      timestamptz,
  due_at           timestamptz,
  completed_at     timestamptz,
  on_time          boolean,
  overdue_at       timestamptz
);
CREATE INDEX task_facts_by_agency ON task_facts (agency_code, due_at);

-- Consultations (lấy ý kiến): opened, answered, closed, with their deadline.
CREATE TABLE consultation_facts (
  consultation_id uuid        PRIMARY KEY,
  agency_code     text        NOT NULL,
  document_id     uuid,
  opened_at       timestamptz,
  due_at          timestamptz,
  answers         integer     NOT NULL DEFAULT 0,
  answers_on_time integer     NOT NULL DEFAULT 0,
  closed_at       timestamptz
);
CREATE INDEX consultation_facts_by_agency ON consultation_facts (agency_code, opened_at);

-- Exchanges through the hub (exchange topic), per document and direction.
CREATE TABLE exchange_facts (
  exchange_id        uuid        PRIMARY KEY,
  agency_code        text        NOT NULL,
  document_id        uuid,
  direction          text        NOT NULL CHECK (direction IN ('sent', 'received')),
  hub                text,
  edxml_document_id  text,
  at                 timestamptz,
  last_status_code   text,
  last_status_at     timestamptz
);
CREATE INDEX exchange_facts_by_document ON exchange_facts (document_id);

-- Down Migration
-- Forward-only.
