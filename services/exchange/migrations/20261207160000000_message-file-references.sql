-- Up Migration

-- The orphan sweep of MESSAGE_DIR asks, for a batch of file names (SHA-256), which ones a row still names: an
-- exchange's message, or a logged message (a received status is only in the log). Indexed so that the question
-- does not scan both tables for every batch.
CREATE INDEX exchanges_edxml_sha256 ON exchanges (edxml_sha256) WHERE edxml_sha256 IS NOT NULL;
CREATE INDEX exchange_log_message_sha256 ON exchange_log (message_sha256);

-- Down Migration
-- Forward-only.
