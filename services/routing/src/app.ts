import { buildServiceApp } from '@vanthu/platform';
import type { Clock, HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import { calendarRoutes } from './routes/calendar-routes';
import { delegationRoutes } from './routes/delegation-routes';
import { gatingRoutes } from './routes/gating-routes';

export type RoutingAppDeps = {
  logger: Logger;
  identityPublicKey: string;
  healthChecks?: HealthCheck[];
  pool: Pool;
  /** Domain code reads time from here; tests move it instead of sleeping. */
  clock?: Clock;
};

export async function buildApp(deps: RoutingAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'routing',
    version: serviceVersion,
    description: 'Workflows, tasks, deadlines and inter-agency exchange (luồng xử lý, liên thông).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    healthChecks: deps.healthChecks ?? [],
  });
  const time = { pool: deps.pool, ...(deps.clock ? { clock: deps.clock } : {}) };
  await calendarRoutes(app, time);
  await gatingRoutes(app, time);
  await delegationRoutes(app, time);
  return app;
}
