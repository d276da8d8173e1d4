-- Up Migration

-- Messages move out of the database into MESSAGE_DIR, one file per message named by its SHA-256
-- (edxml_sha256): a received message of tens of MB is spooled there as it streams from the hub. Rows written
-- before this keep their bytes in `edxml`, and are read from there (edxml_in_file false); new rows leave
-- `edxml` NULL. Nothing is copied here: a migration cannot write the files, and the old bytes stay valid.
ALTER TABLE exchanges ADD COLUMN edxml_in_file boolean NOT NULL DEFAULT false;
ALTER TABLE exchanges ADD COLUMN edxml_bytes bigint;

-- Down Migration
-- Forward-only.
