import type { Tx, outboxRowValues } from '@vanthu/platform';

/** An outbox row's values in the order of the platform's `outboxColumns`. */
export type OutboxRow = ReturnType<typeof outboxRowValues>;

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

/**
 * History rows and outbox events of one transaction in one statement (a data-modifying CTE; both commit or roll back
 * with the transaction like single INSERTs). The outbox rows keep the order they were made in (their positions).
 */
export async function insertHistoryAndEvents(tx: Tx, history: HistoryEntry[], events: OutboxRow[]): Promise<void> {
  const column = <T>(rows: T[][], n: number): T[] => rows.map((row) => row[n] as T);
  const h = history.map((e) => [
    e.processId,
    e.seq,
    e.at,
    e.actor,
    e.action,
    e.taskId,
    e.step,
    JSON.stringify(e.detail),
    e.previousHash,
    e.hash,
  ]);
  await tx.query(
    `WITH history AS (
       INSERT INTO process_history (${columns})
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::uuid[], $7::text[],
         $8::jsonb[], $9::text[], $10::text[])
     )
     INSERT INTO outbox (event_id, topic, message_key, event_type, source, subject, occurred_at, data, extensions)
     SELECT e, t, k, y, s, u, o, d, x
       FROM unnest($11::uuid[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::timestamptz[],
         $18::jsonb[], $19::jsonb[]) WITH ORDINALITY AS r(e, t, k, y, s, u, o, d, x, n)
      ORDER BY n`,
    [
      ...Array.from({ length: 10 }, (_, n) => column(h, n)),
      ...Array.from({ length: 9 }, (_, n) => column(events as unknown[][], n)),
    ],
  );
}
