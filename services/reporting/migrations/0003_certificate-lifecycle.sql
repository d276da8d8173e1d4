-- Up Migration

-- A certificate can be reassigned to another holder (signing's certificate.reassigned.v1): the
-- latest reassignment wins, whichever order the events are read in.
ALTER TABLE certificate_facts ADD COLUMN holder_since timestamptz;

-- Down Migration
-- Forward-only.
