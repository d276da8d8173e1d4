-- Up Migration

-- A member's signed answer to a consultation (lấy ý kiến; docs/domain/directives.md, Đà Nẵng §3b): its own signature
-- kind, granted to any member with an activated certificate against routing's claim on the answer sheet, so that it
-- is never counted as an initial or an approval.
ALTER TABLE signatures DROP CONSTRAINT IF EXISTS signatures_kind_check;
ALTER TABLE signatures ADD CONSTRAINT signatures_kind_check
  CHECK (kind IN ('initial', 'approval', 'issue', 'attachment', 'copy', 'digitisation', 'consultation-answer'));
