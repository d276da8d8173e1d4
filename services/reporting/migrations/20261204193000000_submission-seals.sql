-- Up Migration

-- The organisation seal on a submitted report (signing's POST /v1/service-seals, with the agency's key): which
-- certificate, when, at which PAdES level. NULL for a report stored unsealed (a deployment without SIGNING_URL, and
-- every revision stored before sealing existed).
ALTER TABLE report_submissions ADD COLUMN seal jsonb;
