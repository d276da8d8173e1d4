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
};
type MemberRow = {
  user_id: string;
  answer: ConsultationAnswer | null;
  comment: string | null;
  answered_at: Date | null;
  overdue_at: Date | null;
};

const columns =
  'id, agency_code, document_id, process_id, question, completion, due_at, state, close_reason, opened_by, opened_at, closed_at, reminded_at';

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
    members: members.map((m) => ({
      userId: m.user_id,
      answer: m.answer,
      comment: m.comment,
      answeredAt: m.answered_at,
      overdueAt: m.overdue_at,
    })),
  };
}

async function membersOf(tx: Tx, consultationId: string): Promise<MemberRow[]> {
  const { rows } = await tx.query<MemberRow>(
    'SELECT user_id, answer, comment, answered_at, overdue_at FROM consultation_members WHERE consultation_id = $1 ORDER BY user_id',
    [consultationId],
  );
  return rows;
}

export async function insertConsultation(
  tx: Tx,
  row: Omit<ConsultationRecord, 'state' | 'closeReason' | 'closedAt' | 'remindedAt' | 'members'> & {
    members: string[];
  },
): Promise<ConsultationRecord> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO consultations (id, agency_code, document_id, process_id, question, completion, due_at, opened_by, opened_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${columns}`,
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
  input: { consultationId: string; userId: string; answer: ConsultationAnswer; comment: string | null; at: Date },
): Promise<void> {
  await tx.query(
    `UPDATE consultation_members SET answer = $3, comment = $4, answered_at = $5
      WHERE consultation_id = $1 AND user_id = $2 AND answer IS NULL`,
    [input.consultationId, input.userId, input.answer, input.comment, input.at],
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
