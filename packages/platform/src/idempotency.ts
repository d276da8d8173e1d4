import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors';
import { withTransaction } from './db';
import type { Pool, Tx } from './db';
import type { Identity } from './identity';

export type TransactionRunner = <T>(work: (tx: Tx) => Promise<T>) => Promise<{ result: T; replayed: boolean }>;

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
  if (idempotencyKey === undefined) {
    return async (work) => ({ result: await withTransaction(pool, work), replayed: false });
  }
  assertIdempotencyKey(idempotencyKey);
  return async <T>(work: (tx: Tx) => Promise<T>) => {
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
