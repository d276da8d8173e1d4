import { statementRunner } from '../context';
import type { NotificationsContext } from '../context';
import { claimDueDeliveries } from '../repositories/deliveries-repository';
import type { DueDelivery } from '../repositories/deliveries-repository';

export type ClaimWebhookDeliveriesInput = { limit: number; workerId: string };

/**
 * Leases due deliveries to this worker as queues per endpoint (`prefetch` at most, one for a failing endpoint),
 * each lease long enough for the requests queued before it, `perEndpoint` at a time, and its own.
 */
export async function claimWebhookDeliveries(
  input: ClaimWebhookDeliveriesInput,
  ctx: NotificationsContext,
): Promise<DueDelivery[]> {
  if (input.limit <= 0) return [];
  return statementRunner(ctx)((db) =>
    claimDueDeliveries(db, {
      now: ctx.clock(),
      workerId: input.workerId,
      limit: input.limit,
      perEndpoint: ctx.settings.perEndpoint,
      prefetch: Math.max(ctx.settings.prefetch, 1),
      timeoutMs: ctx.settings.timeoutMs,
    }),
  );
}
