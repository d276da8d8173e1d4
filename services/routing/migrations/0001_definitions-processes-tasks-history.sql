-- Up Migration

-- Process definitions are data (BPMN vocabulary, JSON), versioned per agency and kind. A row with
-- agency_code NULL is the shipped default of its kind; an agency's own rows override it.
CREATE TABLE process_definitions (
  id          uuid        PRIMARY KEY,
  agency_code text,
  kind        text        NOT NULL CHECK (kind IN ('outgoing', 'incoming', 'submission')),
  version     integer     NOT NULL CHECK (version >= 1),
  definition  jsonb       NOT NULL,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX process_definitions_version ON process_definitions (coalesce(agency_code, ''), kind, version);

-- A running instance keeps the definition version it started with (definition_id never changes).
CREATE TABLE processes (
  id                 uuid        PRIMARY KEY,
  agency_code        text        NOT NULL,
  kind               text        NOT NULL,
  definition_id      uuid        NOT NULL REFERENCES process_definitions (id),
  definition_version integer     NOT NULL,
  document_id        uuid        NOT NULL,
  state              text        NOT NULL CHECK (state IN ('active', 'completed', 'cancelled')),
  outcome            text,
  urgency            text,
  variables          jsonb       NOT NULL DEFAULT '{}',
  joins              jsonb       NOT NULL DEFAULT '{}',
  -- The latest version routing knows of, and the latest version whose content was uploaded (not a
  -- signature added on top): signatures placed before that upload no longer vouch for the content.
  document_version   integer     NOT NULL,
  content_version    integer     NOT NULL,
  started_by         text        NOT NULL,
  started_unit       text,
  started_at         timestamptz NOT NULL,
  completed_at       timestamptz,
  due_at             timestamptz
);
CREATE INDEX processes_by_document ON processes (document_id) WHERE state = 'active';
CREATE INDEX processes_by_agency ON processes (agency_code, started_at);

CREATE TABLE tasks (
  id                uuid        PRIMARY KEY,
  process_id        uuid        NOT NULL REFERENCES processes (id),
  agency_code       text        NOT NULL,
  step              text        NOT NULL,
  name              text        NOT NULL,
  state             text        NOT NULL CHECK (state IN ('open', 'claimed', 'completed', 'returned', 'cancelled')),
  assignee_user_id  text,
  assignee_role     text,
  assignee_unit     text,
  owner_user_id     text,
  document_id       uuid        NOT NULL,
  document_version  integer     NOT NULL,
  signature_kind    text,
  actions           text[]      NOT NULL,
  priority          integer     NOT NULL DEFAULT 0,
  urgent            boolean     NOT NULL DEFAULT false,
  distribution_role text        CHECK (distribution_role IN ('lead', 'cooperate', 'inform')),
  direction         text,
  instance_key      text,
  due_at            timestamptz,
  created_at        timestamptz NOT NULL,
  completed_at      timestamptz,
  completed_by      text,
  outcome           jsonb,
  progress          jsonb       NOT NULL DEFAULT '[]'
);
-- The inbox: a person's own tasks, and the tasks of their role in their unit that nobody claimed yet.
CREATE INDEX tasks_inbox_user ON tasks (agency_code, assignee_user_id, state, due_at, id);
CREATE INDEX tasks_inbox_role ON tasks (agency_code, assignee_role, assignee_unit, state, due_at, id)
  WHERE assignee_user_id IS NULL;
CREATE INDEX tasks_by_process ON tasks (process_id, state);

-- Signatures signing reported on this process's document (initials, approval, seal), by step.
CREATE TABLE process_signatures (
  signature_id     uuid        PRIMARY KEY,
  process_id       uuid        NOT NULL REFERENCES processes (id),
  task_id          uuid        NOT NULL REFERENCES tasks (id),
  step             text        NOT NULL,
  kind             text        NOT NULL,
  signer_user_id   text,
  signed_version   integer     NOT NULL,
  content_version  integer     NOT NULL,
  version          integer     NOT NULL,
  authority_prefix text,
  signed_at        timestamptz NOT NULL
);
CREATE INDEX process_signatures_by_process ON process_signatures (process_id, step);

-- Audit (NĐ 30/2020 Phụ lục VI): every transition, comment, return reason, delegation and signature
-- reference, append-only and hash-chained per process (each row carries the previous row's hash).
CREATE TABLE process_history (
  process_id    uuid        NOT NULL REFERENCES processes (id),
  seq           integer     NOT NULL CHECK (seq >= 1),
  at            timestamptz NOT NULL,
  actor         text        NOT NULL,
  action        text        NOT NULL,
  task_id       uuid,
  step          text,
  detail        jsonb       NOT NULL,
  previous_hash text        NOT NULL,
  hash          text        NOT NULL,
  PRIMARY KEY (process_id, seq)
);

CREATE FUNCTION process_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'process_history is append-only';
END
$$;
CREATE TRIGGER process_history_no_update BEFORE UPDATE OR DELETE ON process_history
  FOR EACH ROW EXECUTE FUNCTION process_history_append_only();

-- Down Migration
-- Forward-only.
