import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const notificationsConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3106 }),
  CONSUMER_GROUP: Type.String({ default: 'notifications', pattern: '^[A-Za-z0-9._-]+$' }),
  WEBHOOK_MODE: Type.Union([Type.Literal('production'), Type.Literal('development')], {
    default: 'production',
    description:
      'production: endpoints must be https and resolve to public addresses; development: plain http to a loopback host is allowed',
  }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  WEBHOOK_POLL_MS: Type.Integer({ minimum: 10, default: 100 }),
  WEBHOOK_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1000, default: 64 }),
  WEBHOOK_PER_ENDPOINT: Type.Integer({ minimum: 1, maximum: 100, default: 4 }),
  WEBHOOK_PREFETCH: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 128,
    description:
      'Due deliveries of one endpoint a worker leases ahead and queues in memory (sent WEBHOOK_PER_ENDPOINT at a time)',
  }),
  WEBHOOK_FAILING_PROBE_MS: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 1000,
    description: 'A failing endpoint gets one request at a time, at most one per this interval, until one succeeds',
  }),
  WEBHOOK_DISABLE_AFTER_DAYS: Type.Integer({ minimum: 1, default: 5 }),
  WEBHOOK_SECRET_OVERLAP_HOURS: Type.Integer({ minimum: 0, default: 24 }),
});
export type NotificationsConfig = Static<typeof notificationsConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.1.0';
export const eventSource = '/vanthu/notifications';
