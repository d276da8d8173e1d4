-- Up Migration

-- Routing's task events (task.assigned|claimed|delegated|completed|returned|overdue.v1) and exchange's
-- (exchange.sent|received|status.v1) fill task_facts and exchange_facts. Every column is owned by one kind
-- of event, or, for the assignee, by the latest event that names one, so topics read in any order or
-- replayed from offset 0 give the same rows.
ALTER TABLE task_facts
  ADD COLUMN assignee_role     text,
  -- The distribution of an incoming document (NĐ 30/2020 Điều 24): chủ trì, phối hợp, để biết.
  ADD COLUMN distribution_role text CHECK (distribution_role IN ('lead', 'cooperate', 'inform')),
  -- When the current assignee was named (claim, delegation, forward): the latest naming wins.
  ADD COLUMN assignee_at       timestamptz,
  ADD COLUMN completed_by      text,
  -- Returned to an earlier step (trả lại): the task ended without being done.
  ADD COLUMN returned_at       timestamptz,
  -- Routing's same-day rules (NĐ 30/2020 Điều 18, 22, 23) when the overdue report was one of them.
  ADD COLUMN overdue_sla       text;
CREATE INDEX task_facts_by_process ON task_facts (process_id);

ALTER TABLE exchange_facts
  -- Recipients' organ ids (sent) or the sender's (received).
  ADD COLUMN counterparts text[] NOT NULL DEFAULT '{}';
CREATE INDEX exchange_facts_by_agency ON exchange_facts (agency_code, at);

-- Down Migration
-- Forward-only.
