import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

export const serviceNames = ['documents', 'signing', 'routing', 'reporting', 'exchange', 'notifications'] as const;
export type ServiceName = (typeof serviceNames)[number];
export type ProcessName = ServiceName | 'gateway';

export const defaultPorts: Record<ProcessName, number> = {
  gateway: 3000,
  documents: 3101,
  signing: 3102,
  routing: 3103,
  reporting: 3104,
  exchange: 3105,
  notifications: 3106,
};

/** What the supervisor runs: the services, the gateway, and the hub sandbox of `npm start` (infra/src/hub-sandbox.ts). */
export type ComponentName = ProcessName | 'hub-sandbox';

/** The compiled entry point of a service, the gateway or the hub sandbox (built by `npm run build`). */
export function entryPoint(name: ComponentName): string {
  if (name === 'hub-sandbox') return path.join(repoRoot, 'services', 'exchange', 'dist', 'hub-sandbox', 'server.js');
  const dir = name === 'gateway' ? path.join(repoRoot, 'gateway') : path.join(repoRoot, 'services', name);
  return path.join(dir, 'dist', 'server.js');
}

/** The OpenTelemetry SDK a process loads before its own modules when traces are to be exported (tracing-sdk.ts). */
export const tracingSdk = path.join(repoRoot, 'packages', 'platform', 'dist', 'tracing-sdk.js');

/**
 * How node runs a component: source maps for readable stack traces and, when its environment names an OTLP endpoint,
 * the tracing SDK preloaded (`--require`, so http, undici and pg are instrumented before the component loads them).
 * Used by the supervisor of `npm start`, the test stacks and the systemd units alike.
 */
export function nodeArguments(name: ComponentName, env: Record<string, string | undefined>): string[] {
  const traced = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  return ['--enable-source-maps', ...(traced ? ['--require', tracingSdk] : []), entryPoint(name)];
}

export function isBuilt(): boolean {
  return [...serviceNames, 'gateway' as const].every((name) => fs.existsSync(entryPoint(name)));
}

export const databaseName = (service: ServiceName, suffix = ''): string => `vanthu_${service}${suffix}`;
