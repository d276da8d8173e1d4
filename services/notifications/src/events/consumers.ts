import { topicName } from '@vanthu/contracts';
import type { EventHandler } from '@vanthu/platform';
import type { WorkerContext } from '../worker';
import { consumedEventTypes } from '../rules/webhook-event-types';
import { fanOutEvent } from '../webhooks/fan-out-event';

/** Each event is fanned out in the inbox's transaction; `onStored` wakes the sender after the commit. */
export function notificationsHandlers(
  base: WorkerContext,
  onStored: () => void = () => undefined,
): Record<string, EventHandler> {
  const handler: EventHandler = async (tx, event) => {
    const { deliveries } = await fanOutEvent(
      { event },
      {
        ...base,
        requestId: `event-${event.id}`,
        runInTransaction: async (work) => ({ result: await work(tx), replayed: false }),
      },
    );
    // The inbox commits right after the handler returns; the next poll is the fallback.
    if (deliveries > 0) setTimeout(onStored, 5).unref();
  };
  return Object.fromEntries(consumedEventTypes.map((type) => [type, handler]));
}

export const consumedTopics = ['vanthu.documents', 'vanthu.routing', 'vanthu.exchange'] as const;

/**
 * Events of one Kafka batch fanned out in one inbox transaction (and one offset commit) instead of one each: under a
 * burst of events the consumer keeps up, and a quiet partition's single event still goes at once.
 */
export const notificationsBatchSize = 100;

export function notificationsConsumer(
  group: string,
  base: WorkerContext,
  onStored?: () => void,
): { consumer: string; topics: string[]; handlers: Record<string, EventHandler>; batchSize: number } {
  return {
    consumer: `${base.settings.topicPrefix}${group}`,
    topics: consumedTopics.map((topic) => topicName(topic, base.settings.topicPrefix)),
    handlers: notificationsHandlers(base, onStored),
    batchSize: notificationsBatchSize,
  };
}
