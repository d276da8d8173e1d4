-- Up Migration

-- Hồ sơ trình (submissions to a higher level, docs/domain/directives.md, Đà Nẵng §1d): each agency's rules for
-- the dossiers its units send up: whether only a unit leader's account may send one (Lục Nam §1, same file), which
-- components each document type needs and which of them must carry a signature.
CREATE TABLE submission_policies (
  agency_code                text        PRIMARY KEY,
  sender_must_be_unit_leader boolean     NOT NULL,
  -- {"<typeCode>" | "*": ["to-trinh", …]}: the components a dossier on a draft of that type needs.
  required_components        jsonb       NOT NULL,
  -- The components that must carry a valid signature (the tờ trình is signed by the sending unit's leader).
  signed_components          jsonb       NOT NULL,
  updated_by                 text        NOT NULL,
  updated_at                 timestamptz NOT NULL
);

-- Routing's own projection of signing's events about any document of an agency (not only those with a
-- process): which signatures it carries and the last validation verdict of each version. Routing never reads
-- signing's tables.
CREATE TABLE document_signature_facts (
  signature_id     uuid        PRIMARY KEY,
  agency_code      text        NOT NULL,
  document_id      uuid        NOT NULL,
  kind             text        NOT NULL,
  signer_user_id   text,
  signed_version   integer     NOT NULL,
  version          integer     NOT NULL,
  authority_prefix text,
  signed_at        timestamptz NOT NULL
);
CREATE INDEX document_signature_facts_by_document ON document_signature_facts (agency_code, document_id);

CREATE TABLE document_validation_facts (
  agency_code    text        NOT NULL,
  document_id    uuid        NOT NULL,
  version        integer     NOT NULL,
  verdict        text        NOT NULL,
  verdict_reason text        NOT NULL,
  validated_at   timestamptz NOT NULL,
  PRIMARY KEY (agency_code, document_id, version)
);
