-- Up Migration

-- An agency's amended copy of one calendar year (holidays, make-up working days, office hours).
-- Years without a row use the national data shipped with the service.
CREATE TABLE calendar_years (
  agency_code   text        NOT NULL,
  year          integer     NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  holidays      jsonb       NOT NULL,
  working_days  jsonb       NOT NULL,
  office_hours  jsonb       NOT NULL,
  updated_by    text        NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (agency_code, year)
);

-- Durable timers (reminders, deadlines, escalations, same-day SLA checks). A worker claims due rows
-- with FOR UPDATE SKIP LOCKED, runs the handler and marks the row fired in the same transaction, so a
-- timer fires once across replicas and survives restarts.
CREATE TABLE timers (
  id           uuid        PRIMARY KEY,
  agency_code  text        NOT NULL,
  task_id      uuid        NOT NULL,
  process_id   uuid        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('reminder', 'due', 'escalation', 'sla')),
  fire_at      timestamptz NOT NULL,
  payload      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  state        text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fired', 'cancelled', 'failed')),
  attempts     integer     NOT NULL DEFAULT 0,
  last_error   text,
  created_at   timestamptz NOT NULL,
  fired_at     timestamptz
);
CREATE INDEX timers_due ON timers (fire_at) WHERE state = 'pending';
CREATE INDEX timers_by_task ON timers (task_id) WHERE state = 'pending';

-- Certificate state as routing learns it from signing's certificate.* events (never from signing's tables).
CREATE TABLE certificate_projection (
  certificate_id  uuid        PRIMARY KEY,
  agency_code     text        NOT NULL,
  user_id         text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('registered', 'active', 'unregistered', 'suspended')),
  not_after       timestamptz,
  updated_at      timestamptz NOT NULL,
  last_event_id   text        NOT NULL
);
CREATE INDEX certificate_projection_by_user ON certificate_projection (agency_code, user_id);

CREATE TABLE certificate_gating (
  agency_code  text        PRIMARY KEY,
  gating_date  date        NOT NULL,
  updated_by   text        NOT NULL,
  updated_at   timestamptz NOT NULL
);

-- Written exceptions by the head of the agency (văn bản cho phép của người đứng đầu cơ quan).
CREATE TABLE certificate_exceptions (
  id                  uuid        PRIMARY KEY,
  agency_code         text        NOT NULL,
  user_id             text        NOT NULL,
  reference_document  text        NOT NULL,
  reference_document_id uuid,
  reason              text        NOT NULL,
  valid_from          timestamptz NOT NULL,
  valid_until         timestamptz,
  granted_by          text        NOT NULL,
  granted_at          timestamptz NOT NULL,
  revoked_by          text,
  revoked_at          timestamptz,
  CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX certificate_exceptions_by_user ON certificate_exceptions (agency_code, user_id);

-- Delegations of all of a person's tasks for a period (ủy quyền) and absences assigned by a leader.
CREATE TABLE delegations (
  id                 uuid        PRIMARY KEY,
  agency_code        text        NOT NULL,
  kind               text        NOT NULL CHECK (kind IN ('delegation', 'absence')),
  delegator_user_id  text        NOT NULL,
  delegate_user_id   text        NOT NULL CHECK (delegate_user_id <> delegator_user_id),
  role               text,
  valid_from         timestamptz NOT NULL,
  valid_until        timestamptz NOT NULL CHECK (valid_until > valid_from),
  reason             text        NOT NULL,
  created_by         text        NOT NULL,
  created_at         timestamptz NOT NULL,
  revoked_by         text,
  revoked_at         timestamptz
);
CREATE INDEX delegations_by_delegator ON delegations (agency_code, delegator_user_id, valid_from);
