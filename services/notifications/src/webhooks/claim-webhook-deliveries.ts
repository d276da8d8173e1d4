import type { NotificationsContext } from '../context';
import { claimDueDeliveries } from '../repositories/deliveries-repository';
import type { DueDelivery } from '../repositories/deliveries-repository';

export type ClaimWebhookDeliveriesInput = { limit: number };

/** Leases due deliveries for this worker: long enough for one request and its bookkeeping. */
export async function claimWebhookDeliveries(
  input: ClaimWebhookDeliveriesInput,
  ctx: NotificationsContext,
): Promise<DueDelivery[]> {
  if (input.limit <= 0) return [];
  const now = ctx.clock();
  const { result } = await ctx.runInTransaction((tx) =>
    claimDueDeliveries(tx, {
      now,
      leaseUntil: new Date(now.getTime() + ctx.settings.timeoutMs + 30_000),
      limit: input.limit,
      perEndpoint: ctx.settings.perEndpoint,
    }),
  );
  return result;
}
