import type { Tx } from '@vanthu/platform';

export type HistoryEntry = {
  processId: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  taskId: string | null;
  step: string | null;
  detail: Record<string, unknown>;
  previousHash: string;
  hash: string;
};

type Row = {
  process_id: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  task_id: string | null;
  step: string | null;
  detail: Record<string, unknown>;
  previous_hash: string;
  hash: string;
};

const columns = 'process_id, seq, at, actor, action, task_id, step, detail, previous_hash, hash';

function toEntry(row: Row): HistoryEntry {
  return {
    processId: row.process_id,
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    taskId: row.task_id,
    step: row.step,
    detail: row.detail,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/** The last row of a process's chain (callers hold the process row lock, so no one appends meanwhile). */
export async function lastHistoryEntry(tx: Tx, processId: string): Promise<HistoryEntry | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM process_history WHERE process_id = $1 ORDER BY seq DESC LIMIT 1`,
    [processId],
  );
  return rows[0] ? toEntry(rows[0]) : undefined;
}

export async function insertHistoryEntry(tx: Tx, entry: HistoryEntry): Promise<HistoryEntry> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO process_history (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
    [
      entry.processId,
      entry.seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.taskId,
      entry.step,
      JSON.stringify(entry.detail),
      entry.previousHash,
      entry.hash,
    ],
  );
  return toEntry(rows[0] as Row);
}

export async function listHistory(tx: Tx, processId: string): Promise<HistoryEntry[]> {
  const { rows } = await tx.query<Row>(`SELECT ${columns} FROM process_history WHERE process_id = $1 ORDER BY seq`, [
    processId,
  ]);
  return rows.map(toEntry);
}
