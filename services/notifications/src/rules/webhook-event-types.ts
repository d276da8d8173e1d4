import { documentCreatedV1, documentIssuedV1, exchangeStatusV1, taskAssignedV1 } from '@vanthu/contracts';
import type { CloudEvent } from '@vanthu/platform';

/**
 * What an integrator can subscribe to (issue 15 item 2), each fed by one published event. The webhook's
 * `data` is the event's data as it is (ids, versions, SHA-256 and metadata: events never carry document
 * bytes, packages/contracts), so a receiver fetches content through the API with its own token.
 */
type Source = { eventType: string; accepts: (data: Record<string, unknown>) => boolean };
const always = (): boolean => true;

export const webhookEventSources = {
  // A task opened for a person (or a role in a unit) in routing.
  'task.assigned': { eventType: taskAssignedV1.type, accepts: always },
  // phát hành (NĐ 30/2020 Điều 16).
  'document.issued': { eventType: documentIssuedV1.type, accepts: always },
  // văn bản đến: from the hub (exchange creates it) or registered by the clerk; one event either way.
  'incoming-document.arrived': {
    eventType: documentCreatedV1.type,
    accepts: (data) => data.direction === 'incoming',
  },
  // QCVN 102:2016 status codes about an exchanged document.
  'exchange.status-changed': { eventType: exchangeStatusV1.type, accepts: always },
} satisfies Record<string, Source>;

export type WebhookEventType = keyof typeof webhookEventSources;
export const webhookEventTypes = Object.keys(webhookEventSources) as WebhookEventType[];

/** The webhook event types one published event becomes (none when nobody can subscribe to it). */
export function webhookTypesOf(event: Pick<CloudEvent, 'type' | 'data'>): WebhookEventType[] {
  const data = (event.data ?? {}) as Record<string, unknown>;
  return webhookEventTypes.filter((name) => {
    const source: Source = webhookEventSources[name];
    return source.eventType === event.type && source.accepts(data);
  });
}

/** The CloudEvents types the consumer must read. */
export const consumedEventTypes = [...new Set(Object.values(webhookEventSources).map((s) => s.eventType))];

/** Standard Webhooks 1.0 "Payload structure": `{type, timestamp, data}`, serialised once and stored. */
export function webhookBody(type: WebhookEventType, occurredAt: string, data: unknown): string {
  return JSON.stringify({ type, timestamp: occurredAt, data });
}
