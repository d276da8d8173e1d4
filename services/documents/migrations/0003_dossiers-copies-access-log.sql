-- Up Migration

-- Hồ sơ công việc (NĐ 30/2020 Điều 28–31; Phụ lục VI mục III). A dossier belongs to the
-- yearly Danh mục hồ sơ of its agency; FileCode = OrganId + year + FileNotation.
CREATE TABLE dossiers (
  id            uuid        PRIMARY KEY,
  agency_code   text        NOT NULL,
  year          integer     NOT NULL CHECK (year BETWEEN 2000 AND 2999),
  file_notation text        NOT NULL CHECK (char_length(file_notation) BETWEEN 1 AND 20),
  title         text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  maintenance   text        NOT NULL CHECK (char_length(maintenance) BETWEEN 1 AND 30),
  rights        text        CHECK (char_length(rights) <= 30),
  creator       text        NOT NULL CHECK (char_length(creator) <= 30),
  language      text        NOT NULL DEFAULT 'Tiếng Việt' CHECK (char_length(language) <= 50),
  description   text        CHECK (char_length(description) <= 500),
  status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'handed-over')),
  start_date    date        NOT NULL,
  end_date      date,
  handover_due  date,
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_code, year, file_notation)
);

-- One document may sit in several dossiers without being copied (Phụ lục VI mục III.4).
CREATE TABLE dossier_documents (
  dossier_id  uuid        NOT NULL REFERENCES dossiers (id),
  document_id uuid        NOT NULL REFERENCES documents (id),
  ordinal     integer     NOT NULL CHECK (ordinal >= 1),
  added_by    text        NOT NULL,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, document_id),
  UNIQUE (dossier_id, ordinal)
);

-- Bản sao (NĐ 30/2020 Điều 25–27): numbered in the agency's one copy series per year.
CREATE TABLE copies (
  document_id        uuid        PRIMARY KEY REFERENCES documents (id),
  agency_code        text        NOT NULL,
  source_document_id uuid        NOT NULL REFERENCES documents (id),
  source_version     integer     NOT NULL,
  kind               text        NOT NULL,
  year               integer     NOT NULL,
  number             integer     NOT NULL,
  notation           text        NOT NULL,
  created_by         text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_code, year, number)
);

-- Who read, downloaded or printed which version, and when (Phụ lục VI mục III.5, III.6).
CREATE TABLE access_log (
  id          bigserial   PRIMARY KEY,
  agency_code text        NOT NULL,
  document_id uuid        NOT NULL REFERENCES documents (id),
  version     integer,
  action      text        NOT NULL CHECK (action IN ('read', 'download', 'print')),
  user_id     text        NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_log_by_document ON access_log (document_id, id);

CREATE TABLE saved_searches (
  id          uuid        PRIMARY KEY,
  agency_code text        NOT NULL,
  user_id     text        NOT NULL,
  name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  query       jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_code, user_id, name)
);

-- Down Migration
-- Forward-only.
