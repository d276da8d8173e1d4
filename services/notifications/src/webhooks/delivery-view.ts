import type { WebhookDelivery } from '../repositories/deliveries-repository';

export type DeliveryView = {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  replayOf: string | null;
  state: WebhookDelivery['state'];
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
};

export const deliveryView = (d: WebhookDelivery): DeliveryView => ({
  ...d,
  nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  finishedAt: d.finishedAt?.toISOString() ?? null,
});
