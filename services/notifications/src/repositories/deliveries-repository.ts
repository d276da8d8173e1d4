import type { Tx } from '@vanthu/platform';

/**
 * Where a single statement runs: a transaction, or the pool itself for a statement that is atomic on its own (one
 * round trip instead of three: the dispatcher's claims and records).
 */
export type Db = Pick<Tx, 'query'>;

export type DeliveryState = 'pending' | 'succeeded' | 'failed';

export type WebhookDelivery = {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  replayOf: string | null;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

/**
 * A claimed delivery with what its request needs: the endpoint's URL and secrets, the stored body, whether the
 * endpoint was failing when claimed, and the lease (the worker sends it only while the lease covers the request).
 */
export type DueDelivery = {
  id: string;
  endpointId: string;
  agencyCode: string;
  messageId: string;
  attempts: number;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  endpointFailing: boolean;
  body: string;
  occurredAt: Date;
  leaseUntil: Date;
};

const toDelivery = (r: Record<string, unknown>): WebhookDelivery => ({
  id: r.id as string,
  endpointId: r.endpoint_id as string,
  messageId: r.message_id as string,
  eventType: r.event_type as string,
  replayOf: (r.replay_of as string | null) ?? null,
  state: r.state as DeliveryState,
  attempts: r.attempts as number,
  nextAttemptAt: r.state === 'pending' ? (r.next_attempt_at as Date) : null,
  lastStatus: (r.last_status as number | null) ?? null,
  lastError: (r.last_error as string | null) ?? null,
  createdAt: r.created_at as Date,
  finishedAt: (r.finished_at as Date | null) ?? null,
});

const deliveryColumns = `d.id, d.endpoint_id, d.message_id, m.event_type, d.replay_of, d.state, d.attempts,
  d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.finished_at`;

/** The message of one event for one webhook type, stored once (a repeat of the event finds it). */
export async function insertMessage(
  tx: Tx,
  row: { id: string; eventId: string; agencyCode: string; eventType: string; body: string; occurredAt: Date; at: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO webhook_messages (id, event_id, agency_code, event_type, body, occurred_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [row.id, row.eventId, row.agencyCode, row.eventType, row.body, row.occurredAt, row.at],
  );
}

/** One delivery per endpoint, due now; the unique index keeps a repeated fan-out from adding any. */
export async function insertDeliveries(
  tx: Tx,
  rows: { id: string; endpointId: string }[],
  messageId: string,
  agencyCode: string,
  at: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await tx.query(
    `INSERT INTO webhook_deliveries (id, endpoint_id, message_id, agency_code, next_attempt_at, created_at)
     SELECT id, endpoint_id, $3, $4, $5, $5 FROM unnest($1::uuid[], $2::uuid[]) AS t (id, endpoint_id)
     ON CONFLICT (endpoint_id, message_id) WHERE replay_of IS NULL DO NOTHING`,
    [rows.map((r) => r.id), rows.map((r) => r.endpointId), messageId, agencyCode, at],
  );
  return rowCount ?? 0;
}

/**
 * Leases up to `limit` due deliveries to `workerId`, oldest due first, as queues per endpoint: at most `prefetch`
 * held per endpoint (counting what is already leased), one for an endpoint that is failing, none for one paused
 * after a failure or whose unexpired leases belong to another worker (so one worker at a time sends to an endpoint
 * and its in-memory limit on requests in flight holds across processes). The n-th delivery of an endpoint's queue
 * waits for the ones before it, `perEndpoint` at a time: its lease covers that many request timeouts and 30 s of
 * bookkeeping. One statement; the UPDATE re-checks the lease, so two workers never take one delivery.
 */
export async function claimDueDeliveries(
  db: Db,
  options: {
    now: Date;
    workerId: string;
    limit: number;
    perEndpoint: number;
    prefetch: number;
    timeoutMs: number;
  },
): Promise<DueDelivery[]> {
  // Named: prepared once per connection, so its plan is not made again on every claim (4 ms of a loaded server).
  const { rows } = await db.query({
    name: 'webhooks-claim',
    text: `WITH held AS (
       SELECT endpoint_id, count(*)::int AS n, bool_or(leased_by IS DISTINCT FROM $2) AS others
         FROM webhook_deliveries
        WHERE state = 'pending' AND lease_until IS NOT NULL AND lease_until > $1
        GROUP BY endpoint_id
     ), chosen AS (
       SELECT q.id, q.next_attempt_at, q.rank, CASE WHEN e.failing_since IS NULL THEN $4::int ELSE 1 END AS cap
         FROM webhook_endpoints e
         LEFT JOIN held h ON h.endpoint_id = e.id
         CROSS JOIN LATERAL (
           SELECT d.id, d.next_attempt_at, COALESCE(h.n, 0) + row_number() OVER (ORDER BY d.next_attempt_at, d.id) AS rank
             FROM webhook_deliveries d
            WHERE d.endpoint_id = e.id AND d.state = 'pending' AND d.next_attempt_at <= $1
              AND (d.lease_until IS NULL OR d.lease_until <= $1)
            ORDER BY d.next_attempt_at, d.id
            LIMIT $5::int
         ) q
        WHERE e.state = 'active' AND e.deleted_at IS NULL AND NOT COALESCE(h.others, false)
          AND (e.paused_until IS NULL OR e.paused_until <= $1)
          AND q.rank <= CASE WHEN e.failing_since IS NULL THEN $5::int ELSE 1 END
        ORDER BY q.next_attempt_at
        LIMIT $3
     )
     UPDATE webhook_deliveries d
        SET leased_by = $2,
            lease_until = $1::timestamptz
              + make_interval(secs => (((chosen.rank - 1) / chosen.cap) + 1) * $6::float8 / 1000 + 30)
       FROM chosen, webhook_endpoints e, webhook_messages m
      WHERE d.id = chosen.id AND e.id = d.endpoint_id AND m.id = d.message_id
        AND d.state = 'pending' AND (d.lease_until IS NULL OR d.lease_until <= $1)
     RETURNING d.id, d.endpoint_id, d.agency_code, d.message_id, d.attempts, d.next_attempt_at, d.lease_until, e.url, e.secret,
               e.previous_secret, e.previous_secret_until, e.failing_since, m.body, m.occurred_at`,
    values: [options.now, options.workerId, options.limit, options.perEndpoint, options.prefetch, options.timeoutMs],
  });
  return rows
    .map((r) => ({
      id: r.id as string,
      endpointId: r.endpoint_id as string,
      agencyCode: r.agency_code as string,
      messageId: r.message_id as string,
      attempts: r.attempts as number,
      url: r.url as string,
      secret: r.secret as string,
      previousSecret: (r.previous_secret as string | null) ?? null,
      previousSecretUntil: (r.previous_secret_until as Date | null) ?? null,
      endpointFailing: r.failing_since !== null,
      body: r.body as string,
      occurredAt: r.occurred_at as Date,
      leaseUntil: r.lease_until as Date,
      dueAt: r.next_attempt_at as Date,
    }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id.localeCompare(b.id))
    .map(({ dueAt: _dueAt, ...delivery }) => delivery);
}

/**
 * Shortens every unexpired lease held by another worker to `until`: the dispatcher that held them is gone (the new
 * one holds the dispatcher lock), and what it still had in flight ends within one request timeout.
 */
export async function capForeignLeases(db: Db, options: { workerId: string; until: Date; now: Date }): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE webhook_deliveries SET lease_until = $2
      WHERE state = 'pending' AND lease_until > $2 AND lease_until > $3 AND leased_by IS DISTINCT FROM $1`,
    [options.workerId, options.until, options.now],
  );
  return rowCount ?? 0;
}

/** One attempt and its outcome on the delivery: `nextAttemptAt` keeps it pending, otherwise it ends in `state`. */
export type FinishRow = {
  id: string;
  attempt: number;
  state: DeliveryState;
  nextAttemptAt?: Date;
  status?: number;
  error?: string;
  sentAt: Date;
  at: Date;
  durationMs: number;
};

/** What a batch of attempts says about one endpoint. */
export type EndpointOutcome = {
  id: string;
  /** A delivery succeeded in the batch: the failing period restarts at `failingFrom` (none when the last succeeded). */
  succeeded: boolean;
  /** The first failure after the batch's last success, when the batch ends with failures. */
  failingFrom?: Date;
  /** Until when the endpoint is paused (the last failure plus the probe interval), when it ends with failures. */
  pausedUntil?: Date;
};

export type FailingEndpoint = { id: string; failingSince: Date; agencyCode: string; state: string; url: string };

/**
 * Records a batch of attempts in one statement (atomic on its own): every attempt in the log, each delivery's
 * outcome, the deliveries given back unattempted, and each endpoint's health — a success ends its failing period
 * and pause, a failure starts one (if none is running) and pauses it until `pausedUntil`; an endpoint row that would
 * not change is not written, so a healthy endpoint's row is not touched per delivery. Only the lease holder's outcome
 * counts: a delivery meanwhile attempted again (its lease expired) is left as it is. Answers the deliveries recorded
 * and the endpoints now failing, with their agency, so the caller can decide to disable them.
 */
export async function recordAttempts(
  db: Db,
  batch: { finishes: FinishRow[]; released: string[]; workerId: string; endpoints: EndpointOutcome[] },
): Promise<{ recorded: Set<string>; failing: FailingEndpoint[] }> {
  const { finishes, released, endpoints } = batch;
  const column = <T>(pick: (row: FinishRow) => T) => finishes.map(pick);
  const { rows } = await db.query({
    name: 'webhooks-record',
    text: `WITH u AS (
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[], $5::int[], $6::text[],
                            $7::timestamptz[], $8::timestamptz[], $9::int[])
         AS u (id, attempt, state, next, status, error, at, sent_at, duration_ms)
     ), logged AS (
       INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status, error, duration_ms)
       SELECT id, attempt, sent_at, status, error, duration_ms FROM u
       ON CONFLICT DO NOTHING
     ), finished AS (
       UPDATE webhook_deliveries d
          SET state = u.state, attempts = u.attempt, next_attempt_at = COALESCE(u.next, d.next_attempt_at),
              lease_until = NULL, leased_by = NULL, last_status = u.status, last_error = u.error,
              finished_at = CASE WHEN u.state = 'pending' THEN NULL ELSE u.at END
         FROM u
        WHERE d.id = u.id AND d.state = 'pending' AND d.attempts = u.attempt - 1
       RETURNING d.id
     ), released AS (
       UPDATE webhook_deliveries SET lease_until = NULL, leased_by = NULL
        WHERE id = ANY($10::uuid[]) AND leased_by = $11 AND state = 'pending'
     ), endpoints AS (
       UPDATE webhook_endpoints e
          SET failing_since = CASE WHEN o.succeeded THEN o.failing_from
                                   ELSE COALESCE(e.failing_since, o.failing_from) END,
              paused_until = o.paused_until
         FROM unnest($12::uuid[], $13::bool[], $14::timestamptz[], $15::timestamptz[])
              AS o (id, succeeded, failing_from, paused_until)
        WHERE e.id = o.id
          AND (o.failing_from IS NOT NULL OR e.failing_since IS NOT NULL OR e.paused_until IS NOT NULL)
       RETURNING e.id, e.failing_since, e.agency_code, e.state, e.url
     )
     SELECT 'delivery' AS kind, id, NULL::timestamptz AS failing_since, NULL AS agency_code, NULL AS state, NULL AS url
       FROM finished
     UNION ALL
     SELECT 'endpoint', id, failing_since, agency_code, state, url FROM endpoints`,
    values: [
      column((r) => r.id),
      column((r) => r.attempt),
      column((r) => r.state),
      column((r) => r.nextAttemptAt ?? null),
      column((r) => r.status ?? null),
      column((r) => r.error ?? null),
      column((r) => r.at),
      column((r) => r.sentAt),
      column((r) => r.durationMs),
      released,
      batch.workerId,
      endpoints.map((o) => o.id),
      endpoints.map((o) => o.succeeded),
      endpoints.map((o) => o.failingFrom ?? null),
      endpoints.map((o) => o.pausedUntil ?? null),
    ],
  });
  const recorded = new Set<string>();
  const failing: FailingEndpoint[] = [];
  for (const row of rows) {
    if (row.kind === 'delivery') recorded.add(row.id as string);
    else if (row.failing_since !== null)
      failing.push({
        id: row.id as string,
        failingSince: row.failing_since as Date,
        agencyCode: row.agency_code as string,
        state: row.state as string,
        url: row.url as string,
      });
  }
  return { recorded, failing };
}

export async function listDeliveries(
  tx: Tx,
  options: { agencyCode: string; endpointId: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<WebhookDelivery[]> {
  const { rows } = await tx.query(
    `SELECT ${deliveryColumns} FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
      WHERE d.agency_code = $1 AND d.endpoint_id = $2
        AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3, $4::uuid))
      ORDER BY d.created_at DESC, d.id DESC LIMIT $5`,
    [
      options.agencyCode,
      options.endpointId,
      options.before?.createdAt ?? null,
      options.before?.id ?? null,
      options.limit,
    ],
  );
  return rows.map(toDelivery);
}

export async function findDelivery(
  tx: Tx,
  agencyCode: string,
  endpointId: string,
  id: string,
): Promise<WebhookDelivery | undefined> {
  const { rows } = await tx.query(
    `SELECT ${deliveryColumns} FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
      WHERE d.agency_code = $1 AND d.endpoint_id = $2 AND d.id = $3`,
    [agencyCode, endpointId, id],
  );
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

/** A replay is a new delivery of the same message (same webhook-id), due now, with its own attempts. */
export async function insertReplay(
  tx: Tx,
  row: { id: string; of: WebhookDelivery; agencyCode: string; at: Date },
): Promise<WebhookDelivery> {
  const { rows } = await tx.query(
    `INSERT INTO webhook_deliveries (id, endpoint_id, message_id, agency_code, replay_of, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6)
     RETURNING id, endpoint_id, message_id, replay_of, state, attempts, next_attempt_at, last_status, last_error,
               created_at, finished_at`,
    [row.id, row.of.endpointId, row.of.messageId, row.agencyCode, row.of.id, row.at],
  );
  return toDelivery({ ...rows[0], event_type: row.of.eventType });
}
