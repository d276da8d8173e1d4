import { transactionRunner } from '@vanthu/platform';
import type { Clock, Identity, Logger, UseCaseContext } from '@vanthu/platform';
import type { SigningDeps } from './signing-deps';

/** The context of the certificate-registry use cases: the platform's plus signing's dependencies. */
export type CertificateContext = UseCaseContext & { signing: SigningDeps };

/** Metadata of the events a certificate use case enqueues. */
export const eventMeta = (
  ctx: CertificateContext,
  agencyCode: string,
): { source: string; requestId: string; agencyCode: string } => ({
  source: ctx.signing.source,
  requestId: ctx.requestId,
  agencyCode,
});

/** Who acts when the service itself suspends certificates (no user behind the change). */
export const signingServiceIdentity: Identity = { userId: 'vanthu-signing', agencyCode: '*', roles: ['service'] };

/** A context for work the service starts itself (the periodic certificate check). */
export function serviceContext(
  signing: SigningDeps,
  logger: Logger,
  clock: Clock,
  requestId: string,
): CertificateContext {
  return {
    identity: signingServiceIdentity,
    requestId,
    runInTransaction: transactionRunner(signing.pool, signingServiceIdentity, undefined, ''),
    clock,
    logger,
    signing,
  };
}
