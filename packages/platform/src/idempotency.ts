import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors';
import { withTransaction } from './db';
import type { Pool, Tx } from './db';
import type { Identity } from './identity';

/**
 * What a runner made by `transactionRunner` knows of its request: the pool, who asks, the Idempotency-Key (if any)
 * and the request's fingerprint. Work gathered from several requests into one transaction (documents' registrations,
 * committed in groups) claims and completes each request's key itself with these, under the same guarantees.
 */
export type RunnerRequest = { pool: Pool; identity: Identity; idempotencyKey: string | undefined; fingerprint: string };

export type TransactionRunner = (<T>(work: (tx: Tx) => Promise<T>) => Promise<{ result: T; replayed: boolean }>) & {
  /** Absent on a runner made otherwise (a test's, an event consumer's): such work runs in it alone. */
  readonly request?: RunnerRequest;
};

/** A request with an Idempotency-Key, as `claimIdempotencyKeys` and `completeIdempotencyKeys` take it. */
export type KeyedRequest = RunnerRequest & { idempotencyKey: string };

const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** Refuses a malformed Idempotency-Key with a 400 naming the header. */
export function assertIdempotencyKey(idempotencyKey: string): void {
  if (!idempotencyKeyPattern.test(idempotencyKey)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 8 to 128 characters of letters, digits, . _ : -', {
      errors: [{ field: 'header.idempotency-key', message: 'invalid format' }],
    });
  }
}

export function requestFingerprint(...parts: unknown[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(JSON.stringify(part ?? null)).update('\u0000');
  return hash.digest('hex');
}

/**
 * Returns the transaction runner a use case should run in. Without a key it is a plain
 * transaction. With a key, the claim row, the business change and the stored result commit
 * together: a crash rolls all three back (so a retry re-executes), and a concurrent repeat
 * blocks on the claim's unique index until the first commits, then replays its result.
 */
export function transactionRunner(
  pool: Pool,
  identity: Identity,
  idempotencyKey: string | undefined,
  fingerprint: string,
): TransactionRunner {
  const request: RunnerRequest = { pool, identity, idempotencyKey, fingerprint };
  if (idempotencyKey === undefined) {
    return Object.assign(
      async <T>(work: (tx: Tx) => Promise<T>) => ({ result: await withTransaction(pool, work), replayed: false }),
      { request },
    );
  }
  assertIdempotencyKey(idempotencyKey);
  const run = async <T>(work: (tx: Tx) => Promise<T>) => {
    const outcome = await withTransaction(pool, async (tx) => {
      const claim = await tx.query(
        `INSERT INTO idempotency_keys (agency_code, user_id, idempotency_key, request_hash, state)
         VALUES ($1, $2, $3, $4, 'in_progress') ON CONFLICT DO NOTHING`,
        [identity.agencyCode, identity.userId, idempotencyKey, fingerprint],
      );
      if (claim.rowCount === 0) {
        const { rows } = await tx.query<{ request_hash: string; state: string; response_body: T }>(
          `SELECT request_hash, state, response_body FROM idempotency_keys
            WHERE agency_code = $1 AND user_id = $2 AND idempotency_key = $3`,
          [identity.agencyCode, identity.userId, idempotencyKey],
        );
        const previous = rows[0];
        if (!previous) throw new AppError('IDEMPOTENCY_REQUEST_IN_PROGRESS');
        if (previous.request_hash !== fingerprint) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request');
        }
        if (previous.state !== 'completed') throw new AppError('IDEMPOTENCY_REQUEST_IN_PROGRESS');
        return { result: previous.response_body, replayed: true };
      }
      const result = await work(tx);
      await tx.query(
        `UPDATE idempotency_keys SET state = 'completed', response_body = $4, completed_at = now()
          WHERE agency_code = $1 AND user_id = $2 AND idempotency_key = $3`,
        [identity.agencyCode, identity.userId, idempotencyKey, JSON.stringify(result)],
      );
      return { result, replayed: false };
    });
    return outcome;
  };
  return Object.assign(run, { request });
}

/**
 * Claims the keys of several requests in the caller's transaction with one statement, as each runner's claim does
 * for one; returns, in order, whether each was claimed. A request not claimed has a key already used (completed, in
 * progress, or for another request), or repeats the key of one before it in the list: it must run through its own
 * runner, which replays, refuses or waits exactly as for a request alone. Each claimed key must be completed or
 * released by `completeIdempotencyKeys` in the same transaction.
 */
export async function claimIdempotencyKeys(tx: Tx, requests: readonly KeyedRequest[]): Promise<boolean[]> {
  const { rows } = await tx.query<{ agency_code: string; user_id: string; idempotency_key: string }>(
    `INSERT INTO idempotency_keys (agency_code, user_id, idempotency_key, request_hash, state)
     SELECT c.agency_code, c.user_id, c.idempotency_key, c.request_hash, 'in_progress'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS c(agency_code, user_id, idempotency_key, request_hash)
     ON CONFLICT DO NOTHING RETURNING agency_code, user_id, idempotency_key`,
    [
      requests.map((r) => r.identity.agencyCode),
      requests.map((r) => r.identity.userId),
      requests.map((r) => r.idempotencyKey),
      requests.map((r) => r.fingerprint),
    ],
  );
  const claimed = new Set(rows.map((row) => JSON.stringify([row.agency_code, row.user_id, row.idempotency_key])));
  return requests.map((r) =>
    claimed.delete(JSON.stringify([r.identity.agencyCode, r.identity.userId, r.idempotencyKey])),
  );
}

/**
 * Stores the results of requests whose keys `claimIdempotencyKeys` claimed, and gives back the claims of those that
 * did not run after all (they run again through their own runners), in one statement of the caller's transaction.
 */
export async function completeIdempotencyKeys(
  tx: Tx,
  completed: readonly { request: KeyedRequest; result: unknown }[],
  released: readonly KeyedRequest[] = [],
): Promise<void> {
  const columns = (requests: readonly KeyedRequest[]) => [
    requests.map((r) => r.identity.agencyCode),
    requests.map((r) => r.identity.userId),
    requests.map((r) => r.idempotencyKey),
  ];
  await tx.query(
    `WITH done AS (
       UPDATE idempotency_keys k SET state = 'completed', response_body = c.body::jsonb, completed_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS c(agency_code, user_id, idempotency_key, body)
        WHERE k.agency_code = c.agency_code AND k.user_id = c.user_id AND k.idempotency_key = c.idempotency_key)
     DELETE FROM idempotency_keys k
      USING unnest($5::text[], $6::text[], $7::text[]) AS r(agency_code, user_id, idempotency_key)
      WHERE k.agency_code = r.agency_code AND k.user_id = r.user_id AND k.idempotency_key = r.idempotency_key
        AND k.state = 'in_progress'`,
    [...columns(completed.map((c) => c.request)), completed.map((c) => JSON.stringify(c.result)), ...columns(released)],
  );
}

/** The transaction a mutating request's use case runs in, honouring its Idempotency-Key header. */
export function transactionRunnerFor(
  request: FastifyRequest,
  pool: Pool,
  operation: string,
  ...parts: unknown[]
): TransactionRunner {
  const key = request.headers['idempotency-key'];
  return transactionRunner(
    pool,
    request.identity,
    typeof key === 'string' ? key : undefined,
    requestFingerprint(operation, ...parts),
  );
}

/** Marks a response that repeats the stored result of an earlier request with the same Idempotency-Key. */
export function markReplayed(reply: FastifyReply, replayed: boolean): FastifyReply {
  if (replayed) void reply.header('idempotent-replayed', 'true');
  return reply;
}
