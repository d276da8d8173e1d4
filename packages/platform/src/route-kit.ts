import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Identity } from './identity';
import type { Logger } from './logger';
import type { Pool } from './db';
import { transactionRunnerFor } from './idempotency';
import type { TransactionRunner } from './idempotency';
import { markReplayed } from './idempotency';
import { systemClock } from './vietnam-time';
import type { Clock } from './vietnam-time';

// What every route needs besides its own schema and its one call into the domain (CONTRIBUTING.md
// "Adding an endpoint"): the problem+json reference, the Idempotency-Key header, the use-case context,
// and the reply of a mutation that may be a replay.

/** Reference to the shared RFC 9457 problem schema (registered by buildServiceApp). */
export const problemRef = { $ref: 'Problem#' } as const;

/** `{ 400: problem, 404: problem, … }` for a route's documented error statuses. */
export function problemResponses(...statuses: number[]): Record<number, typeof problemRef> {
  return Object.fromEntries(statuses.map((status) => [status, problemRef]));
}

/** The optional Idempotency-Key header every mutating POST accepts. */
export const IdempotencyKeyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 8,
      maxLength: 128,
      description: 'Repeat a request safely: the same key and body return the first result',
    }),
  ),
});

/**
 * The one context every use case takes as its second argument: `verbNoun(input, ctx)`. Services extend it
 * with their own clients and settings (`type RoutingContext = UseCaseContext & { documents: … }`).
 */
export type UseCaseContext = {
  /** Who acts: the caller's identity from the gateway assertion, or the service's own for event consumers. */
  identity: Identity;
  requestId: string;
  /** The transaction the use case's writes (and their outbox rows) commit in; honours Idempotency-Key. */
  runInTransaction: TransactionRunner;
  clock: Clock;
  logger: Logger;
};

/** A use case's result and whether it repeats an earlier request's stored result. */
export type Mutation<T> = { result: T; replayed: boolean };

/**
 * The context for a request. A mutating request's fingerprint covers its operation, path parameters,
 * query and body, so one Idempotency-Key reused for another request is refused. A multipart upload has no parsed
 * body: its route passes what identifies the upload instead (its metadata and the file's SHA-256).
 */
export function contextFor(
  request: FastifyRequest,
  pool: Pool,
  operation: string,
  clock: Clock = systemClock,
  body: unknown = request.body,
): UseCaseContext {
  return {
    identity: request.identity,
    requestId: request.id,
    runInTransaction: transactionRunnerFor(request, pool, operation, request.params, request.query, body),
    clock,
    logger: request.log as Logger,
  };
}

/** Sends a mutation's result with its status, marking replays (Idempotent-Replayed: true). */
export function sendMutation<T>(
  reply: FastifyReply,
  outcome: Mutation<T>,
  options: { status?: number; location?: string } = {},
): FastifyReply {
  markReplayed(reply, outcome.replayed).status(options.status ?? 200);
  if (options.location) void reply.header('location', options.location);
  return reply.send(outcome.result);
}
