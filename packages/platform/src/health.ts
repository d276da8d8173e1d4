export type HealthCheck = { name: string; check: () => Promise<unknown> };
export type ComponentHealth = { status: 'up' | 'down'; latencyMs: number; error?: string; detail?: unknown };
export type HealthReport = {
  status: 'ok' | 'unavailable';
  service: string;
  version: string;
  checks: Record<string, ComponentHealth>;
};

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

/** Runs all checks in parallel, each bounded, so one hung dependency cannot hang the probe. */
export async function runHealthChecks(
  service: string,
  version: string,
  checks: HealthCheck[],
  timeoutMs = 2_500,
): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const started = performance.now();
      try {
        const detail = await withTimeout(check(), timeoutMs);
        const health: ComponentHealth = { status: 'up', latencyMs: Math.round(performance.now() - started) };
        if (detail !== undefined) health.detail = detail;
        return [name, health] as const;
      } catch (error) {
        return [
          name,
          { status: 'down', latencyMs: Math.round(performance.now() - started), error: (error as Error).message },
        ] as const;
      }
    }),
  );
  const report: HealthReport = { status: 'ok', service, version, checks: Object.fromEntries(results) };
  if (results.some(([, health]) => health.status === 'down')) report.status = 'unavailable';
  return report;
}
