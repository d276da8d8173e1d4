import type { FastifyRequest } from 'fastify';
import { requestFingerprint, transactionRunner } from '@vanthu/platform';
import type { Pool, TransactionRunner } from '@vanthu/platform';

/** The transaction a mutating request's use case runs in, honouring its Idempotency-Key. */
export function runnerFor(request: FastifyRequest, pool: Pool, operation: string, ...parts: unknown[]): TransactionRunner {
  const key = request.headers['idempotency-key'];
  return transactionRunner(pool, request.identity, typeof key === 'string' ? key : undefined, requestFingerprint(operation, ...parts));
}
