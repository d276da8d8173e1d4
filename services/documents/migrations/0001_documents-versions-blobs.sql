-- Up Migration

-- Content blobs are content-addressed (SHA-256) files on disk; this row exists only after the
-- file was written and fsynced, so no row ever points at nothing.
CREATE TABLE blobs (
  sha256      text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes  bigint      NOT NULL CHECK (size_bytes >= 0),
  media_type  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  id              uuid        PRIMARY KEY,
  agency_code     text        NOT NULL,
  direction       text        NOT NULL CHECK (direction IN ('outgoing', 'incoming', 'internal')),
  subject         text        NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 500),
  metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status          text        NOT NULL DEFAULT 'draft',
  current_version integer     NOT NULL,
  created_by      text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_by_agency ON documents (agency_code, created_at DESC, id DESC);

-- Every upload or signature adds an immutable version; versions are never updated.
CREATE TABLE document_versions (
  document_id uuid        NOT NULL REFERENCES documents (id),
  version     integer     NOT NULL CHECK (version >= 1),
  sha256      text        NOT NULL REFERENCES blobs (sha256),
  media_type  text        NOT NULL,
  size_bytes  bigint      NOT NULL,
  file_name   text,
  kind        text        NOT NULL DEFAULT 'upload',
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (document_id, version)
);

-- Down Migration
-- Forward-only.
