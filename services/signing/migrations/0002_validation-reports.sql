-- Up Migration

-- Validation reports. A report is cached by the SHA-256 of the validated bytes and the options
-- that change its outcome (revocation mode, policy); a document's report also records which
-- stored version it is about (NĐ 30/2020 Điều 21.2: incoming documents are checked for
-- authenticity and integrity on receipt, and the check is part of the record).
CREATE TABLE validation_reports (
  id            uuid        PRIMARY KEY,
  sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  options_key   text        NOT NULL,
  verdict       text        NOT NULL CHECK (verdict IN ('TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE')),
  report        jsonb       NOT NULL,
  validated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX validation_reports_by_content ON validation_reports (sha256, options_key, validated_at DESC);

CREATE TABLE document_validations (
  agency_code   text        NOT NULL,
  document_id   uuid        NOT NULL,
  version       integer     NOT NULL,
  sha256        text        NOT NULL,
  report_id     uuid        NOT NULL REFERENCES validation_reports (id),
  trigger       text        NOT NULL CHECK (trigger IN ('request', 'incoming')),
  validated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (document_id, version, sha256)
);
