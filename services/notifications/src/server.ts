import { runService, systemClock } from '@vanthu/platform';
import { createWebhookSender } from './adapters/webhook-sender';
import type { WebhookSender } from './adapters/webhook-sender';
import { buildApp } from './app';
import { migrationsDir, notificationsConfigSchema } from './config';
import type { NotificationsConfig } from './config';
import type { WebhookSettings } from './context';
import { notificationsConsumer } from './events/consumers';
import { DeliveryWorker } from './worker';
import type { WorkerContext } from './worker';

let worker: DeliveryWorker | undefined;
let sender: WebhookSender | undefined;

const settingsOf = (config: NotificationsConfig): WebhookSettings => ({
  mode: config.WEBHOOK_MODE,
  timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  concurrency: config.WEBHOOK_CONCURRENCY,
  perEndpoint: config.WEBHOOK_PER_ENDPOINT,
  prefetch: config.WEBHOOK_PREFETCH,
  failingProbeMs: config.WEBHOOK_FAILING_PROBE_MS,
  disableAfterDays: config.WEBHOOK_DISABLE_AFTER_DAYS,
  secretOverlapHours: config.WEBHOOK_SECRET_OVERLAP_HOURS,
  topicPrefix: config.KAFKA_TOPIC_PREFIX,
});

const wake = () => worker?.wake();

void runService({
  name: 'notifications',
  configSchema: notificationsConfigSchema,
  migrationsDir,
  topics: ['vanthu.notifications', 'vanthu.documents', 'vanthu.routing', 'vanthu.exchange'],
  consumers: (context) => {
    const settings = settingsOf(context.config);
    const base: WorkerContext = {
      identity: { userId: 'service:notifications', agencyCode: '000.00.00.A00', roles: ['service'] },
      clock: systemClock,
      logger: context.logger,
      settings,
    };
    sender = createWebhookSender(settings.mode);
    worker = new DeliveryWorker(
      { ...base, send: sender },
      context.pool,
      context.logger,
      context.config.WEBHOOK_POLL_MS,
    );
    return [notificationsConsumer(context.config.CONSUMER_GROUP, base, wake)];
  },
  beforeListen: async () => worker?.start(),
  onClose: async () => {
    await worker?.stop();
    sender?.close?.();
  },
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      pool: context.pool,
      identityPublicKey: context.identityPublicKey,
      healthChecks: context.healthChecks,
      settings: settingsOf(context.config),
      onReplay: wake,
    }),
});
