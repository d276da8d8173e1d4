-- Up Migration

-- When the 30-day hand-over reminder (Phụ lục VI mục III.5) was sent, so it is sent once.
ALTER TABLE dossiers ADD COLUMN handover_reminded_at timestamptz;
CREATE INDEX dossiers_handover_pending ON dossiers (handover_due) WHERE status = 'closed' AND handover_reminded_at IS NULL;

-- Down Migration
-- Forward-only.
