-- Up Migration

-- A consultation's deadline has the boundary timers of a task's: a reminder before it (non-interrupting) and, at
-- it, the members who have not answered marked overdue. They are rows of the same durable timers table, claimed
-- with FOR UPDATE SKIP LOCKED, so they survive restarts and fire once across replicas. A consultation need not
-- belong to a process, so a timer names a task (and its process) or a consultation.
ALTER TABLE timers ALTER COLUMN task_id DROP NOT NULL;
ALTER TABLE timers ALTER COLUMN process_id DROP NOT NULL;
ALTER TABLE timers ADD COLUMN consultation_id uuid REFERENCES consultations (id);
ALTER TABLE timers DROP CONSTRAINT timers_kind_check;
ALTER TABLE timers ADD CONSTRAINT timers_kind_check CHECK (
  kind IN ('reminder', 'due', 'escalation', 'sla', 'consultation-reminder', 'consultation-overdue'));
ALTER TABLE timers ADD CONSTRAINT timers_subject CHECK (
  (task_id IS NOT NULL AND process_id IS NOT NULL AND consultation_id IS NULL)
  OR (task_id IS NULL AND consultation_id IS NOT NULL));
CREATE INDEX timers_by_consultation ON timers (consultation_id) WHERE state = 'pending';

-- When the reminder went out, and which members' answers the deadline found missing (a late answer keeps the mark).
ALTER TABLE consultations ADD COLUMN reminded_at timestamptz;
ALTER TABLE consultation_members ADD COLUMN overdue_at timestamptz;
