-- Up Migration

-- Signed answers to a consultation (docs/domain/directives.md, Đà Nẵng §2d and §3b: the members sign their answers
-- digitally). A consultation opened with signed_answers takes an answer only as an answer sheet: a small PDF routing
-- writes and stores in documents, which the member signs with their own certificate through signing's two-step
-- session; the answer counts only when signing reports (signature.applied) a signature by that member on that sheet.
ALTER TABLE consultations ADD COLUMN signed_answers boolean NOT NULL DEFAULT false;

CREATE TABLE consultation_answer_sheets (
  document_id     uuid        PRIMARY KEY,
  consultation_id uuid        NOT NULL REFERENCES consultations (id),
  agency_code     text        NOT NULL,
  user_id         text        NOT NULL,
  answer          text        NOT NULL CHECK (answer IN ('agree', 'disagree', 'comments')),
  comment         text        CHECK (comment IS NULL OR length(comment) <= 4000),
  -- The version of the sheet the member must sign: the one routing stored.
  version         integer     NOT NULL,
  sha256          text        NOT NULL,
  -- awaiting-signature until signing reports; superseded when the member asked for another sheet first.
  state           text        NOT NULL DEFAULT 'awaiting-signature'
                  CHECK (state IN ('awaiting-signature', 'accepted', 'superseded')),
  signature_id    uuid,
  created_at      timestamptz NOT NULL,
  accepted_at     timestamptz,
  CHECK ((state = 'accepted') = (signature_id IS NOT NULL AND accepted_at IS NOT NULL))
);
CREATE INDEX consultation_answer_sheets_by_member ON consultation_answer_sheets (consultation_id, user_id);

-- The accepted answer's signature, and the summary of answers (tổng hợp ý kiến) routing stored when it closed.
ALTER TABLE consultation_members ADD COLUMN signature_id uuid;
ALTER TABLE consultation_members ADD COLUMN answer_sheet_id uuid;
ALTER TABLE consultations ADD COLUMN summary_document_id uuid;
ALTER TABLE consultations ADD COLUMN summary_dossier_id uuid;
