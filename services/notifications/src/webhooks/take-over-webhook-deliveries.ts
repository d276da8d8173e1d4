import { statementRunner } from '../context';
import type { NotificationsContext } from '../context';
import { capForeignLeases } from '../repositories/deliveries-repository';

export type TakeOverWebhookDeliveriesInput = { workerId: string };

/**
 * When a worker becomes the dispatcher: the previous one's leases (a crashed process's queues, up to `prefetch`
 * deliveries per endpoint) are cut to one request timeout and 5 s from now, so its endpoints are sent to again that
 * soon rather than when their deepest lease would have run out.
 */
export async function takeOverWebhookDeliveries(
  input: TakeOverWebhookDeliveriesInput,
  ctx: NotificationsContext,
): Promise<number> {
  const now = ctx.clock();
  const until = new Date(now.getTime() + ctx.settings.timeoutMs + 5_000);
  return statementRunner(ctx)((db) => capForeignLeases(db, { workerId: input.workerId, until, now }));
}
