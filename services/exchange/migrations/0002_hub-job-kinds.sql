-- Up Migration

-- A received message becomes an incoming document in documents through a job of its own, so a
-- documents outage delays it and never loses it.
ALTER TABLE hub_jobs DROP CONSTRAINT hub_jobs_kind_check;
ALTER TABLE hub_jobs ADD CONSTRAINT hub_jobs_kind_check
  CHECK (kind IN ('send-edoc', 'send-status', 'acknowledge', 'create-document'));

-- Down Migration
-- Forward-only.
