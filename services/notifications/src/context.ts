import type { UseCaseContext } from '@vanthu/platform';
import type { WebhookSender } from './adapters/webhook-sender';
import type { WebhookMode } from './rules/endpoint-address';

/** The settings of webhook delivery (from the configuration; tests pass their own). */
export type WebhookSettings = {
  mode: WebhookMode;
  timeoutMs: number;
  /** Deliveries in flight at once in this process, and per endpoint. */
  concurrency: number;
  perEndpoint: number;
  disableAfterDays: number;
  secretOverlapHours: number;
  topicPrefix: string;
};

/** What the notifications use cases take besides the platform context. */
export type NotificationsContext = UseCaseContext & { settings: WebhookSettings; send?: WebhookSender };

export const defaultWebhookSettings: WebhookSettings = {
  mode: 'production',
  timeoutMs: 10_000,
  concurrency: 64,
  perEndpoint: 4,
  disableAfterDays: 5,
  secretOverlapHours: 24,
  topicPrefix: '',
};
