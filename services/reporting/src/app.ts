import { buildServiceApp } from '@vanthu/platform';
import type { Clock, HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import { reportRoutes } from './routes/reports';

export type ReportingAppDeps = {
  logger: Logger;
  pool: Pool;
  identityPublicKey: string;
  /** The inbox consumer name the projections are built under (freshness reads its inbox rows). */
  consumer: string;
  clock?: Clock;
  healthChecks?: HealthCheck[];
};

export async function buildApp(deps: ReportingAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'reporting',
    version: serviceVersion,
    description: 'Reports built only from events: monthly compliance per agency (báo cáo hằng tháng).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    healthChecks: deps.healthChecks ?? [],
  });
  await reportRoutes(app, { pool: deps.pool, consumer: deps.consumer, ...(deps.clock ? { clock: deps.clock } : {}) });
  return app;
}
