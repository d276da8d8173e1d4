-- Up Migration

-- Organisation seals applied at a service's request on a file that no document of the documents service holds
-- (the reporting service's monthly report of an agency, sent to the Sở KH&CN). Every seal is recorded: which
-- service asked, for which agency, what it sealed (the subject, e.g. the month) and the bytes before and after.
CREATE TABLE service_seals (
  id                 uuid        PRIMARY KEY,
  agency_code        text        NOT NULL,
  service            text        NOT NULL,
  kind               text        NOT NULL,
  subject            text        NOT NULL,
  level              text        NOT NULL,
  input_sha256       text        NOT NULL CHECK (input_sha256 ~ '^[0-9a-f]{64}$'),
  sha256             text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  certificate_sha256 text        NOT NULL,
  key_id_hex         text        NOT NULL,
  signed_at          timestamptz NOT NULL
);
CREATE INDEX service_seals_by_agency ON service_seals (agency_code, kind, subject);
