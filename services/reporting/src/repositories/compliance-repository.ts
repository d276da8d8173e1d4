import type { Tx } from '@vanthu/platform';
import { handlingTasks, processingScope } from './handling-tasks';
import { issuedDocumentFlags } from './issued-documents';

export type MonthlyAgencyCounts = {
  agencyCode: string;
  created: { outgoing: number; incoming: number; internal: number };
  issued: number;
  issuedSigned: number;
  issuedPersonal: number;
  issuedOrganisation: number;
  issuedBoth: number;
  issuedInitialled: number;
  issuedValidated: number;
  issuedElectronic: number;
  issuedViaHub: number;
  incoming: number;
  incomingElectronic: number;
  digitised: number;
  incomingHandlingDue: number;
  incomingHandledOnTime: number;
  cooperationDue: number;
  cooperatedOnTime: number;
  consultationAnswers: number;
  consultationAnswersOnTime: number;
  certificateHolders: number;
  activatedHolders: number;
  approvalSignersActivated: number;
  initialSignersActivated: number;
};

// The issued documents of a month (and of an agency, or every agency) with their flags at issue.
const issuedDocuments = `
  SELECT d.document_id, d.agency_code, d.notation, d.issued_at AS at, d.form, f.personal, f.organisation
  FROM document_facts d ${issuedDocumentFlags}
  WHERE d.issued_at >= $1 AND d.issued_at < $2 AND ($3::text IS NULL OR d.agency_code = $3)`;

const n = (value: unknown): number => Number(value ?? 0);

/**
 * Raw counts per agency for one month; `agencyCode` null gives every agency seen in any projection.
 * `asOf` (now) decides which open tasks are already overdue.
 */
export async function monthlyAgencyCounts(
  tx: Tx,
  range: { from: string; to: string; agencyCode: string | null; asOf: string },
): Promise<MonthlyAgencyCounts[]> {
  // Without JIT: with planner statistics this query's estimated cost passes PostgreSQL's JIT thresholds
  // (jit_inline_above_cost, jit_optimize_above_cost: 500,000) and compiling it took 4.6 s of a 4.7 s run for a
  // query that executes in about 60 ms (EXPLAIN ANALYZE in bench/reporting/results.md).
  await tx.query('SET LOCAL jit = off');
  const { rows } = await tx.query<Record<string, unknown>>(
    `WITH agencies AS (
       -- Every agency any projection has seen (province_agencies, kept by the projection's write batch).
       SELECT agency_code FROM province_agencies WHERE $3::text IS NULL OR agency_code = $3
       UNION SELECT $3::text WHERE $3::text IS NOT NULL
     ),
     -- The month's document counts per agency, kept in the projection's transaction (agency_month_documents,
     -- roll-up-repository.ts): recounted from the facts whenever a batch writes facts of that agency-month, so a
     -- report reads one row per agency instead of every document of the month.
     documents AS (
       SELECT * FROM agency_month_documents
        WHERE month = vietnam_month($1::timestamptz) AND ($3::text IS NULL OR agency_code = $3)
     ),
     -- The handling of incoming documents due in the month (NĐ 30/2020 Điều 23–24), the lead's (chủ trì) and the
     -- cooperating units' (phối hợp) apart: due once done or once the deadline passed, on time when routing found it
     -- done by the deadline.
     handling AS (
       SELECT agency_code,
         count(*) FILTER (WHERE distribution_role = 'lead' AND state IN ('on-time', 'late', 'overdue')) AS due,
         count(*) FILTER (WHERE distribution_role = 'lead' AND state = 'on-time') AS on_time,
         count(*) FILTER (WHERE distribution_role = 'cooperate' AND state IN ('on-time', 'late', 'overdue'))
           AS cooperation_due,
         count(*) FILTER (WHERE distribution_role = 'cooperate' AND state = 'on-time') AS cooperated_on_time
       FROM (${handlingTasks()}) h
       WHERE ${processingScope.incoming} AND due_at >= $1 AND due_at < $2
         AND ($3::text IS NULL OR agency_code = $3)
       GROUP BY agency_code
     ),
     -- Members asked in consultations opened in the month: due once answered or once the deadline passed without an
     -- answer (as of $4), on time when routing found the answer given by the deadline.
     consultations AS (
       SELECT agency_code,
         count(*) FILTER (WHERE answered_at IS NOT NULL OR due_at < $4::timestamptz) AS answers,
         count(*) FILTER (WHERE on_time) AS on_time
       FROM consultation_member_facts
       WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text IS NULL OR agency_code = $3)
       GROUP BY agency_code
     ),
     -- Certificate holders at the end of the month (agency_month_certificates, kept by the projection: a row per
     -- month the counts changed in, standing until the next): each agency's latest row up to the month.
     holders AS (
       SELECT DISTINCT ON (agency_code) agency_code, holders, activated, approval_signers, initial_signers
         FROM agency_month_certificates
        WHERE month <= vietnam_month($1::timestamptz) AND ($3::text IS NULL OR agency_code = $3)
        ORDER BY agency_code, month DESC
     )
     SELECT a.agency_code, m.outgoing, m.incoming, m.internal, m.incoming_electronic, m.digitised,
            m.issued, m.signed, m.personal, m.organisation, m.both_signatures AS both, m.initialled, m.validated,
            m.electronic, m.via_hub,
            p.due AS handling_due, p.on_time AS handled_on_time, p.cooperation_due, p.cooperated_on_time, co.answers, co.on_time AS answers_on_time,
            h.holders, h.activated, h.approval_signers, h.initial_signers
       FROM agencies a
       LEFT JOIN documents m ON m.agency_code = a.agency_code
       LEFT JOIN handling p ON p.agency_code = a.agency_code
       LEFT JOIN consultations co ON co.agency_code = a.agency_code
       LEFT JOIN holders h ON h.agency_code = a.agency_code
      ORDER BY a.agency_code`,
    [range.from, range.to, range.agencyCode, range.asOf],
  );
  return rows.map((row) => ({
    agencyCode: String(row.agency_code),
    created: { outgoing: n(row.outgoing), incoming: n(row.incoming), internal: n(row.internal) },
    issued: n(row.issued),
    issuedSigned: n(row.signed),
    issuedPersonal: n(row.personal),
    issuedOrganisation: n(row.organisation),
    issuedBoth: n(row.both),
    issuedInitialled: n(row.initialled),
    issuedValidated: n(row.validated),
    issuedElectronic: n(row.electronic),
    issuedViaHub: n(row.via_hub),
    incoming: n(row.incoming),
    incomingElectronic: n(row.incoming_electronic),
    digitised: n(row.digitised),
    incomingHandlingDue: n(row.handling_due),
    incomingHandledOnTime: n(row.handled_on_time),
    cooperationDue: n(row.cooperation_due),
    cooperatedOnTime: n(row.cooperated_on_time),
    consultationAnswers: n(row.answers),
    consultationAnswersOnTime: n(row.answers_on_time),
    certificateHolders: n(row.holders),
    activatedHolders: n(row.activated),
    approvalSignersActivated: n(row.approval_signers),
    initialSignersActivated: n(row.initial_signers),
  }));
}

export type FindingKind =
  | 'without-personal-signature'
  | 'without-organisation-signature'
  | 'digitised-only'
  | 'incoming-overdue'
  | 'outgoing-overdue';

export type FindingRow = {
  /** The keyset id: the document, or the task for the overdue lists. */
  id: string;
  documentId: string;
  agencyCode: string;
  notation: string | null;
  at: string;
  personal: boolean;
  organisation: boolean;
  form: string;
  task: { taskId: string; step: string | null; dueAt: string; unit: string | null; assignee: string | null } | null;
};

/**
 * The documents behind a figure, in (time, id) order from a keyset cursor: issued documents
 * missing a signature, or digitised paper copies made in the month.
 */
export async function listFindings(
  tx: Tx,
  query: {
    kind: FindingKind;
    from: string;
    to: string;
    agencyCode: string | null;
    after: { at: string; id: string } | null;
    limit: number;
    asOf: string;
  },
): Promise<FindingRow[]> {
  const taskKind = query.kind === 'incoming-overdue' || query.kind === 'outgoing-overdue';
  const noTask =
    'NULL::uuid AS task_id, NULL::text AS step, NULL::timestamptz AS due_at, NULL::text AS unit, NULL::text AS person';
  const source =
    query.kind === 'digitised-only'
      ? `SELECT d.document_id AS id, d.document_id, d.agency_code, d.notation, d.created_at AS at, d.form,
                EXISTS (SELECT 1 FROM signature_facts s WHERE s.document_id = d.document_id AND s.kind = 'approval'
                         AND s.signer_user_id IS NOT NULL) AS personal,
                EXISTS (SELECT 1 FROM signature_facts s WHERE s.document_id = d.document_id
                         AND s.kind IN ('issue', 'copy', 'digitisation')) AS organisation, ${noTask}
           FROM document_facts d
          WHERE d.form = 'digitised' AND d.created_at >= $1 AND d.created_at < $2
            AND ($3::text IS NULL OR d.agency_code = $3)`
      : taskKind
        ? `SELECT h.task_id AS id, h.document_id, h.agency_code, d.notation, h.due_at AS at,
                  COALESCE(d.form, 'electronic') AS form,
                  EXISTS (SELECT 1 FROM signature_facts s WHERE s.document_id = h.document_id AND s.kind = 'approval'
                           AND s.signer_user_id IS NOT NULL) AS personal,
                  EXISTS (SELECT 1 FROM signature_facts s WHERE s.document_id = h.document_id
                           AND s.kind = 'issue') AS organisation,
                  h.task_id, h.step, h.due_at, h.assignee_unit AS unit, h.person
             FROM (${handlingTasks('$7')}) h LEFT JOIN document_facts d ON d.document_id = h.document_id
            WHERE h.state = 'overdue' AND ${processingScope[query.kind === 'incoming-overdue' ? 'incoming' : 'outgoing']}
              AND h.due_at >= $1 AND h.due_at < $2 AND ($3::text IS NULL OR h.agency_code = $3)`
        : `SELECT document_id AS id, document_id, agency_code, notation, at, form, personal, organisation, ${noTask}
             FROM (${issuedDocuments}) issued
            WHERE ${query.kind === 'without-personal-signature' ? 'NOT personal' : 'NOT organisation'}`;
  const { rows } = await tx.query<{
    id: string;
    document_id: string;
    agency_code: string;
    notation: string | null;
    at: Date;
    form: string;
    personal: boolean;
    organisation: boolean;
    task_id: string | null;
    step: string | null;
    due_at: Date | null;
    unit: string | null;
    person: string | null;
  }>(
    `SELECT * FROM (${source}) found
      WHERE $4::timestamptz IS NULL OR (at, id) > ($4::timestamptz, $5::uuid)
      ORDER BY at, id LIMIT $6`,
    [
      query.from,
      query.to,
      query.agencyCode,
      query.after?.at ?? null,
      query.after?.id ?? null,
      query.limit,
      // Only the overdue lists judge open tasks at a time.
      ...(taskKind ? [query.asOf] : []),
    ],
  );
  return rows.map((row) => ({
    id: row.id,
    documentId: row.document_id,
    agencyCode: row.agency_code,
    notation: row.notation,
    at: row.at.toISOString(),
    personal: row.personal,
    organisation: row.organisation,
    form: row.form,
    task:
      row.task_id && row.due_at
        ? { taskId: row.task_id, step: row.step, dueAt: row.due_at.toISOString(), unit: row.unit, assignee: row.person }
        : null,
  }));
}
