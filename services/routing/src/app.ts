import { buildServiceApp } from '@vanthu/platform';
import type { HealthCheck, Logger, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';

export type RoutingAppDeps = { logger: Logger; identityPublicKey: string; healthChecks?: HealthCheck[] };

export async function buildApp(deps: RoutingAppDeps): Promise<ServiceApp> {
  return buildServiceApp({
    name: 'routing',
    version: serviceVersion,
    description: 'Workflows, tasks, deadlines and inter-agency exchange (luồng xử lý, liên thông).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    healthChecks: deps.healthChecks ?? [],
  });
}
