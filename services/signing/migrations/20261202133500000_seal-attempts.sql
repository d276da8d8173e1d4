-- A seal's signed bytes leave this service (documents stores them as the next version) before the signature row
-- commits here. A crash between the two used to make the client's retry, with the same Idempotency-Key, sign the
-- document a second time. The attempt is recorded, in its own committed statement, before documents is called;
-- a retry that finds it, and finds those exact bytes stored as a version, records the signature on that version
-- instead of signing again. The row is deleted in the transaction that records the signature.
CREATE TABLE seal_attempts (
  agency_code text NOT NULL,
  user_id text NOT NULL,
  idempotency_key text NOT NULL,
  document_id uuid NOT NULL,
  signed_sha256 text NOT NULL,
  -- the signature row to record, without the version number documents gives the stored bytes
  signature jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agency_code, user_id, idempotency_key)
);
