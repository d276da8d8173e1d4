-- Up Migration

-- The province roll-up at 1,500 agencies (1,000,000 events) took p95 908 ms (bench/reporting/results.md): every request
-- recomputed the month from the facts. EXPLAIN ANALYZE (6 December): the list of agencies sorted every fact row ever
-- projected (557,116 rows, an external merge sort, growing with all history, not with the month); the documents'
-- counts ran seven signature, validation and exchange look-ups per issued document of the month and hashed every
-- validation ever made; "has this certificate holder signed an approval / initials before the month's end" hashed
-- every approval and initial signature (140,000 rows). All three are kept here instead, in the projection's own
-- transaction, by statement-level triggers on the fact tables (a set-based batch of 500 events is one statement per
-- table, so the projection pays one small write per table and batch). Each is as order-independent and idempotent as
-- the fact tables: a set of agency codes, each signer's earliest signature of a kind (min), and counts recomputed
-- from the facts; so a replay, a duplicate or topics read in any order give the same rows, and a rebuild empties and
-- refills them with the facts (projectionTables).

-- Every agency any projection has seen: the province as reporting knows it (the roll-up's rows, the month-start
-- submission job's agencies). The same six fact tables the roll-up's list was the union of.
CREATE TABLE province_agencies (
  agency_code text PRIMARY KEY
);

CREATE FUNCTION province_agencies_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO province_agencies (agency_code)
  SELECT DISTINCT agency_code FROM added WHERE agency_code IS NOT NULL
  ON CONFLICT (agency_code) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER province_agencies_add AFTER INSERT ON document_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION province_agencies_add();
CREATE TRIGGER province_agencies_add AFTER INSERT ON signature_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION province_agencies_add();
CREATE TRIGGER province_agencies_add AFTER INSERT ON certificate_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION province_agencies_add();
CREATE TRIGGER province_agencies_add AFTER INSERT ON process_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION province_agencies_add();
CREATE TRIGGER province_agencies_add AFTER INSERT ON exchange_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION province_agencies_add();
CREATE TRIGGER province_agencies_add AFTER INSERT ON consultation_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION province_agencies_add();
-- The opening of a consultation read after its closing sets the row's agency (recordConsultationOpened).
CREATE TRIGGER province_agencies_update AFTER UPDATE ON consultation_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION province_agencies_add();

-- Each person's earliest signature of a kind in an agency (signature facts are written once: ON CONFLICT DO NOTHING).
CREATE TABLE signer_facts (
  agency_code     text        NOT NULL,
  user_id         text        NOT NULL,
  kind            text        NOT NULL,
  first_signed_at timestamptz NOT NULL,
  PRIMARY KEY (agency_code, user_id, kind)
);

CREATE FUNCTION signer_facts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO signer_facts (agency_code, user_id, kind, first_signed_at)
  SELECT agency_code, signer_user_id, kind, min(signed_at) FROM added
   WHERE signer_user_id IS NOT NULL GROUP BY agency_code, signer_user_id, kind
  ON CONFLICT (agency_code, user_id, kind) DO UPDATE
    SET first_signed_at = LEAST(signer_facts.first_signed_at, EXCLUDED.first_signed_at);
  RETURN NULL;
END $$;

CREATE TRIGGER signer_facts_add AFTER INSERT ON signature_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION signer_facts_add();

-- Each agency-month's document counts (the compliance report's "created" and "issued" counts), kept by the document,
-- signature, validation and exchange facts' triggers: a statement that touches facts notes the agency-months those
-- facts fall in (the months the documents were created and issued in, Vietnamese calendar), and when the
-- transaction commits each noted agency-month is recomputed once from the fact tables as they are then (a batch's
-- statements note the same agency-months once per table and round; recomputing per statement made the projection
-- several times slower). Recomputing from the facts, never adding deltas, keeps it as order-independent as the facts
-- (a signature read before its document counts when the document's row arrives and recomputes its month). The
-- recomputations of concurrent transactions (replicas, a rebuild beside the live consumer) are serialised by one
-- transaction-scoped advisory lock taken before reading, so the later one reads the earlier one's committed facts
-- (READ COMMITTED: each statement of the function sees what committed before it).
CREATE TABLE agency_month_documents (
  month               text    NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  agency_code         text    NOT NULL,
  outgoing            integer NOT NULL,
  incoming            integer NOT NULL,
  internal            integer NOT NULL,
  incoming_electronic integer NOT NULL,
  digitised           integer NOT NULL,
  issued              integer NOT NULL,
  signed              integer NOT NULL,
  personal            integer NOT NULL,
  organisation        integer NOT NULL,
  both_signatures     integer NOT NULL,
  initialled          integer NOT NULL,
  validated           integer NOT NULL,
  electronic          integer NOT NULL,
  via_hub             integer NOT NULL,
  PRIMARY KEY (month, agency_code)
);

-- The Vietnamese calendar month of a time (UTC+7, platform vietnam-time), and the month's bounds.
CREATE FUNCTION vietnam_month(at timestamptz) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT to_char(at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') $$;
-- The month's first instant, `months_after` months on (counted on the Vietnamese calendar, not in the session's
-- time zone: 1 October 00:00 in Hà Nội is 30 September 17:00 UTC, and a month after that in UTC is 30 October).
CREATE FUNCTION vietnam_month_start(month text, months_after integer DEFAULT 0) RETURNS timestamptz
  LANGUAGE sql STABLE AS
  $$ SELECT ((month || '-01')::timestamp + make_interval(months => months_after)) AT TIME ZONE 'Asia/Ho_Chi_Minh' $$;

CREATE FUNCTION agency_month_documents_refresh(agencies text[], months text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF agencies IS NULL OR cardinality(agencies) = 0 THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(hashtext('reporting/agency_month_documents'));
  DELETE FROM agency_month_documents a USING unnest(agencies, months) AS t(agency_code, month)
   WHERE a.agency_code = t.agency_code AND a.month = t.month;
  INSERT INTO agency_month_documents (month, agency_code, outgoing, incoming, internal, incoming_electronic, digitised,
    issued, signed, personal, organisation, both_signatures, initialled, validated, electronic, via_hub)
  WITH touched AS (
    SELECT DISTINCT t.agency_code, t.month, vietnam_month_start(t.month) AS from_at,
           vietnam_month_start(t.month, 1) AS to_at
      FROM unnest(agencies, months) AS t(agency_code, month)
     WHERE t.agency_code IS NOT NULL AND t.month IS NOT NULL
  ),
  created AS (
    SELECT t.agency_code, t.month,
      count(*) FILTER (WHERE d.direction = 'outgoing') AS outgoing,
      count(*) FILTER (WHERE d.direction = 'incoming') AS incoming,
      count(*) FILTER (WHERE d.direction = 'internal') AS internal,
      count(v.passed) AS incoming_electronic,
      count(*) FILTER (WHERE d.form = 'digitised') AS digitised
    FROM touched t
    JOIN document_facts d ON d.agency_code = t.agency_code AND d.created_at >= t.from_at AND d.created_at < t.to_at
    LEFT JOIN LATERAL (
      SELECT true AS passed FROM validation_facts v
       WHERE d.direction = 'incoming' AND d.form = 'electronic' AND v.document_id = d.document_id
         AND v.verdict = 'TOTAL_PASSED'
       LIMIT 1
    ) v ON true
    GROUP BY t.agency_code, t.month
  ),
  -- An issued document's signatures held by the issued version or an earlier one (versions are linear), its
  -- validation at that version and whether it left through the hub (compliance-repository's issuedDocuments).
  issued AS (
    SELECT t.agency_code, t.month, count(*) AS issued,
      count(*) FILTER (WHERE s.signed) AS signed,
      count(*) FILTER (WHERE s.personal) AS personal,
      count(*) FILTER (WHERE s.organisation) AS organisation,
      count(*) FILTER (WHERE s.personal AND s.organisation) AS both_signatures,
      count(*) FILTER (WHERE s.initialled) AS initialled,
      count(v.document_id) AS validated,
      count(*) FILTER (WHERE s.personal AND s.organisation AND d.form = 'electronic') AS electronic,
      count(e.document_id) AS via_hub
    FROM touched t
    JOIN document_facts d ON d.agency_code = t.agency_code AND d.issued_at >= t.from_at AND d.issued_at < t.to_at
    CROSS JOIN LATERAL (
      SELECT count(*) > 0 AS signed,
        bool_or(s.kind = 'approval' AND s.signer_user_id IS NOT NULL) AS personal,
        bool_or(s.kind = 'issue') AS organisation,
        bool_or(s.kind = 'initial') AS initialled
      FROM signature_facts s WHERE s.document_id = d.document_id AND s.version <= d.issued_version
    ) s
    LEFT JOIN LATERAL (
      SELECT v.document_id FROM validation_facts v
       WHERE v.document_id = d.document_id AND v.version = d.issued_version AND v.verdict = 'TOTAL_PASSED' LIMIT 1
    ) v ON true
    LEFT JOIN LATERAL (
      SELECT e.document_id FROM exchange_facts e WHERE e.document_id = d.document_id AND e.direction = 'sent' LIMIT 1
    ) e ON true
    GROUP BY t.agency_code, t.month
  )
  SELECT t.month, t.agency_code, COALESCE(c.outgoing, 0), COALESCE(c.incoming, 0), COALESCE(c.internal, 0),
         COALESCE(c.incoming_electronic, 0), COALESCE(c.digitised, 0), COALESCE(i.issued, 0), COALESCE(i.signed, 0),
         COALESCE(i.personal, 0), COALESCE(i.organisation, 0), COALESCE(i.both_signatures, 0),
         COALESCE(i.initialled, 0), COALESCE(i.validated, 0), COALESCE(i.electronic, 0), COALESCE(i.via_hub, 0)
    FROM touched t
    LEFT JOIN created c ON c.agency_code = t.agency_code AND c.month = t.month
    LEFT JOIN issued i ON i.agency_code = t.agency_code AND i.month = t.month
   WHERE c.agency_code IS NOT NULL OR i.agency_code IS NOT NULL;
END $$;

-- The agency-months noted in the open transaction, recomputed when it commits.
CREATE TABLE agency_month_documents_touched (
  xact        bigint NOT NULL DEFAULT txid_current(),
  agency_code text   NOT NULL,
  month       text   NOT NULL,
  PRIMARY KEY (xact, agency_code, month)
);

CREATE FUNCTION agency_month_documents_touch(agencies text[], months text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO agency_month_documents_touched (agency_code, month)
  SELECT DISTINCT t.agency_code, t.month FROM unnest(agencies, months) AS t(agency_code, month)
   WHERE t.agency_code IS NOT NULL AND t.month IS NOT NULL
  ON CONFLICT DO NOTHING;
$$;

-- Deferred to the commit: the first noted row recomputes every agency-month the transaction noted and takes them off
-- the list; the others find nothing left.
CREATE FUNCTION agency_month_documents_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE agencies text[]; months text[];
BEGIN
  WITH taken AS (
    DELETE FROM agency_month_documents_touched WHERE xact = txid_current() RETURNING agency_code, month
  )
  SELECT array_agg(agency_code), array_agg(month) INTO agencies, months FROM taken;
  PERFORM agency_month_documents_refresh(agencies, months);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER agency_month_documents_at_commit AFTER INSERT ON agency_month_documents_touched
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION agency_month_documents_at_commit();

-- The agency-months a document row falls in: the month it was created in and the month it was issued in.
CREATE FUNCTION agency_month_documents_of_documents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE agencies text[]; months text[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(agency_code), array_agg(month) INTO agencies, months FROM (
      SELECT agency_code, vietnam_month(created_at) AS month FROM added WHERE created_at IS NOT NULL
      UNION SELECT agency_code, vietnam_month(issued_at) FROM added WHERE issued_at IS NOT NULL
      UNION SELECT agency_code, vietnam_month(created_at) FROM removed WHERE created_at IS NOT NULL
      UNION SELECT agency_code, vietnam_month(issued_at) FROM removed WHERE issued_at IS NOT NULL) p;
  ELSE
    SELECT array_agg(agency_code), array_agg(month) INTO agencies, months FROM (
      SELECT agency_code, vietnam_month(created_at) AS month FROM added WHERE created_at IS NOT NULL
      UNION SELECT agency_code, vietnam_month(issued_at) FROM added WHERE issued_at IS NOT NULL) p;
  END IF;
  PERFORM agency_month_documents_touch(agencies, months);
  RETURN NULL;
END $$;

-- The agency-months of the documents that signature, validation or exchange rows name (a row naming a document not
-- projected yet touches nothing: the document's own row recomputes its months when it arrives).
CREATE FUNCTION agency_month_documents_of_named() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE agencies text[]; months text[];
BEGIN
  -- Each named document looked up by its key (LIMIT 1 keeps the lookup per document: a transition table has no
  -- statistics, and a hash join read all of document_facts on every statement, slower as the facts grew).
  SELECT array_agg(agency_code), array_agg(month) INTO agencies, months FROM (
    SELECT d.agency_code, m.month
      FROM (SELECT DISTINCT document_id FROM added WHERE document_id IS NOT NULL) n
      CROSS JOIN LATERAL (
        SELECT f.agency_code, f.created_at, f.issued_at FROM document_facts f WHERE f.document_id = n.document_id LIMIT 1
      ) d
      CROSS JOIN LATERAL (VALUES (vietnam_month(d.created_at)), (vietnam_month(d.issued_at))) AS m(month)
     WHERE m.month IS NOT NULL) p;
  PERFORM agency_month_documents_touch(agencies, months);
  RETURN NULL;
END $$;

CREATE TRIGGER agency_month_documents_insert AFTER INSERT ON document_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION agency_month_documents_of_documents();
CREATE TRIGGER agency_month_documents_update AFTER UPDATE ON document_facts
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
  EXECUTE FUNCTION agency_month_documents_of_documents();
CREATE TRIGGER agency_month_documents_insert AFTER INSERT ON signature_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION agency_month_documents_of_named();
CREATE TRIGGER agency_month_documents_insert AFTER INSERT ON validation_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION agency_month_documents_of_named();
CREATE TRIGGER agency_month_documents_update AFTER UPDATE ON validation_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION agency_month_documents_of_named();
CREATE TRIGGER agency_month_documents_insert AFTER INSERT ON exchange_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION agency_month_documents_of_named();
CREATE TRIGGER agency_month_documents_update AFTER UPDATE ON exchange_facts
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION agency_month_documents_of_named();

-- The month's tasks and issued documents of every agency (the roll-up's handling counts and the collector's findings
-- have no agency to lead the existing indexes with).
CREATE INDEX task_facts_by_due ON task_facts (due_at);
CREATE INDEX document_facts_by_issued ON document_facts (issued_at) WHERE issued_at IS NOT NULL;

INSERT INTO province_agencies (agency_code)
SELECT agency_code FROM document_facts
UNION SELECT agency_code FROM signature_facts
UNION SELECT agency_code FROM certificate_facts
UNION SELECT agency_code FROM process_facts
UNION SELECT agency_code FROM exchange_facts
UNION SELECT agency_code FROM consultation_facts;

INSERT INTO signer_facts (agency_code, user_id, kind, first_signed_at)
SELECT agency_code, signer_user_id, kind, min(signed_at) FROM signature_facts
 WHERE signer_user_id IS NOT NULL GROUP BY agency_code, signer_user_id, kind;

SELECT agency_month_documents_refresh(array_agg(agency_code), array_agg(month)) FROM (
  SELECT agency_code, vietnam_month(created_at) AS month FROM document_facts WHERE created_at IS NOT NULL
  UNION SELECT agency_code, vietnam_month(issued_at) FROM document_facts WHERE issued_at IS NOT NULL) p;
