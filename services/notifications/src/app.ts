import { buildServiceApp, systemClock } from '@vanthu/platform';
import type { Clock, HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import { defaultWebhookSettings } from './context';
import type { WebhookSettings } from './context';
import { webhookRoutes } from './routes/webhook-routes';
import { operationRoles } from './routes/operation-roles';

export type NotificationsAppDeps = {
  logger: Logger;
  pool: Pool;
  identityPublicKey: string;
  healthChecks?: HealthCheck[];
  settings?: WebhookSettings;
  clock?: Clock;
  /** Called after a replay is stored, so the sender picks it up at once. */
  onReplay?: () => void;
};

export async function buildApp(deps: NotificationsAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'notifications',
    version: serviceVersion,
    description:
      'Webhooks for integrators: endpoints per agency, deliveries signed per Standard Webhooks, retried with backoff, logged and replayable.',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    operationRoles,
    healthChecks: deps.healthChecks ?? [],
  });
  await webhookRoutes(app, {
    pool: deps.pool,
    clock: deps.clock ?? systemClock,
    settings: deps.settings ?? defaultWebhookSettings,
    ...(deps.onReplay ? { onReplay: deps.onReplay } : {}),
  });
  return app;
}
