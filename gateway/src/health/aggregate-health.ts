import type { Upstream } from '../proxy/upstreams';

export type AggregatedHealth = {
  status: 'ok' | 'degraded' | 'unavailable';
  services: Record<string, { status: 'up' | 'down'; checks?: Record<string, unknown>; error?: string }>;
  components: Record<string, { status: 'up' | 'down'; reportedBy: string[] }>;
};

type ServiceReport = { status?: string; checks?: Record<string, { status?: string }> };

/**
 * Asks every service for its readiness and folds their dependency checks into one view of
 * the platform: each service, and each shared component (PostgreSQL, Kafka, HSM) as the
 * services see it.
 */
export async function aggregateHealth(services: Upstream[]): Promise<AggregatedHealth> {
  const health: AggregatedHealth = { status: 'ok', services: {}, components: {} };
  await Promise.all(
    services.map(async (service) => {
      try {
        const response = await firstAnswer(service.replicas);
        const report = (await response.json()) as ServiceReport;
        health.services[service.service] = { status: response.ok ? 'up' : 'down', checks: report.checks ?? {} };
        for (const [name, check] of Object.entries(report.checks ?? {})) {
          const component = health.components[name] ?? { status: 'up', reportedBy: [] };
          component.reportedBy.push(service.service);
          if (check.status !== 'up') component.status = 'down';
          health.components[name] = component;
        }
      } catch (error) {
        health.services[service.service] = { status: 'down', error: (error as Error).message };
      }
    }),
  );
  const serviceStates = Object.values(health.services).map((s) => s.status);
  if (serviceStates.every((s) => s === 'down')) health.status = 'unavailable';
  else if (serviceStates.some((s) => s === 'down')) health.status = 'degraded';
  return health;
}

/** The readiness of the first replica that answers: a service is up while any of its replicas is. */
async function firstAnswer(replicas: string[]): Promise<Response> {
  let lastError: unknown;
  for (const replica of replicas) {
    try {
      const response = await fetch(`${replica}/health/ready`, { signal: AbortSignal.timeout(4_000) });
      if (response.ok || replica === replicas[replicas.length - 1]) return response;
      await response.body?.cancel();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no replica answered');
}
