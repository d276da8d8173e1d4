import { randomUUID } from 'node:crypto';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { NotificationsContext } from '../context';
import { findDelivery, insertReplay } from '../repositories/deliveries-repository';
import { findEndpoint } from '../repositories/endpoints-repository';
import { deliveryView } from './delivery-view';
import type { DeliveryView } from './delivery-view';

export type ReplayWebhookDeliveryInput = { endpointId: string; deliveryId: string };

/**
 * Sends a logged message again as a new delivery with the same webhook-id (receivers de-duplicate on it)
 * and a fresh timestamp and signature; refused while the endpoint is disabled.
 */
export async function replayWebhookDelivery(
  input: ReplayWebhookDeliveryInput,
  ctx: NotificationsContext,
): Promise<Mutation<DeliveryView>> {
  requireRole(ctx.identity, 'admin');
  const { agencyCode } = ctx.identity;
  return ctx.runInTransaction(async (tx) => {
    const endpoint = await findEndpoint(tx, agencyCode, input.endpointId);
    const delivery = endpoint && (await findDelivery(tx, agencyCode, endpoint.id, input.deliveryId));
    if (!endpoint || !delivery) throw new AppError('NOT_FOUND', 'no such delivery');
    if (endpoint.state !== 'active') throw new AppError('CONFLICT', 'the endpoint is disabled: enable it first');
    return deliveryView(await insertReplay(tx, { id: randomUUID(), of: delivery, agencyCode, at: ctx.clock() }));
  });
}
