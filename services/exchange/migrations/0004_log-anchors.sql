-- Up Migration

-- The exchange log's chain head, time-stamped by an RFC 3161 TSA at least hourly: with the hash chain, an
-- auditor can prove that every entry up to the anchored one existed, unchanged, at the TSA's time.
CREATE TABLE exchange_log_anchors (
  position    bigint      PRIMARY KEY REFERENCES exchange_log (position),
  head_hash   text        NOT NULL,
  token       bytea       NOT NULL,
  gen_time    timestamptz NOT NULL,
  tsa         text        NOT NULL,
  created_at  timestamptz NOT NULL
);

CREATE TRIGGER exchange_log_anchors_no_update BEFORE UPDATE OR DELETE ON exchange_log_anchors
  FOR EACH ROW EXECUTE FUNCTION exchange_log_append_only();

-- Down Migration
-- Forward-only.
