import type { Tx } from '@vanthu/platform';
import type { Joins } from '../engine/advance';

export type ProcessKind = 'outgoing' | 'incoming' | 'submission';
export type ProcessState = 'active' | 'completed' | 'cancelled';

export type ProcessRecord = {
  id: string;
  agencyCode: string;
  kind: ProcessKind;
  definitionId: string;
  definitionVersion: number;
  documentId: string;
  state: ProcessState;
  outcome: string | null;
  urgency: string | null;
  variables: Record<string, unknown>;
  joins: Joins;
  documentVersion: number;
  contentVersion: number;
  startedBy: string;
  startedUnit: string | null;
  startedAt: Date;
  completedAt: Date | null;
  dueAt: Date | null;
};

type Row = {
  id: string;
  agency_code: string;
  kind: ProcessKind;
  definition_id: string;
  definition_version: number;
  document_id: string;
  state: ProcessState;
  outcome: string | null;
  urgency: string | null;
  variables: Record<string, unknown>;
  joins: Joins;
  document_version: number;
  content_version: number;
  started_by: string;
  started_unit: string | null;
  started_at: Date;
  completed_at: Date | null;
  due_at: Date | null;
};

const columns = `id, agency_code, kind, definition_id, definition_version, document_id, state, outcome, urgency,
  variables, joins, document_version, content_version, started_by, started_unit, started_at, completed_at, due_at`;

function toProcess(row: Row): ProcessRecord {
  return {
    id: row.id,
    agencyCode: row.agency_code,
    kind: row.kind,
    definitionId: row.definition_id,
    definitionVersion: row.definition_version,
    documentId: row.document_id,
    state: row.state,
    outcome: row.outcome,
    urgency: row.urgency,
    variables: row.variables,
    joins: row.joins,
    documentVersion: row.document_version,
    contentVersion: row.content_version,
    startedBy: row.started_by,
    startedUnit: row.started_unit,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    dueAt: row.due_at,
  };
}

export async function insertProcess(
  tx: Tx,
  row: Omit<ProcessRecord, 'state' | 'outcome' | 'completedAt' | 'joins'>,
): Promise<ProcessRecord> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO processes (id, agency_code, kind, definition_id, definition_version, document_id, state, urgency,
       variables, document_version, content_version, started_by, started_unit, started_at, due_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $12, $13, $14)
     RETURNING ${columns}`,
    [
      row.id,
      row.agencyCode,
      row.kind,
      row.definitionId,
      row.definitionVersion,
      row.documentId,
      row.urgency,
      JSON.stringify(row.variables),
      row.documentVersion,
      row.contentVersion,
      row.startedBy,
      row.startedUnit,
      row.startedAt,
      row.dueAt,
    ],
  );
  return toProcess(rows[0] as Row);
}

export async function findProcess(tx: Tx, agencyCode: string, id: string): Promise<ProcessRecord | undefined> {
  const { rows } = await tx.query<Row>(`SELECT ${columns} FROM processes WHERE id = $1 AND agency_code = $2`, [
    id,
    agencyCode,
  ]);
  return rows[0] ? toProcess(rows[0]) : undefined;
}

/** Locks the process row: every change to a process and its tasks serialises here. */
export async function lockProcess(tx: Tx, agencyCode: string, id: string): Promise<ProcessRecord | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM processes WHERE id = $1 AND agency_code = $2 FOR UPDATE`,
    [id, agencyCode],
  );
  return rows[0] ? toProcess(rows[0]) : undefined;
}

/** The process a task belongs to, locked, found from the task in the same statement (a task never changes process). */
export async function lockProcessOfTask(
  tx: Tx,
  agencyCode: string,
  taskId: string,
): Promise<ProcessRecord | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM processes
      WHERE id = (SELECT process_id FROM tasks WHERE id = $1 AND agency_code = $2) AND agency_code = $2 FOR UPDATE`,
    [taskId, agencyCode],
  );
  return rows[0] ? toProcess(rows[0]) : undefined;
}

/** Active processes on a document, locked, oldest first. */
export async function lockActiveProcessesOfDocument(
  tx: Tx,
  agencyCode: string,
  documentId: string,
): Promise<ProcessRecord[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM processes WHERE document_id = $1 AND agency_code = $2 AND state = 'active'
      ORDER BY started_at, id FOR UPDATE`,
    [documentId, agencyCode],
  );
  return rows.map(toProcess);
}

/** Every process of a kind ever run on a document (any state), oldest first. */
export async function processesOfDocument(
  tx: Tx,
  agencyCode: string,
  documentId: string,
  kind: ProcessKind,
): Promise<ProcessRecord[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM processes WHERE document_id = $1 AND agency_code = $2 AND kind = $3
      ORDER BY started_at, id`,
    [documentId, agencyCode, kind],
  );
  return rows.map(toProcess);
}

export type ProcessChange = Partial<
  Pick<
    ProcessRecord,
    'state' | 'outcome' | 'variables' | 'joins' | 'documentVersion' | 'contentVersion' | 'completedAt' | 'dueAt'
  >
>;

const changeColumns: Record<keyof ProcessChange, string> = {
  state: 'state',
  outcome: 'outcome',
  variables: 'variables',
  joins: 'joins',
  documentVersion: 'document_version',
  contentVersion: 'content_version',
  completedAt: 'completed_at',
  dueAt: 'due_at',
};

export async function updateProcess(tx: Tx, id: string, change: ProcessChange): Promise<ProcessRecord> {
  const entries = Object.entries(change) as [keyof ProcessChange, unknown][];
  const sets = entries.map(([key], index) => `${changeColumns[key]} = $${index + 2}`);
  const values = entries.map(([key, value]) =>
    key === 'variables' || key === 'joins' ? JSON.stringify(value) : value,
  );
  const { rows } = await tx.query<Row>(`UPDATE processes SET ${sets.join(', ')} WHERE id = $1 RETURNING ${columns}`, [
    id,
    ...values,
  ]);
  return toProcess(rows[0] as Row);
}
