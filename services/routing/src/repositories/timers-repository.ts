import type { Tx } from '@vanthu/platform';

export type TimerKind = 'reminder' | 'due' | 'escalation' | 'sla' | 'consultation-reminder' | 'consultation-overdue';
export type TimerState = 'pending' | 'fired' | 'cancelled' | 'failed';

export type Timer = {
  id: string;
  agencyCode: string;
  /** The task (and its process) a task timer belongs to; null on a consultation's timer. */
  taskId: string | null;
  processId: string | null;
  consultationId: string | null;
  kind: TimerKind;
  fireAt: Date;
  payload: Record<string, unknown>;
  state: TimerState;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  firedAt: Date | null;
};

type Row = {
  id: string;
  agency_code: string;
  task_id: string | null;
  process_id: string | null;
  consultation_id: string | null;
  kind: TimerKind;
  fire_at: Date;
  payload: Record<string, unknown>;
  state: TimerState;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  fired_at: Date | null;
};

const toTimer = (row: Row): Timer => ({
  id: row.id,
  agencyCode: row.agency_code,
  taskId: row.task_id,
  processId: row.process_id,
  consultationId: row.consultation_id,
  kind: row.kind,
  fireAt: row.fire_at,
  payload: row.payload,
  state: row.state,
  attempts: row.attempts,
  lastError: row.last_error,
  createdAt: row.created_at,
  firedAt: row.fired_at,
});

export type NewTimerRow = {
  id: string;
  agencyCode: string;
  taskId: string | null;
  processId: string | null;
  consultationId?: string | null;
  kind: TimerKind;
  fireAt: Date;
  payload: Record<string, unknown>;
  createdAt: Date;
};

export async function insertTimer(tx: Tx, timer: NewTimerRow): Promise<Timer> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO timers (id, agency_code, task_id, process_id, consultation_id, kind, fire_at, payload, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      timer.id,
      timer.agencyCode,
      timer.taskId,
      timer.processId,
      timer.consultationId ?? null,
      timer.kind,
      timer.fireAt,
      JSON.stringify(timer.payload),
      timer.createdAt,
    ],
  );
  return toTimer(rows[0]!);
}

/** Several timers in one statement (a task's reminder, due and escalation timers). */
export async function insertTimers(tx: Tx, timers: NewTimerRow[]): Promise<void> {
  if (timers.length === 0) return;
  await tx.query(
    `INSERT INTO timers (id, agency_code, task_id, process_id, consultation_id, kind, fire_at, payload, created_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::timestamptz[],
       $8::jsonb[], $9::timestamptz[])`,
    [
      timers.map((t) => t.id),
      timers.map((t) => t.agencyCode),
      timers.map((t) => t.taskId),
      timers.map((t) => t.processId),
      timers.map((t) => t.consultationId ?? null),
      timers.map((t) => t.kind),
      timers.map((t) => t.fireAt),
      timers.map((t) => JSON.stringify(t.payload)),
      timers.map((t) => t.createdAt),
    ],
  );
}

export async function cancelPendingTimers(tx: Tx, filter: { taskId: string; kinds?: TimerKind[] }): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE timers SET state = 'cancelled' WHERE task_id = $1 AND state = 'pending' AND ($2::text[] IS NULL OR kind = ANY($2))`,
    [filter.taskId, filter.kinds ?? null],
  );
  return rowCount ?? 0;
}

export async function cancelPendingConsultationTimers(tx: Tx, consultationId: string): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE timers SET state = 'cancelled' WHERE consultation_id = $1 AND state = 'pending'`,
    [consultationId],
  );
  return rowCount ?? 0;
}

/** Due timers this transaction now holds; rows another worker holds are skipped, never waited for. */
export async function claimDueTimers(tx: Tx, now: Date, limit: number): Promise<Timer[]> {
  const { rows } = await tx.query<Row>(
    `SELECT * FROM timers WHERE state = 'pending' AND fire_at <= $1 ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(toTimer);
}

export async function markTimersFired(tx: Tx, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `UPDATE timers SET state = 'fired', fired_at = $2, attempts = attempts + 1 WHERE id = ANY($1::uuid[])`,
    [ids, at],
  );
}

export async function markTimerFailed(
  tx: Tx,
  id: string,
  outcome: { error: string; retryAt: Date | null },
): Promise<void> {
  await tx.query(
    `UPDATE timers SET attempts = attempts + 1, last_error = $2,
       state = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE state END,
       fire_at = COALESCE($3::timestamptz, fire_at)
     WHERE id = $1`,
    [id, outcome.error.slice(0, 2000), outcome.retryAt],
  );
}

export async function listTimersOfConsultation(tx: Tx, consultationId: string): Promise<Timer[]> {
  const { rows } = await tx.query<Row>('SELECT * FROM timers WHERE consultation_id = $1 ORDER BY fire_at, id', [
    consultationId,
  ]);
  return rows.map(toTimer);
}

export async function listTimersOfTask(tx: Tx, taskId: string): Promise<Timer[]> {
  const { rows } = await tx.query<Row>('SELECT * FROM timers WHERE task_id = $1 ORDER BY fire_at, id', [taskId]);
  return rows.map(toTimer);
}

// One timer's handler runs inside a savepoint, so a failing handler undoes only its own writes and
// the rest of the claimed batch still fires.
export async function beginTimerSavepoint(tx: Tx): Promise<void> {
  await tx.query('SAVEPOINT timer_handler');
}
export async function releaseTimerSavepoint(tx: Tx): Promise<void> {
  await tx.query('RELEASE SAVEPOINT timer_handler');
}
export async function rollbackTimerSavepoint(tx: Tx): Promise<void> {
  await tx.query('ROLLBACK TO SAVEPOINT timer_handler');
}
