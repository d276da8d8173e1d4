// An issued document's flags at issue, in one place: the kept monthly counts (roll-up-repository.ts) and the findings
// lists (compliance-repository.ts) both read them through this fragment.

/**
 * Joined to a query over `document_facts d` (an issued document), gives `f.signed`, `f.personal`, `f.organisation`,
 * `f.initialled`, `f.electronic`, `f.validated` and `f.via_hub`: the signatures held by the issued version or an
 * earlier one (versions are linear), the personal approval signature (người có thẩm quyền), the organisation seal and
 * the initials among them, "fully electronic" (both signatures on an electronic original), a passed validation of
 * the issued version and a hub exchange that sent it. Each is read per document through its index (the document's
 * signatures once, not once per flag; a validation and a hub exchange probed with EXISTS), never hashed from every
 * validation ever projected (bench/reporting/results.md, 6 December).
 */
export const issuedDocumentFlags = `
  CROSS JOIN LATERAL (
    SELECT s.signed, s.personal, s.organisation, s.initialled,
      s.personal AND s.organisation AND d.form = 'electronic' AS electronic,
      EXISTS (SELECT 1 FROM validation_facts v WHERE v.document_id = d.document_id AND v.version = d.issued_version
                 AND v.verdict = 'TOTAL_PASSED') AS validated,
      EXISTS (SELECT 1 FROM exchange_facts e WHERE e.document_id = d.document_id AND e.direction = 'sent') AS via_hub
    FROM (
      SELECT count(*) > 0 AS signed,
        COALESCE(bool_or(s.kind = 'approval' AND s.signer_user_id IS NOT NULL), false) AS personal,
        COALESCE(bool_or(s.kind = 'issue'), false) AS organisation,
        COALESCE(bool_or(s.kind = 'initial'), false) AS initialled
      FROM signature_facts s WHERE s.document_id = d.document_id AND s.version <= d.issued_version
    ) s
  ) f`;
