import { buildServiceApp, systemClock } from '@vanthu/platform';
import type { Clock, HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { DocumentsClient } from './clients/documents-client';
import { serviceVersion } from './config';
import type { RoutingDeps } from './domain/routing-context';
import { moduleTimers } from './module-timers';
import { calendarRoutes } from './routes/calendar-routes';
import { submissionRoutes } from './routes/submission-routes';
import { consultationRoutes } from './routes/consultation-routes';
import { delegationRoutes } from './routes/delegation-routes';
import { definitionRoutes } from './routes/definitions';
import { gatingRoutes } from './routes/gating-routes';
import { incidentRoutes } from './routes/incident-routes';
import { processRoutes } from './routes/processes';
import { taskRoutes } from './routes/tasks';
import { operationRoles } from './routes/operation-roles';

export type RoutingAppDeps = {
  logger: Logger;
  identityPublicKey: string;
  /** Accepts service identity assertions (exchange and other services calling from their consumers). */
  servicePublicKey?: string;
  healthChecks?: HealthCheck[];
  pool: Pool;
  /** The process engine's collaborators; absent where only the API documents are generated. */
  routing?: RoutingDeps;
  /** Domain code reads time from here; tests move it instead of sleeping. */
  clock?: Clock;
};

export async function buildApp(deps: RoutingAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'routing',
    version: serviceVersion,
    description:
      'Processes of NĐ 30/2020 as versioned definitions (văn bản đi, văn bản đến), tasks and inboxes, signature-gated steps, returns with reasons, distribution to chủ trì / phối hợp / để biết, hash-chained history; working-day calendars, timers and certificate gating.',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    operationRoles,
    ...(deps.servicePublicKey ? { servicePublicKey: deps.servicePublicKey } : {}),
    healthChecks: deps.healthChecks ?? [],
  });
  const time = { pool: deps.pool, ...(deps.clock ? { clock: deps.clock } : {}) };
  await calendarRoutes(app, time);
  await gatingRoutes(app, time);
  await delegationRoutes(app, time);
  await submissionRoutes(app, time);
  const clock = deps.clock ?? systemClock;
  const routing: RoutingDeps = deps.routing ?? {
    documents: new DocumentsClient('http://127.0.0.1:0'),
    events: { topicPrefix: '', source: '/vanthu/routing' },
    localAgencies: [],
  };
  const routeDeps = { timers: moduleTimers(clock), ...routing, pool: deps.pool, clock };
  await definitionRoutes(app, routeDeps);
  await processRoutes(app, routeDeps);
  await taskRoutes(app, routeDeps);
  await consultationRoutes(app, routeDeps);
  await incidentRoutes(app, routeDeps);
  return app;
}
