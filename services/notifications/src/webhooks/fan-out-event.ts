import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@vanthu/platform';
import type { NotificationsContext } from '../context';
import { insertDeliveries, insertMessage } from '../repositories/deliveries-repository';
import { subscribedEndpointIds } from '../repositories/endpoints-repository';
import { webhookBody, webhookTypesOf } from '../rules/webhook-event-types';

export type FanOutEventInput = { event: CloudEvent };

/**
 * Turns one published event into one delivery per subscribed endpoint of its agency, in the inbox's
 * transaction. Idempotent in effect: the message and each (endpoint, message) delivery are stored once
 * however often the event arrives. Nothing is sent here, so a slow receiver never holds the consumer.
 */
export async function fanOutEvent(input: FanOutEventInput, ctx: NotificationsContext): Promise<{ deliveries: number }> {
  const { event } = input;
  const data = (event.data ?? {}) as Record<string, unknown>;
  const agencyCode = typeof data.agencyCode === 'string' ? data.agencyCode : undefined;
  const types = webhookTypesOf(event);
  if (!agencyCode || types.length === 0) return { deliveries: 0 };
  const { result } = await ctx.runInTransaction(async (tx) => {
    let deliveries = 0;
    for (const type of types) {
      const endpointIds = await subscribedEndpointIds(tx, agencyCode, type);
      if (endpointIds.length === 0) continue;
      const messageId = `msg_${event.id.replace(/-/g, '')}_${type}`;
      const now = ctx.clock();
      await insertMessage(tx, {
        id: messageId,
        eventId: event.id,
        agencyCode,
        eventType: type,
        body: webhookBody(type, event.time, data),
        occurredAt: new Date(event.time),
        at: now,
      });
      deliveries += await insertDeliveries(
        tx,
        endpointIds.map((endpointId) => ({ id: randomUUID(), endpointId })),
        messageId,
        agencyCode,
        now,
      );
    }
    return { deliveries };
  });
  return result;
}
