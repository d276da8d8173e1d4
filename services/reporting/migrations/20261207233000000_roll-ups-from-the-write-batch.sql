-- Up Migration

-- The roll-ups the province report reads (province_agencies, signer_facts, agency_month_documents; migration
-- 20261206213000000) are recounted by the projection's write batch now, once per transaction, in one statement over
-- what the batch wrote (services/reporting/src/repositories/roll-up-repository.ts), instead of by statement-level
-- triggers on the fact tables that noted agency-months and recounted them at commit: the triggers and the commit-time
-- recount cost the projection more than half its speed (bench/reporting/results.md), and the recount's SQL stood both
-- here and in the repository. The tables stay as they are; only what keeps them changes.
DROP TRIGGER province_agencies_add ON document_facts;
DROP TRIGGER province_agencies_add ON signature_facts;
DROP TRIGGER province_agencies_add ON certificate_facts;
DROP TRIGGER province_agencies_add ON process_facts;
DROP TRIGGER province_agencies_add ON exchange_facts;
DROP TRIGGER province_agencies_add ON consultation_facts;
DROP TRIGGER province_agencies_update ON consultation_facts;
DROP TRIGGER signer_facts_add ON signature_facts;
DROP TRIGGER agency_month_documents_insert ON document_facts;
DROP TRIGGER agency_month_documents_update ON document_facts;
DROP TRIGGER agency_month_documents_insert ON signature_facts;
DROP TRIGGER agency_month_documents_insert ON validation_facts;
DROP TRIGGER agency_month_documents_update ON validation_facts;
DROP TRIGGER agency_month_documents_insert ON exchange_facts;
DROP TRIGGER agency_month_documents_update ON exchange_facts;
DROP TABLE agency_month_documents_touched;
DROP FUNCTION agency_month_documents_at_commit();
DROP FUNCTION agency_month_documents_touch(text[], text[]);
DROP FUNCTION agency_month_documents_of_documents();
DROP FUNCTION agency_month_documents_of_named();
DROP FUNCTION agency_month_documents_refresh(text[], text[]);
DROP FUNCTION signer_facts_add();
DROP FUNCTION province_agencies_add();

-- Certificate holders of an agency at the end of each month (the compliance report's certificate adoption, Phụ lục
-- 2), kept instead of counted per request from every certificate row (about 90 of the roll-up's 112 ms at 1,500
-- agencies). The counts change only in a month a certificate was registered, activated or ended in, or a holder
-- first signed in: a row per such month, standing for every month after it until the agency's next row. A database
-- projected before this migration has none: `npm run reporting:rebuild` fills them (README).
CREATE TABLE agency_month_certificates (
  agency_code      text    NOT NULL,
  month            text    NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  holders          integer NOT NULL,
  activated        integer NOT NULL,
  approval_signers integer NOT NULL,
  initial_signers  integer NOT NULL,
  PRIMARY KEY (agency_code, month)
);

-- Down Migration
-- Forward-only: schema changes are never rolled back in place; a new migration corrects them.
