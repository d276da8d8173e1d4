import type { Tx } from '@vanthu/platform';

export type ConsultationCompletion = 'all' | 'any' | { quorum: number };
export type ConsultationAnswer = 'agree' | 'disagree' | 'comments';

export type ConsultationMember = {
  userId: string;
  answer: ConsultationAnswer | null;
  comment: string | null;
  answeredAt: Date | null;
  /** Set when the deadline passed without this member's answer (a late answer keeps it). */
  overdueAt: Date | null;
  /** The signature on the answer sheet that carried the answer (consultations with signed answers). */
  signatureId: string | null;
  answerSheetId: string | null;
};

export type ConsultationRecord = {
  id: string;
  agencyCode: string;
  documentId: string;
  processId: string | null;
  question: string;
  completion: ConsultationCompletion;
  dueAt: Date;
  state: 'open' | 'closed';
  closeReason: 'completion-rule' | 'closed-by-opener' | null;
  openedBy: string;
  openedAt: Date;
  closedAt: Date | null;
  remindedAt: Date | null;
  /** Answers count only as answer sheets signed by the member (docs/domain/directives.md, Đà Nẵng §3b). */
  signedAnswers: boolean;
  /** The summary of answers stored in documents at the close, and the dossier it was filed in. */
  summaryDocumentId: string | null;
  summaryDossierId: string | null;
  members: ConsultationMember[];
};

type Row = {
  id: string;
  agency_code: string;
  document_id: string;
  process_id: string | null;
  question: string;
  completion: ConsultationCompletion;
  due_at: Date;
  state: 'open' | 'closed';
  close_reason: 'completion-rule' | 'closed-by-opener' | null;
  opened_by: string;
  opened_at: Date;
  closed_at: Date | null;
  reminded_at: Date | null;
  signed_answers: boolean;
  summary_document_id: string | null;
  summary_dossier_id: string | null;
};
type MemberRow = {
  user_id: string;
  answer: ConsultationAnswer | null;
  comment: string | null;
  answered_at: Date | null;
  overdue_at: Date | null;
  signature_id: string | null;
  answer_sheet_id: string | null;
};

const columns = `id, agency_code, document_id, process_id, question, completion, due_at, state, close_reason, opened_by,
  opened_at, closed_at, reminded_at, signed_answers, summary_document_id, summary_dossier_id`;

function toConsultation(row: Row, members: MemberRow[]): ConsultationRecord {
  return {
    id: row.id,
    agencyCode: row.agency_code,
    documentId: row.document_id,
    processId: row.process_id,
    question: row.question,
    completion: row.completion,
    dueAt: row.due_at,
    state: row.state,
    closeReason: row.close_reason,
    openedBy: row.opened_by,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    remindedAt: row.reminded_at,
    signedAnswers: row.signed_answers,
    summaryDocumentId: row.summary_document_id,
    summaryDossierId: row.summary_dossier_id,
    members: members.map((m) => ({
      userId: m.user_id,
      answer: m.answer,
      comment: m.comment,
      answeredAt: m.answered_at,
      overdueAt: m.overdue_at,
      signatureId: m.signature_id,
      answerSheetId: m.answer_sheet_id,
    })),
  };
}

async function membersOf(tx: Tx, consultationId: string): Promise<MemberRow[]> {
  const { rows } = await tx.query<MemberRow>(
    `SELECT user_id, answer, comment, answered_at, overdue_at, signature_id, answer_sheet_id
       FROM consultation_members WHERE consultation_id = $1 ORDER BY user_id`,
    [consultationId],
  );
  return rows;
}

export async function insertConsultation(
  tx: Tx,
  row: Omit<
    ConsultationRecord,
    'state' | 'closeReason' | 'closedAt' | 'remindedAt' | 'members' | 'summaryDocumentId' | 'summaryDossierId'
  > & {
    members: string[];
  },
): Promise<ConsultationRecord> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO consultations (id, agency_code, document_id, process_id, question, completion, due_at, opened_by, opened_at,
        signed_answers)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
    [
      row.id,
      row.agencyCode,
      row.documentId,
      row.processId,
      row.question,
      JSON.stringify(row.completion),
      row.dueAt,
      row.openedBy,
      row.openedAt,
      row.signedAnswers,
    ],
  );
  await tx.query('INSERT INTO consultation_members (consultation_id, user_id) SELECT $1, unnest($2::text[])', [
    row.id,
    row.members,
  ]);
  return toConsultation(rows[0] as Row, await membersOf(tx, row.id));
}

/** The consultation of the agency, locked when `lock` (answers and the close serialise on it). */
export async function findConsultation(
  tx: Tx,
  agencyCode: string,
  id: string,
  lock = false,
): Promise<ConsultationRecord | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM consultations WHERE id = $1 AND agency_code = $2${lock ? ' FOR UPDATE' : ''}`,
    [id, agencyCode],
  );
  return rows[0] ? toConsultation(rows[0], await membersOf(tx, id)) : undefined;
}

export async function recordAnswer(
  tx: Tx,
  input: {
    consultationId: string;
    userId: string;
    answer: ConsultationAnswer;
    comment: string | null;
    at: Date;
    signed?: { signatureId: string; answerSheetId: string };
  },
): Promise<void> {
  await tx.query(
    `UPDATE consultation_members SET answer = $3, comment = $4, answered_at = $5, signature_id = $6, answer_sheet_id = $7
      WHERE consultation_id = $1 AND user_id = $2 AND answer IS NULL`,
    [
      input.consultationId,
      input.userId,
      input.answer,
      input.comment,
      input.at,
      input.signed?.signatureId ?? null,
      input.signed?.answerSheetId ?? null,
    ],
  );
}

export async function setConsultationSummary(
  tx: Tx,
  id: string,
  summary: { documentId: string; dossierId: string | null },
): Promise<void> {
  await tx.query('UPDATE consultations SET summary_document_id = $2, summary_dossier_id = $3 WHERE id = $1', [
    id,
    summary.documentId,
    summary.dossierId,
  ]);
}

// Answer sheets (phiếu lấy ý kiến) of consultations that take signed answers.

export type AnswerSheetRecord = {
  documentId: string;
  consultationId: string;
  agencyCode: string;
  userId: string;
  answer: ConsultationAnswer;
  comment: string | null;
  version: number;
  sha256: string;
  state: 'awaiting-signature' | 'accepted' | 'superseded';
  signatureId: string | null;
  createdAt: Date;
  acceptedAt: Date | null;
};

type SheetRow = {
  document_id: string;
  consultation_id: string;
  agency_code: string;
  user_id: string;
  answer: ConsultationAnswer;
  comment: string | null;
  version: number;
  sha256: string;
  state: AnswerSheetRecord['state'];
  signature_id: string | null;
  created_at: Date;
  accepted_at: Date | null;
};

const sheetColumns = `document_id, consultation_id, agency_code, user_id, answer, comment, version, sha256, state,
  signature_id, created_at, accepted_at`;

function toSheet(row: SheetRow): AnswerSheetRecord {
  return {
    documentId: row.document_id,
    consultationId: row.consultation_id,
    agencyCode: row.agency_code,
    userId: row.user_id,
    answer: row.answer,
    comment: row.comment,
    version: row.version,
    sha256: row.sha256,
    state: row.state,
    signatureId: row.signature_id,
    createdAt: row.created_at,
    acceptedAt: row.accepted_at,
  };
}

type NewSheet = Omit<AnswerSheetRecord, 'state' | 'signatureId' | 'acceptedAt'>;

/** A new sheet's values, in the order of the column list both inserts below name. */
const newSheetValues = (sheet: NewSheet) => [
  sheet.documentId,
  sheet.consultationId,
  sheet.agencyCode,
  sheet.userId,
  sheet.answer,
  sheet.comment,
  sheet.version,
  sheet.sha256,
  sheet.createdAt,
];

/** A member's new sheet replaces the one they have not signed yet (they changed their answer before signing). */
export async function insertAnswerSheet(tx: Tx, sheet: NewSheet): Promise<AnswerSheetRecord> {
  await tx.query(
    `UPDATE consultation_answer_sheets SET state = 'superseded'
      WHERE consultation_id = $1 AND user_id = $2 AND state = 'awaiting-signature'`,
    [sheet.consultationId, sheet.userId],
  );
  // The same answer asked for again after another one: documents gave back that answer's sheet, which waits again.
  const { rows } = await tx.query<SheetRow>(
    `INSERT INTO consultation_answer_sheets (document_id, consultation_id, agency_code, user_id, answer, comment, version,
        sha256, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (document_id) DO UPDATE SET state = 'awaiting-signature', version = EXCLUDED.version,
        sha256 = EXCLUDED.sha256
      WHERE consultation_answer_sheets.state = 'superseded'
     RETURNING ${sheetColumns}`,
    newSheetValues(sheet),
  );
  if (!rows[0]) throw new Error(`answer sheet ${sheet.documentId} is already ${sheet.userId}'s accepted answer`);
  return toSheet(rows[0]);
}

/**
 * A sheet documents stored for a request that was refused after all (the consultation closed, or the member's answer
 * was accepted, while it was stored): kept as superseded, so routing knows every sheet documents holds.
 */
export async function recordSupersededSheet(tx: Tx, sheet: NewSheet): Promise<void> {
  await tx.query(
    `INSERT INTO consultation_answer_sheets (document_id, consultation_id, agency_code, user_id, answer, comment, version,
        sha256, state, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'superseded', $9)
     ON CONFLICT (document_id) DO NOTHING`,
    newSheetValues(sheet),
  );
}

/** The member's sheet that waits for their signature, if any. */
export async function findWaitingSheet(
  tx: Tx,
  consultationId: string,
  userId: string,
): Promise<AnswerSheetRecord | undefined> {
  const { rows } = await tx.query<SheetRow>(
    `SELECT ${sheetColumns} FROM consultation_answer_sheets
      WHERE consultation_id = $1 AND user_id = $2 AND state = 'awaiting-signature'`,
    [consultationId, userId],
  );
  return rows[0] ? toSheet(rows[0]) : undefined;
}

/** The time of the first request for this answer (and comment) of this member: later requests print the same. */
export async function reserveSheetTime(
  db: Tx,
  input: { consultationId: string; userId: string; answer: ConsultationAnswer; commentSha256: string; at: Date },
): Promise<Date> {
  const { rows } = await db.query<{ written_at: Date }>(
    `INSERT INTO consultation_sheet_times (consultation_id, user_id, answer, comment_sha256, written_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (consultation_id, user_id, answer, comment_sha256)
       DO UPDATE SET written_at = consultation_sheet_times.written_at
     RETURNING written_at`,
    [input.consultationId, input.userId, input.answer, input.commentSha256, input.at],
  );
  return (rows[0] as { written_at: Date }).written_at;
}

/**
 * The summary a first attempt to close this consultation asked documents to store (`firstSummary`, kept before
 * documents was called), and the document documents stored it as once that is known. The first call keeps what it
 * is given; later ones get back what the first kept.
 */
export async function reserveSummaryRequest(
  db: Tx,
  input: { consultationId: string; firstSummary: Record<string, unknown> },
): Promise<{ firstSummary: Record<string, unknown> | null; documentId: string | null }> {
  const { rows } = await db.query<{ first_summary: Record<string, unknown> | null; document_id: string | null }>(
    `INSERT INTO consultation_summary_documents (consultation_id, first_summary) VALUES ($1, $2)
     ON CONFLICT (consultation_id) DO UPDATE SET consultation_id = EXCLUDED.consultation_id
     RETURNING first_summary, document_id`,
    [input.consultationId, JSON.stringify(input.firstSummary)],
  );
  const row = rows[0] as { first_summary: Record<string, unknown> | null; document_id: string | null };
  return { firstSummary: row.first_summary, documentId: row.document_id };
}

export async function recordSummaryDocument(
  db: Tx,
  input: { consultationId: string; documentId: string },
): Promise<void> {
  await db.query(
    `UPDATE consultation_summary_documents SET document_id = $2 WHERE consultation_id = $1 AND document_id IS NULL`,
    [input.consultationId, input.documentId],
  );
}

export async function findAnswerSheet(
  tx: Tx,
  agencyCode: string,
  documentId: string,
): Promise<AnswerSheetRecord | undefined> {
  const { rows } = await tx.query<SheetRow>(
    `SELECT ${sheetColumns} FROM consultation_answer_sheets WHERE document_id = $1 AND agency_code = $2 FOR UPDATE`,
    [documentId, agencyCode],
  );
  return rows[0] ? toSheet(rows[0]) : undefined;
}

export async function acceptAnswerSheet(
  tx: Tx,
  documentId: string,
  accepted: { signatureId: string; at: Date },
): Promise<void> {
  await tx.query(
    `UPDATE consultation_answer_sheets SET state = 'accepted', signature_id = $2, accepted_at = $3 WHERE document_id = $1`,
    [documentId, accepted.signatureId, accepted.at],
  );
}

export async function closeConsultation(
  tx: Tx,
  input: { id: string; reason: 'completion-rule' | 'closed-by-opener'; at: Date },
): Promise<void> {
  await tx.query(
    `UPDATE consultations SET state = 'closed', close_reason = $2, closed_at = $3 WHERE id = $1 AND state = 'open'`,
    [input.id, input.reason, input.at],
  );
}

export async function markConsultationReminded(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.query('UPDATE consultations SET reminded_at = $2 WHERE id = $1', [id, at]);
}

/** Marks the answers still missing overdue; returns the members marked now (none twice). */
export async function markUnansweredOverdue(tx: Tx, id: string, at: Date): Promise<string[]> {
  const { rows } = await tx.query<{ user_id: string }>(
    `UPDATE consultation_members SET overdue_at = $2
      WHERE consultation_id = $1 AND answer IS NULL AND overdue_at IS NULL RETURNING user_id`,
    [id, at],
  );
  return rows.map((r) => r.user_id).sort();
}
