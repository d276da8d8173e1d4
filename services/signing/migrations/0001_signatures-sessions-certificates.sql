-- Up Migration

-- Certificates users register (chứng thư số cá nhân). A certificate belongs to exactly one
-- user: the directives forbid handing a certificate to another person.
CREATE TABLE certificates (
  id            uuid        PRIMARY KEY,
  agency_code   text        NOT NULL,
  user_id       text        NOT NULL,
  sha256        text        NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  der           bytea       NOT NULL,
  subject       text        NOT NULL,
  issuer        text        NOT NULL,
  serial_hex    text        NOT NULL,
  not_before    timestamptz NOT NULL,
  not_after     timestamptz NOT NULL,
  status        text        NOT NULL CHECK (status IN ('registered', 'active', 'revoked', 'deactivated')),
  registered_at timestamptz NOT NULL DEFAULT now(),
  activated_at  timestamptz,
  activated_by  text,
  revocation_checked_at timestamptz,
  revocation_status     text
);
CREATE INDEX certificates_by_user ON certificates (agency_code, user_id);

-- Every signature the service applied; the approval row of a version is what lets the seal
-- go on that exact version (NĐ 30/2020 Điều 32.2.d).
CREATE TABLE signatures (
  id                 uuid        PRIMARY KEY,
  agency_code        text        NOT NULL,
  document_id        uuid        NOT NULL,
  kind               text        NOT NULL CHECK (kind IN ('initial', 'approval', 'issue', 'attachment', 'copy', 'digitisation')),
  level              text        NOT NULL CHECK (level IN ('B-B', 'B-T', 'B-LT', 'B-LTA')),
  signed_version     integer     NOT NULL,
  version            integer     NOT NULL,
  sha256             text        NOT NULL,
  field_name         text        NOT NULL,
  signer_user_id     text,
  certificate_sha256 text        NOT NULL,
  certificate_subject text       NOT NULL,
  authority_prefix   text,
  key_id_hex         text,
  session_id         uuid,
  appearance         jsonb,
  -- Idempotency-Key of the request that applied it (server-side signing), so a repeat replays.
  idempotency_key    text,
  request_hash       text,
  signed_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (document_id, version),
  UNIQUE (agency_code, idempotency_key)
);
CREATE INDEX signatures_by_document ON signatures (agency_code, document_id, version);

-- Two-step signing: everything needed to finish after a restart is stored here.
CREATE TABLE signing_sessions (
  id           uuid        PRIMARY KEY,
  agency_code  text        NOT NULL,
  user_id      text        NOT NULL,
  kind         text        NOT NULL,
  level        text        NOT NULL,
  hash         text        NOT NULL,
  scheme       text        NOT NULL,
  certificate_sha256 text,
  status       text        NOT NULL CHECK (status IN ('prepared', 'completed', 'expired')),
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  result       jsonb
);

CREATE TABLE signing_session_items (
  session_id      uuid    NOT NULL REFERENCES signing_sessions (id),
  position        integer NOT NULL,
  document_id     uuid    NOT NULL,
  version         integer NOT NULL,
  field_name      text    NOT NULL,
  options         jsonb   NOT NULL,
  -- The prepared incremental update (ByteRange final, /Contents zero) and the signed attributes.
  prepared_update bytea   NOT NULL,
  prepared_meta   jsonb   NOT NULL,
  document_digest bytea   NOT NULL,
  signed_attributes bytea,
  outcome         text,
  result_version  integer,
  reason          text,
  PRIMARY KEY (session_id, position)
);

-- Handwritten-signature and seal images (PNG with alpha), checked on upload.
CREATE TABLE signature_images (
  id          uuid        PRIMARY KEY,
  agency_code text        NOT NULL,
  owner       text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('signature', 'seal', 'initial')),
  png         bytea       NOT NULL,
  width_px    integer     NOT NULL,
  height_px   integer     NOT NULL,
  width_mm    numeric,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
