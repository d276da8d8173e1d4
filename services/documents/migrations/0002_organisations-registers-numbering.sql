-- Up Migration

-- The province's organisation directory, keyed by mã định danh (NĐ 30/2020 Phụ lục VI: OrganId
-- String(13)). Lookups are by code, never by name (docs/domain/requirements.md §7.20).
CREATE TABLE organisations (
  code         text        PRIMARY KEY CHECK (char_length(code) <= 13),
  name         text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  abbreviation text        NOT NULL CHECK (abbreviation ~ '^[A-ZĐ0-9]{1,20}$'),
  parent_code  text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Units (phòng ban) of an organisation; their abbreviation ends the ký hiệu of a công văn.
CREATE TABLE organisation_units (
  organisation_code text NOT NULL REFERENCES organisations (code),
  code              text NOT NULL,
  name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  abbreviation      text NOT NULL CHECK (abbreviation ~ '^[A-ZĐ0-9]{1,20}$'),
  PRIMARY KEY (organisation_code, code)
);

CREATE TABLE organisation_people (
  organisation_code text NOT NULL REFERENCES organisations (code),
  user_id           text NOT NULL,
  full_name         text NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 50),
  position          text CHECK (char_length(position) <= 100),
  unit_code         text,
  PRIMARY KEY (organisation_code, user_id)
);

-- Sổ đăng ký văn bản (NĐ 30/2020 Điều 15, 22): one number series per register and year.
CREATE TABLE registers (
  id          uuid        PRIMARY KEY,
  agency_code text        NOT NULL,
  name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  direction   text        NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  description text,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_code, name)
);

-- The last number given in a series and year. Incremented with an upsert that holds the row
-- lock until the registration commits: a rolled-back or crashed registration releases its
-- number with the rollback, so numbers never skip or repeat.
CREATE TABLE number_counters (
  series_key  text    NOT NULL,
  year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
  last_number integer NOT NULL CHECK (last_number >= 1),
  PRIMARY KEY (series_key, year)
);

CREATE TABLE registrations (
  document_id         uuid        PRIMARY KEY REFERENCES documents (id),
  agency_code         text        NOT NULL,
  register_id         uuid        NOT NULL REFERENCES registers (id),
  direction           text        NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  year                integer     NOT NULL,
  number              integer     NOT NULL CHECK (number >= 1),
  notation            text        NOT NULL,
  document_identifier text        NOT NULL,
  registered_at       timestamptz NOT NULL DEFAULT now(),
  registered_by       text        NOT NULL,
  UNIQUE (register_id, year, number)
);
-- NĐ 30/2020 Điều 15.1: số and ký hiệu are unique within a year for the documents an agency issues.
CREATE UNIQUE INDEX registrations_outgoing_notation ON registrations (agency_code, year, notation)
  WHERE direction = 'outgoing';
CREATE INDEX registrations_identifier ON registrations (agency_code, document_identifier);

ALTER TABLE documents ADD COLUMN type_code text;
-- Accent-folded text of the searchable fields (subject, number, notation, signer, PDF text),
-- written by the application with one normalisation (NFD, combining marks removed, đ→d, lower case).
ALTER TABLE documents ADD COLUMN search_text text NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN recall jsonb;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX documents_search_trgm ON documents USING gin (search_text gin_trgm_ops);

-- Down Migration
-- Forward-only.
