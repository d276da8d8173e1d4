import type { Tx } from '@vanthu/platform';

export type HubJobKind = 'send-edoc' | 'send-status' | 'acknowledge' | 'create-document';
export type HubJobRow = {
  id: string;
  exchangeId: string;
  kind: HubJobKind;
  payload: Record<string, unknown>;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
};

const toJob = (r: Record<string, unknown>): HubJobRow => ({
  id: r.id as string,
  exchangeId: r.exchange_id as string,
  kind: r.kind as HubJobKind,
  payload: r.payload as Record<string, unknown>,
  attempts: r.attempts as number,
  nextAttemptAt: r.next_attempt_at as Date,
  lastError: (r.last_error as string | null) ?? null,
});

/** Queues a job; with a `dedupeKey`, only the first job with that key is kept (false for a repeat). */
export async function enqueueHubJob(
  tx: Tx,
  job: {
    id: string;
    exchangeId: string;
    kind: HubJobKind;
    payload?: Record<string, unknown>;
    at: Date;
    dedupeKey?: string;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO hub_jobs (id, exchange_id, kind, payload, next_attempt_at, created_at, dedupe_key)
     VALUES ($1, $2, $3, $4, $5, $5, $6)
     ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
    [job.id, job.exchangeId, job.kind, JSON.stringify(job.payload ?? {}), job.at, job.dedupeKey ?? null],
  );
  return rowCount === 1;
}

/** Which of these dedupe keys are already queued (done, pending or failed). */
export async function queuedKeys(tx: Tx, keys: string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ dedupe_key: string }>(
    'SELECT dedupe_key FROM hub_jobs WHERE dedupe_key = ANY($1::text[])',
    [keys],
  );
  return new Set(rows.map((r) => r.dedupe_key));
}

/** Claims the next due job; the row stays locked (other workers skip it) until the transaction ends. */
export async function claimDueHubJob(tx: Tx, now: Date): Promise<HubJobRow | undefined> {
  const { rows } = await tx.query(
    `SELECT id, exchange_id, kind, payload, attempts, next_attempt_at, last_error FROM hub_jobs
      WHERE state = 'pending' AND next_attempt_at <= $1
      ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [now],
  );
  return rows[0] ? toJob(rows[0]) : undefined;
}

export async function finishHubJob(
  tx: Tx,
  id: string,
  state: 'done' | 'failed',
  at: Date,
  error?: string,
): Promise<void> {
  await tx.query(
    `UPDATE hub_jobs SET state = $2, finished_at = $3, attempts = attempts + 1, last_error = $4 WHERE id = $1`,
    [id, state, at, error ?? null],
  );
}

export async function retryHubJobLater(tx: Tx, id: string, nextAttemptAt: Date, error: string): Promise<void> {
  await tx.query(`UPDATE hub_jobs SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1`, [
    id,
    nextAttemptAt,
    error,
  ]);
}

export async function countPendingHubJobs(tx: Tx): Promise<number> {
  const { rows } = await tx.query<{ count: string }>(`SELECT count(*) AS count FROM hub_jobs WHERE state = 'pending'`);
  return Number(rows[0]?.count ?? 0);
}

/** Marks where a job's own writes begin, so a failing job can undo them and still record its outcome. */
export async function beginJobWork(tx: Tx): Promise<void> {
  await tx.query('SAVEPOINT hub_job');
}

export async function undoJobWork(tx: Tx): Promise<void> {
  await tx.query('ROLLBACK TO SAVEPOINT hub_job');
}

/** Gives up an exchange's pending jobs (a document recalled before the hub took it). */
export async function cancelPendingHubJobs(tx: Tx, exchangeId: string, at: Date, reason: string): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE hub_jobs SET state = 'failed', finished_at = $2, last_error = $3 WHERE exchange_id = $1 AND state = 'pending'`,
    [exchangeId, at, reason],
  );
  return rowCount ?? 0;
}
