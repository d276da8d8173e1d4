-- Up Migration

-- Lấy ý kiến (consultation, docs/domain/directives.md, Đà Nẵng §2d and §3b): a question on a document put to named
-- members with one deadline and a completion rule; each member answers once.
CREATE TABLE consultations (
  id           uuid        PRIMARY KEY,
  agency_code  text        NOT NULL,
  document_id  uuid        NOT NULL,
  process_id   uuid        REFERENCES processes (id),
  question     text        NOT NULL CHECK (length(question) BETWEEN 1 AND 4000),
  -- 'all', 'any' or {"quorum": n}: when the consultation closes by itself.
  completion   jsonb       NOT NULL,
  due_at       timestamptz NOT NULL,
  state        text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  close_reason text        CHECK (close_reason IN ('completion-rule', 'closed-by-opener')),
  opened_by    text        NOT NULL,
  opened_at    timestamptz NOT NULL,
  closed_at    timestamptz,
  CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX consultations_by_document ON consultations (agency_code, document_id);

CREATE TABLE consultation_members (
  consultation_id uuid        NOT NULL REFERENCES consultations (id),
  user_id         text        NOT NULL,
  answer          text        CHECK (answer IN ('agree', 'disagree', 'comments')),
  comment         text        CHECK (comment IS NULL OR length(comment) <= 4000),
  answered_at     timestamptz,
  PRIMARY KEY (consultation_id, user_id),
  -- An answer is given once, with its time.
  CHECK ((answer IS NULL) = (answered_at IS NULL))
);
