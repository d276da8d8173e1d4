import type { Logger, Tx } from '@vanthu/platform';
import type { Clock } from '@vanthu/platform';
import type { RoutingContext, RoutingDeps } from '../domain/routing-context';
import { withWriteBuffer } from '../domain/write-buffer';

/**
 * The context of a use case run by an event consumer: routing's own identity for the agency the
 * event concerns, and the inbox's transaction (so the inbox row and the change commit together).
 */
export function consumerContext(
  tx: Tx,
  deps: RoutingDeps & { logger: Logger; clock: Clock },
  agencyCode: string,
  eventId: string,
): RoutingContext {
  return {
    ...deps,
    identity: { userId: 'service:routing', agencyCode, roles: ['service'] },
    requestId: eventId,
    runInTransaction: async (work) => ({ result: await withWriteBuffer(tx, work), replayed: false }),
    credentials: { identity: deps.serviceIdentity?.(agencyCode) ?? '', requestId: eventId },
  };
}
