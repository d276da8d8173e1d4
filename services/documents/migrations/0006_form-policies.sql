-- Up Migration

-- An agency's own form policy (which document types go electronic-only, electronic plus paper,
-- or paper-only), overriding the default taken from QĐ 648/QĐ-UBND Phụ lục I–III
-- (docs/domain/directives.md, Lục Nam).
CREATE TABLE form_policies (
  agency_code text        NOT NULL,
  type_code   text        NOT NULL,
  form        text        NOT NULL CHECK (form IN ('electronic', 'electronic-and-paper', 'paper')),
  updated_by  text        NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agency_code, type_code)
);

-- Down Migration
-- Forward-only.
