-- Up Migration

-- The summary of answers (tổng hợp ý kiến, docs/domain/directives.md, Đà Nẵng §2d) is one document in documents per
-- consultation. Its id is kept here the moment documents answers, on a connection of its own that commits at once, so a
-- close that fails after documents stored the summary (documents slow, the dossier closed, a crash) and is retried
-- reuses that document: a retry that writes other bytes (it closes later) adds a version to it instead of a document.
-- No foreign key: the row is written while the close's transaction holds the consultation's row lock.
CREATE TABLE consultation_summary_documents (
  consultation_id uuid        PRIMARY KEY,
  document_id     uuid        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- The time written on a member's answer sheet ("Lập lúc"), fixed by the first request for that answer, so that a
-- repeated or retried request renders the same bytes and documents answers with the same document (its
-- Idempotency-Key is derived from them). Written on a connection of its own, like the summary's row above.
CREATE TABLE consultation_sheet_times (
  consultation_id uuid        NOT NULL,
  user_id         text        NOT NULL,
  answer          text        NOT NULL,
  comment_sha256  text        NOT NULL,
  written_at      timestamptz NOT NULL,
  PRIMARY KEY (consultation_id, user_id, answer, comment_sha256)
);
