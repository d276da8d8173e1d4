-- Up Migration

-- Báo cáo hằng tháng (docs/domain/directives.md, Đà Nẵng §1đ): each agency's report of a month as it was sent to the
-- report collector, every revision kept (an agency may re-submit after correcting its data); the PDF is stored so
-- the collector reads what was sent, not a report recomputed later.
CREATE TABLE report_submissions (
  agency_code         text        NOT NULL,
  month               text        NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  revision            integer     NOT NULL CHECK (revision >= 1),
  trigger             text        NOT NULL CHECK (trigger IN ('scheduled', 'agency')),
  submitted_by        text,
  submitted_at        timestamptz NOT NULL,
  definitions_version text        NOT NULL,
  report              jsonb       NOT NULL,
  pdf                 bytea       NOT NULL,
  sha256              text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (agency_code, month, revision),
  CHECK ((trigger = 'scheduled') = (submitted_by IS NULL))
);
-- The month-start job submits an agency's month at most once, whatever the replicas and restarts.
CREATE UNIQUE INDEX report_submissions_scheduled_once ON report_submissions (agency_code, month)
  WHERE trigger = 'scheduled';
CREATE INDEX report_submissions_by_month ON report_submissions (month, agency_code);

-- One row per month-start run: the replica that holds the row (FOR UPDATE SKIP LOCKED) submits the next agency; a
-- restart resumes with the agencies not yet submitted; completed_at ends the run.
CREATE TABLE submission_runs (
  month        text        PRIMARY KEY CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  due_on       date        NOT NULL,
  started_at   timestamptz NOT NULL,
  completed_at timestamptz,
  submitted    integer     NOT NULL DEFAULT 0
);
