import type { Tx } from '@vanthu/platform';

export type SubmissionTrigger = 'scheduled' | 'agency';

/** The organisation seal on the stored PDF (null when it was stored unsealed). */
export type SubmissionSeal = {
  level: string;
  certificateSha256: string;
  certificateSubject: string;
  signedAt: string;
};

export type SubmissionRow = {
  agencyCode: string;
  month: string;
  revision: number;
  trigger: SubmissionTrigger;
  submittedBy: string | null;
  submittedAt: string;
  definitionsVersion: string;
  sha256: string;
  sizeBytes: number;
  seal: SubmissionSeal | null;
};

export type SubmissionRun = { month: string; dueOn: string; startedAt: string; completedAt: string | null };

type Row = {
  agency_code: string;
  month: string;
  revision: number;
  trigger: SubmissionTrigger;
  submitted_by: string | null;
  submitted_at: Date;
  definitions_version: string;
  sha256: string;
  size_bytes: number;
  seal: SubmissionSeal | null;
};

const columns = `agency_code, month, revision, trigger, submitted_by, submitted_at, definitions_version, sha256,
  octet_length(pdf) AS size_bytes, seal`;

const toSubmission = (row: Row): SubmissionRow => ({
  agencyCode: row.agency_code,
  month: row.month,
  revision: row.revision,
  trigger: row.trigger,
  submittedBy: row.submitted_by,
  submittedAt: row.submitted_at.toISOString(),
  definitionsVersion: row.definitions_version,
  sha256: row.sha256,
  sizeBytes: Number(row.size_bytes),
  seal: row.seal,
});

/**
 * Stores the next revision of an agency's month. The transaction-scoped lock on (agency, month) orders concurrent
 * submissions so revisions are 1, 2, 3… without gaps; a scheduled one is skipped (null) when the month already has
 * any submission, so the month-start job never submits twice.
 */
export async function insertSubmission(
  tx: Tx,
  submission: {
    agencyCode: string;
    month: string;
    trigger: SubmissionTrigger;
    submittedBy: string | null;
    submittedAt: string;
    definitionsVersion: string;
    report: unknown;
    pdf: Buffer;
    sha256: string;
    seal: SubmissionSeal | null;
  },
): Promise<SubmissionRow | null> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
    `report-submission/${submission.agencyCode}/${submission.month}`,
  ]);
  const { rows } = await tx.query<Row>(
    `INSERT INTO report_submissions (agency_code, month, revision, trigger, submitted_by, submitted_at,
       definitions_version, report, pdf, sha256, seal)
     SELECT $1::text, $2::text, COALESCE(max(revision), 0) + 1, $3::text, $4::text, $5::timestamptz, $6::text,
            $7::jsonb, $8::bytea, $9::text, $10::jsonb
       FROM report_submissions WHERE agency_code = $1 AND month = $2
     HAVING $3::text = 'agency' OR count(*) = 0
     RETURNING ${columns}`,
    [
      submission.agencyCode,
      submission.month,
      submission.trigger,
      submission.submittedBy,
      submission.submittedAt,
      submission.definitionsVersion,
      JSON.stringify(submission.report),
      submission.pdf,
      submission.sha256,
      submission.seal === null ? null : JSON.stringify(submission.seal),
    ],
  );
  return rows[0] ? toSubmission(rows[0]) : null;
}

/** Every revision of the month (of one agency, or of all when agencyCode is null), latest revision first. */
export async function listSubmissions(
  tx: Tx,
  query: { month: string; agencyCode: string | null },
): Promise<SubmissionRow[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM report_submissions
      WHERE month = $1 AND ($2::text IS NULL OR agency_code = $2)
      ORDER BY agency_code, revision DESC`,
    [query.month, query.agencyCode],
  );
  return rows.map(toSubmission);
}

/** A stored PDF: the given revision, or the latest. */
export async function findSubmittedPdf(
  tx: Tx,
  query: { agencyCode: string; month: string; revision: number | null },
): Promise<{ submission: SubmissionRow; pdf: Buffer } | null> {
  const { rows } = await tx.query<Row & { pdf: Buffer }>(
    `SELECT ${columns}, pdf FROM report_submissions
      WHERE agency_code = $1 AND month = $2 AND ($3::integer IS NULL OR revision = $3)
      ORDER BY revision DESC LIMIT 1`,
    [query.agencyCode, query.month, query.revision],
  );
  const row = rows[0];
  return row ? { submission: toSubmission(row), pdf: row.pdf } : null;
}

/**
 * Every agency the projections know (province_agencies: the province as reporting sees it) and every agency that submitted the month;
 * those without a submission of the month first need one.
 */
export async function agenciesOfProvince(tx: Tx, month: string): Promise<{ agencyCode: string; submitted: boolean }[]> {
  const { rows } = await tx.query<{ agency_code: string; submitted: boolean }>(
    `SELECT a.agency_code, EXISTS (SELECT 1 FROM report_submissions s WHERE s.agency_code = a.agency_code
              AND s.month = $1) AS submitted
       FROM (SELECT agency_code FROM province_agencies
             UNION SELECT agency_code FROM report_submissions WHERE month = $1) a
      ORDER BY a.agency_code`,
    [month],
  );
  return rows.map((row) => ({ agencyCode: row.agency_code, submitted: row.submitted }));
}

/** Opens the month's run once (the first replica to see the day wins; the others find it). */
export async function openSubmissionRun(
  tx: Tx,
  run: { month: string; dueOn: string; startedAt: string },
): Promise<SubmissionRun> {
  await tx.query(
    `INSERT INTO submission_runs (month, due_on, started_at) VALUES ($1, $2, $3) ON CONFLICT (month) DO NOTHING`,
    [run.month, run.dueOn, run.startedAt],
  );
  return (await findSubmissionRun(tx, run.month)) as SubmissionRun;
}

/**
 * The run of the month, locked for this transaction; false when another replica holds it. A run that found every
 * agency submitted is taken again when an agency appears later (runMonthlySubmissions).
 */
export async function claimSubmissionRun(tx: Tx, month: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM submission_runs WHERE month = $1 FOR UPDATE SKIP LOCKED', [month]);
  return (rowCount ?? 0) > 0;
}

export async function countSubmittedByRun(tx: Tx, month: string): Promise<void> {
  await tx.query('UPDATE submission_runs SET submitted = submitted + 1 WHERE month = $1', [month]);
}

/** When the run last finished with no agency left to submit; null while one is left. */
export async function markSubmissionRun(tx: Tx, month: string, completedAt: string | null): Promise<void> {
  await tx.query('UPDATE submission_runs SET completed_at = $2 WHERE month = $1', [month, completedAt]);
}

export async function findSubmissionRun(tx: Tx, month: string): Promise<SubmissionRun | null> {
  const { rows } = await tx.query<{ month: string; due_on: string; started_at: Date; completed_at: Date | null }>(
    `SELECT month, to_char(due_on, 'YYYY-MM-DD') AS due_on, started_at, completed_at FROM submission_runs
      WHERE month = $1`,
    [month],
  );
  const row = rows[0];
  return row
    ? {
        month: row.month,
        dueOn: row.due_on,
        startedAt: row.started_at.toISOString(),
        completedAt: row.completed_at?.toISOString() ?? null,
      }
    : null;
}
