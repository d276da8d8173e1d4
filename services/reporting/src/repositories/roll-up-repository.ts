import type { Tx } from '@vanthu/platform';
import { issuedDocumentFlags } from './issued-documents';

// The province roll-up reads counts the projection keeps instead of recounting every fact of a month on each request
// (bench/reporting/results.md, 6 December): the agencies of the province, each signer's first signature of a kind,
// each agency-month's document counts and each agency's certificate holders month by month. They are recounted here,
// once per transaction the projection writes in, by two statements over the facts its write batch touched
// (write-batch.ts `afterSend`), not by triggers on the fact tables: the statement-level triggers and the commit-time
// recount they fed cost the projection more than half its speed (0.46 → 0.18 of a bare insert). Every count is
// recomputed from the facts as they are after the batch's writes, never added to, so a replay, a duplicate or topics
// read in any order give the same rows, as the facts do.

/** Rows the write batch sent, per table: the column names and each row's values in that order. */
export type WrittenRows = { table: string; columns: string[] | null; rows: unknown[][] };

/** What a batch's writes touched that the kept counts depend on. */
export type RollUpSources = {
  /** Agencies of rows of the fact tables the province's list of agencies is the union of. */
  agencies: string[];
  /** Signatures with a signer: each signer's first signature of a kind. */
  signers: { agencyCode: string; userId: string; kind: string; signedAt: string }[];
  /** Documents named by document, signature, validation or exchange rows: their agency-months are recounted. */
  documentIds: string[];
  /** Agencies whose certificates or signers changed: their certificate holders are recounted for every month. */
  certificateAgencies: string[];
};

/** The fact tables whose agencies make the province (every agency any of them has seen). */
const provinceTables = new Set([
  'document_facts',
  'signature_facts',
  'certificate_facts',
  'process_facts',
  'exchange_facts',
  'consultation_facts',
]);
/** The fact tables a document's monthly counts are read from, each naming the document. */
const documentTables = new Set(['document_facts', 'signature_facts', 'validation_facts', 'exchange_facts']);

/** The sources of the kept counts among a batch's writes; a write to one of their tables not set-based is refused. */
export function rollUpSources(written: WrittenRows[]): RollUpSources {
  const agencies = new Set<string>();
  const documentIds = new Set<string>();
  const certificateAgencies = new Set<string>();
  const signers: RollUpSources['signers'] = [];
  for (const { table, columns, rows } of written) {
    if (!provinceTables.has(table) && !documentTables.has(table)) continue;
    if (!columns)
      throw new Error(
        `a projection write to ${table} was not an INSERT … VALUES … ON CONFLICT: the roll-ups would miss it`,
      );
    const at = (name: string): number => columns.indexOf(name);
    const agency = at('agency_code');
    const document = at('document_id');
    for (const row of rows) {
      const agencyCode = agency >= 0 ? (row[agency] as string | null) : null;
      if (agencyCode && provinceTables.has(table)) agencies.add(agencyCode);
      if (document >= 0 && documentTables.has(table) && row[document]) documentIds.add(String(row[document]));
      if (agencyCode && table === 'certificate_facts') certificateAgencies.add(agencyCode);
      if (table === 'signature_facts') {
        const userId = row[at('signer_user_id')] as string | null;
        if (agencyCode && userId) {
          signers.push({ agencyCode, userId, kind: String(row[at('kind')]), signedAt: String(row[at('signed_at')]) });
          certificateAgencies.add(agencyCode);
        }
      }
    }
  }
  return {
    agencies: [...agencies],
    signers,
    documentIds: [...documentIds],
    certificateAgencies: [...certificateAgencies],
  };
}

/**
 * Recounts what the sources touched, in the caller's transaction: the agencies and signers in one statement, then
 * every count that depends on them in one more. The recounts of concurrent transactions (replicas, a rebuild beside
 * the live consumer) are serialised by a transaction-scoped advisory lock taken first, in its own statement, so the
 * recount's snapshot (READ COMMITTED: taken when the statement starts) holds the facts every earlier recount's
 * transaction committed.
 */
export async function refreshRollUps(tx: Tx, sources: RollUpSources): Promise<void> {
  const { agencies, signers, documentIds, certificateAgencies } = sources;
  if (agencies.length + signers.length + documentIds.length + certificateAgencies.length === 0) return;
  // Without JIT: the statement's estimated cost passes PostgreSQL's JIT thresholds and compiling it took 6.7 s of a
  // 7.1 s recount at 90,000 events (EXPLAIN ANALYZE, bench/reporting/results.md), for a plan that runs in milliseconds;
  // set for the rest of the projection's transaction, with the lock, in one round trip.
  await tx.query(
    documentIds.length + certificateAgencies.length > 0
      ? "SELECT set_config('jit', 'off', true), pg_advisory_xact_lock(hashtext('reporting/roll-ups'))"
      : "SELECT set_config('jit', 'off', true)",
  );
  // The agencies and the signers first: the recount below reads the signers' first signatures as they are after it.
  await tx.query(
    `WITH province AS (
       INSERT INTO province_agencies (agency_code)
       SELECT DISTINCT agency_code FROM unnest($1::text[]) AS a(agency_code)
       ON CONFLICT (agency_code) DO NOTHING
     )
     -- Each person's earliest signature of a kind in an agency (signature facts are written once).
     INSERT INTO signer_facts (agency_code, user_id, kind, first_signed_at)
     SELECT agency_code, user_id, kind, min(signed_at)
       FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS s(agency_code, user_id, kind, signed_at)
      GROUP BY agency_code, user_id, kind
     ON CONFLICT (agency_code, user_id, kind) DO UPDATE
       SET first_signed_at = LEAST(signer_facts.first_signed_at, EXCLUDED.first_signed_at)`,
    [
      agencies,
      signers.map((s) => s.agencyCode),
      signers.map((s) => s.userId),
      signers.map((s) => s.kind),
      signers.map((s) => s.signedAt),
    ],
  );
  if (documentIds.length + certificateAgencies.length === 0) return;
  await tx.query(
    `WITH
     -- The agency-months the named documents fall in: the month each was created in and the month it was issued in
     -- (Vietnamese calendar). A document's agency, creation and issue times are its first values, never replaced
     -- (upsert-fact.ts), so its months after the batch are all the months it was ever counted in.
     months AS (
       SELECT DISTINCT d.agency_code, m.month, vietnam_month_start(m.month) AS from_at,
              vietnam_month_start(m.month, 1) AS to_at
         FROM document_facts d
         CROSS JOIN LATERAL (VALUES (vietnam_month(d.created_at)), (vietnam_month(d.issued_at))) AS m(month)
        WHERE d.document_id = ANY($1::uuid[]) AND m.month IS NOT NULL
     ),
     -- Each agency-month counted on its own (LATERAL aggregates through the agency's indexes; as joins, the planner
     -- computed the signature look-ups for every issued document before keeping the month's: seconds per commit).
     documents AS (
       INSERT INTO agency_month_documents (month, agency_code, outgoing, incoming, internal, incoming_electronic,
         digitised, issued, signed, personal, organisation, both_signatures, initialled, validated, electronic, via_hub)
       SELECT t.month, t.agency_code, c.outgoing, c.incoming, c.internal, c.incoming_electronic, c.digitised, i.issued,
              i.signed, i.personal, i.organisation, i.both_signatures, i.initialled, i.validated, i.electronic,
              i.via_hub
         FROM months t
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE d.direction = 'outgoing') AS outgoing,
             count(*) FILTER (WHERE d.direction = 'incoming') AS incoming,
             count(*) FILTER (WHERE d.direction = 'internal') AS internal,
             -- Incoming electronic documents whose signatures passed validation.
             count(*) FILTER (WHERE d.direction = 'incoming' AND d.form = 'electronic' AND EXISTS (
               SELECT 1 FROM validation_facts v WHERE v.document_id = d.document_id AND v.verdict = 'TOTAL_PASSED'
             )) AS incoming_electronic,
             count(*) FILTER (WHERE d.form = 'digitised') AS digitised
           FROM document_facts d
           WHERE d.agency_code = t.agency_code AND d.created_at >= t.from_at AND d.created_at < t.to_at
         ) c
         CROSS JOIN LATERAL (
           SELECT count(*) AS issued,
             count(*) FILTER (WHERE f.signed) AS signed,
             count(*) FILTER (WHERE f.personal) AS personal,
             count(*) FILTER (WHERE f.organisation) AS organisation,
             count(*) FILTER (WHERE f.personal AND f.organisation) AS both_signatures,
             count(*) FILTER (WHERE f.initialled) AS initialled,
             count(*) FILTER (WHERE f.validated) AS validated,
             count(*) FILTER (WHERE f.electronic) AS electronic,
             count(*) FILTER (WHERE f.via_hub) AS via_hub
           FROM document_facts d ${issuedDocumentFlags}
           WHERE d.agency_code = t.agency_code AND d.issued_at >= t.from_at AND d.issued_at < t.to_at
         ) i
       ON CONFLICT (month, agency_code) DO UPDATE SET
         outgoing = EXCLUDED.outgoing, incoming = EXCLUDED.incoming, internal = EXCLUDED.internal,
         incoming_electronic = EXCLUDED.incoming_electronic, digitised = EXCLUDED.digitised, issued = EXCLUDED.issued,
         signed = EXCLUDED.signed, personal = EXCLUDED.personal, organisation = EXCLUDED.organisation,
         both_signatures = EXCLUDED.both_signatures, initialled = EXCLUDED.initialled, validated = EXCLUDED.validated,
         electronic = EXCLUDED.electronic, via_hub = EXCLUDED.via_hub
       -- An unchanged row is left as it is: no new row version for every batch that recounts it.
       WHERE (agency_month_documents.*) IS DISTINCT FROM (EXCLUDED.*)
     ),
     -- Certificate holders at the end of a month change only in the months a certificate was registered, activated
     -- or ended in, or a holder first signed in: the counts are kept for those months, each standing until the next.
     certificate_months AS (
       -- Each agency's certificates read through its index (a join from the agencies, not a filter on the table).
       SELECT c.agency_code, m.month
         FROM unnest($2::text[]) AS a(agency_code) JOIN certificate_facts c ON c.agency_code = a.agency_code
        CROSS JOIN LATERAL (VALUES (vietnam_month(c.registered_at)), (vietnam_month(c.activated_at)),
                                   (vietnam_month(c.ended_at))) AS m(month)
        WHERE m.month IS NOT NULL
       UNION
       SELECT f.agency_code, vietnam_month(f.first_signed_at)
         FROM unnest($2::text[]) AS a(agency_code) JOIN signer_facts f ON f.agency_code = a.agency_code
     ),
     certificate_counts AS (
       SELECT m.agency_code, m.month, h.holders, h.activated, h.approval_signers, h.initial_signers
         FROM certificate_months m
         CROSS JOIN LATERAL (SELECT vietnam_month_start(m.month, 1) AS month_end) e
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE p.held) AS holders,
             count(*) FILTER (WHERE p.activated) AS activated,
             count(*) FILTER (WHERE p.activated AND approval.first_signed_at < e.month_end) AS approval_signers,
             count(*) FILTER (WHERE p.activated AND initial.first_signed_at < e.month_end) AS initial_signers
           -- Each person once, their certificates folded: held at the month's end when registered before it and not
           -- released or suspended since the latest registration; activated once activated after registering.
           FROM (
             SELECT c.user_id, bool_or(c.registered_at < e.month_end) AS held,
                    bool_or(c.activated_at < e.month_end AND c.activated_at >= c.registered_at) AS activated
               FROM certificate_facts c
              WHERE c.agency_code = m.agency_code
                AND NOT (c.ended_at IS NOT NULL AND c.ended_at < e.month_end
                         AND c.ended_at >= COALESCE(c.registered_at, c.ended_at))
              GROUP BY c.user_id
           ) p
           LEFT JOIN signer_facts approval ON approval.agency_code = m.agency_code AND approval.user_id = p.user_id
                 AND approval.kind = 'approval'
           LEFT JOIN signer_facts initial ON initial.agency_code = m.agency_code AND initial.user_id = p.user_id
                 AND initial.kind = 'initial'
         ) h
     ),
     certificates AS (
       INSERT INTO agency_month_certificates (agency_code, month, holders, activated, approval_signers, initial_signers)
       SELECT agency_code, month, holders, activated, approval_signers, initial_signers FROM certificate_counts
       ON CONFLICT (agency_code, month) DO UPDATE SET
         holders = EXCLUDED.holders, activated = EXCLUDED.activated, approval_signers = EXCLUDED.approval_signers,
         initial_signers = EXCLUDED.initial_signers
       WHERE (agency_month_certificates.*) IS DISTINCT FROM (EXCLUDED.*)
     ),
     -- A month no longer a change (a certificate's event replaced a time) goes: the month before it stands instead.
     stale_certificates AS (
       DELETE FROM agency_month_certificates a
        USING unnest($2::text[]) AS t(agency_code)
        WHERE a.agency_code = t.agency_code
          AND NOT EXISTS (SELECT 1 FROM certificate_counts n WHERE n.agency_code = a.agency_code AND n.month = a.month)
     )
     SELECT 1`,
    [documentIds, certificateAgencies],
  );
}

/** Every kept count recomputed from all the facts (a test's independent check of what the batches kept). */
export async function refreshAllRollUps(tx: Tx): Promise<void> {
  const { rows: facts } = await tx.query<{ agencies: string[] | null; documents: string[] | null }>(
    `SELECT (SELECT array_agg(agency_code) FROM (SELECT agency_code FROM document_facts
               UNION SELECT agency_code FROM signature_facts UNION SELECT agency_code FROM certificate_facts
               UNION SELECT agency_code FROM process_facts UNION SELECT agency_code FROM exchange_facts
               UNION SELECT agency_code FROM consultation_facts) a) AS agencies,
            (SELECT array_agg(document_id) FROM document_facts) AS documents`,
  );
  const { rows: signers } = await tx.query<{ agency_code: string; signer_user_id: string; kind: string; at: string }>(
    `SELECT agency_code, signer_user_id, kind, signed_at::text AS at FROM signature_facts
      WHERE signer_user_id IS NOT NULL`,
  );
  const { rows: holders } = await tx.query<{ agency_code: string }>(
    'SELECT DISTINCT agency_code FROM certificate_facts',
  );
  await refreshRollUps(tx, {
    agencies: facts[0]?.agencies ?? [],
    signers: signers.map((s) => ({
      agencyCode: s.agency_code,
      userId: s.signer_user_id,
      kind: s.kind,
      signedAt: s.at,
    })),
    documentIds: facts[0]?.documents ?? [],
    certificateAgencies: [...new Set([...holders.map((h) => h.agency_code), ...signers.map((s) => s.agency_code)])],
  });
}
