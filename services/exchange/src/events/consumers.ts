import { deliveryRequestedV1, topicName } from '@vanthu/contracts';
import type { DeliveryRequestedV1 } from '@vanthu/contracts';
import type { EventHandler } from '@vanthu/platform';
import type { ExchangeContext } from '../context';
import { queueDelivery } from '../domain/exchanges/queue-delivery';

/** The delivery request is queued in the inbox transaction: consumed once, never lost. */
export function exchangeHandlers(
  base: Omit<ExchangeContext, 'runInTransaction' | 'requestId'>,
): Record<string, EventHandler> {
  return {
    [deliveryRequestedV1.type]: async (tx, event) => {
      const data = event.data as DeliveryRequestedV1;
      await queueDelivery(
        {
          deliveryId: data.deliveryId,
          agencyCode: data.agencyCode,
          documentId: data.documentId,
          version: data.version,
          recipients: data.recipients,
        },
        {
          ...base,
          requestId: `event-${event.id}`,
          runInTransaction: async (work) => ({ result: await work(tx), replayed: false }),
        },
      );
    },
  };
}

export function exchangeConsumer(
  group: string,
  base: Omit<ExchangeContext, 'runInTransaction' | 'requestId'>,
): { consumer: string; topics: string[]; handlers: Record<string, EventHandler> } {
  return {
    consumer: `${base.topicPrefix}${group}`,
    topics: [topicName('vanthu.routing', base.topicPrefix)],
    handlers: exchangeHandlers(base),
  };
}
