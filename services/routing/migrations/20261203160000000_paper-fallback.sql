-- Up Migration

-- Incident mode (sự cố) of an agency's system: docs/domain/directives.md, Ngã Năm Điều 8.5c lets the records office
-- issue on paper "when the software fails" and issue the digitised copy afterwards (TT 01/2019 Điều 11.2). An
-- administrator declares it with its start and reason and ends it; one incident of an agency is open at a time.
CREATE TABLE incidents (
  id           uuid        PRIMARY KEY,
  agency_code  text        NOT NULL,
  reason       text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz,
  declared_by  text        NOT NULL,
  declared_at  timestamptz NOT NULL,
  ended_by     text,
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (agency_code) WHERE ended_at IS NULL;
CREATE INDEX incidents_by_agency ON incidents (agency_code, started_at DESC);

-- A document the clerk issued on paper during an incident (one per process), the task that asks for its digitised
-- copy once the incident has ended, and the copy documents reported (copy.made, SY digitised from this document).
CREATE TABLE paper_issues (
  process_id           uuid        PRIMARY KEY REFERENCES processes (id),
  agency_code          text        NOT NULL,
  document_id          uuid        NOT NULL,
  incident_id          uuid        NOT NULL REFERENCES incidents (id),
  task_id              uuid        NOT NULL REFERENCES tasks (id),
  paper_notation       text        NOT NULL CHECK (length(paper_notation) BETWEEN 1 AND 100),
  note                 text        CHECK (note IS NULL OR length(note) <= 2000),
  issued_by            text        NOT NULL,
  issued_at            timestamptz NOT NULL,
  digitisation_task_id uuid        REFERENCES tasks (id),
  digitised_copy_id    uuid,
  digitised_at         timestamptz,
  CHECK ((digitised_copy_id IS NULL) = (digitised_at IS NULL))
);
CREATE INDEX paper_issues_by_incident ON paper_issues (incident_id);
CREATE INDEX paper_issues_by_document ON paper_issues (agency_code, document_id);
