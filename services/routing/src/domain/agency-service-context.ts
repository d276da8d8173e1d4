import { AppError } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import type { RoutingContext } from './routing-context';

/**
 * Routing acting for an agency with no user behind it (a document delivered to it, a document the hub
 * brought): its own service identity for that agency, inside the caller's transaction.
 */
export function agencyServiceContext(ctx: RoutingContext, tx: Tx, agencyCode: string): RoutingContext {
  if (!ctx.serviceIdentity)
    throw new AppError('SERVICE_UNAVAILABLE', 'routing has no service identity to act for another agency', {
      retryAfterSeconds: 30,
    });
  return {
    ...ctx,
    identity: { userId: 'service:routing', agencyCode, roles: ['service'] },
    runInTransaction: async (work) => ({ result: await work(tx), replayed: false }),
    credentials: { identity: ctx.serviceIdentity(agencyCode), requestId: ctx.requestId },
  };
}
