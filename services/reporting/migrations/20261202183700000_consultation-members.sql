-- Up Migration

-- Lấy ý kiến (consultations): one row per member asked, from routing's consultation.opened (members, deadline) and
-- consultation.answered (on time or not). Per member, so a redelivered or replayed answer is an upsert of the same
-- row, and a member who never answered counts once the deadline has passed.
CREATE TABLE consultation_member_facts (
  consultation_id uuid        NOT NULL,
  member_user_id  text        NOT NULL,
  agency_code     text        NOT NULL,
  document_id     uuid,
  opened_at       timestamptz,
  due_at          timestamptz,
  answered_at     timestamptz,
  on_time         boolean,
  PRIMARY KEY (consultation_id, member_user_id)
);
CREATE INDEX consultation_member_facts_by_agency ON consultation_member_facts (agency_code, opened_at);
