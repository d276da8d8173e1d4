import type { Tx } from '@vanthu/platform';

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

/** A claimed delivery with what its request needs: the endpoint's URL and secrets, the stored body. */
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
  body: string;
  occurredAt: Date;
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
 * Takes up to `limit` due deliveries and leases them until `leaseUntil`, at most `perEndpoint` in flight per
 * endpoint (counting what is already leased), so a slow endpoint holds a few slots and never the queue. The
 * lease is re-checked by the UPDATE, so two workers never take one delivery.
 */
export async function claimDueDeliveries(
  tx: Tx,
  options: { now: Date; leaseUntil: Date; limit: number; perEndpoint: number },
): Promise<DueDelivery[]> {
  const { rows } = await tx.query(
    `WITH in_flight AS (
       SELECT endpoint_id, count(*) AS n FROM webhook_deliveries
        WHERE state = 'pending' AND lease_until IS NOT NULL AND lease_until > $1 GROUP BY endpoint_id
     ), due AS (
       SELECT d.id, d.endpoint_id, d.next_attempt_at,
              row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.id) AS rank
         FROM webhook_deliveries d
        WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
     ), chosen AS (
       SELECT due.id FROM due LEFT JOIN in_flight f ON f.endpoint_id = due.endpoint_id
        WHERE due.rank + COALESCE(f.n, 0) <= $4
        ORDER BY due.next_attempt_at LIMIT $3
     )
     UPDATE webhook_deliveries d SET lease_until = $2
       FROM chosen, webhook_endpoints e, webhook_messages m
      WHERE d.id = chosen.id AND e.id = d.endpoint_id AND m.id = d.message_id
        AND d.state = 'pending' AND (d.lease_until IS NULL OR d.lease_until <= $1)
     RETURNING d.id, d.endpoint_id, d.agency_code, d.message_id, d.attempts, e.url, e.secret, e.previous_secret,
               e.previous_secret_until, m.body, m.occurred_at`,
    [options.now, options.leaseUntil, options.limit, options.perEndpoint],
  );
  return rows.map((r) => ({
    id: r.id as string,
    endpointId: r.endpoint_id as string,
    agencyCode: r.agency_code as string,
    messageId: r.message_id as string,
    attempts: r.attempts as number,
    url: r.url as string,
    secret: r.secret as string,
    previousSecret: (r.previous_secret as string | null) ?? null,
    previousSecretUntil: (r.previous_secret_until as Date | null) ?? null,
    body: r.body as string,
    occurredAt: r.occurred_at as Date,
  }));
}

export async function insertAttempt(
  tx: Tx,
  row: { deliveryId: string; attempt: number; at: Date; status?: number; error?: string; durationMs: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status, error, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [row.deliveryId, row.attempt, row.at, row.status ?? null, row.error ?? null, row.durationMs],
  );
}

/**
 * The outcome of an attempt: `nextAttemptAt` keeps it pending, otherwise it ends in `state`. Only the lease
 * holder's update counts (a worker whose lease expired and was taken over changes nothing).
 */
export async function finishAttempt(
  tx: Tx,
  row: {
    id: string;
    attempt: number;
    state: DeliveryState;
    nextAttemptAt?: Date;
    status?: number;
    error?: string;
    at: Date;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE webhook_deliveries
        SET state = $3, attempts = $2, next_attempt_at = COALESCE($4, next_attempt_at), lease_until = NULL,
            last_status = $5, last_error = $6, finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $7::timestamptz END
      WHERE id = $1 AND state = 'pending' AND attempts = $2 - 1`,
    [row.id, row.attempt, row.state, row.nextAttemptAt ?? null, row.status ?? null, row.error ?? null, row.at],
  );
  return (rowCount ?? 0) > 0;
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
