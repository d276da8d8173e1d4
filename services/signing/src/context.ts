import { contextFor, transactionRunner } from '@vanthu/platform';
import type { Clock, Identity, Logger, UseCaseContext } from '@vanthu/platform';
import type { FastifyRequest } from 'fastify';
import type { CallerHeaders } from './clients/documents-client';
import type { SigningDeps } from './signatures/signing-deps';

/**
 * The second argument of every signing use case, `verbNoun(input, ctx)`: the platform's context, signing's
 * dependencies made once at start-up, and the caller's identity assertion to forward unchanged when the use case
 * calls documents (ARCHITECTURE.md, identity between services).
 */
export type SigningContext = UseCaseContext & {
  signing: SigningDeps;
  forward: CallerHeaders;
  /** The request's Idempotency-Key, for the work that leaves this service before its transaction commits. */
  idempotencyKey?: string;
};

/** The context of one request: who asks, its transaction (honouring Idempotency-Key), and signing's dependencies. */
export function signingContext(request: FastifyRequest, signing: SigningDeps, operation: string): SigningContext {
  const assertion = request.headers['x-vanthu-identity'];
  const key = request.headers['idempotency-key'];
  return {
    ...contextFor(request, signing.pool, operation),
    signing,
    forward: { identity: typeof assertion === 'string' ? assertion : '', requestId: request.id },
    ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
  };
}

/** Metadata of the events a signing use case enqueues. */
export const eventMeta = (
  ctx: SigningContext,
  agencyCode: string,
): { source: string; requestId: string; agencyCode: string } => ({
  source: ctx.signing.source,
  requestId: ctx.requestId,
  agencyCode,
});

/** Who acts when the service itself suspends certificates (no user behind the change). */
export const signingServiceIdentity: Identity = { userId: 'vanthu-signing', agencyCode: '*', roles: ['service'] };

/** A context for work the service starts itself (the periodic certificate check); it calls no other service. */
export function serviceContext(signing: SigningDeps, logger: Logger, clock: Clock, requestId: string): SigningContext {
  return {
    identity: signingServiceIdentity,
    requestId,
    runInTransaction: transactionRunner(signing.pool, signingServiceIdentity, undefined, ''),
    clock,
    logger,
    signing,
    forward: { identity: '', requestId },
  };
}
