import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors';

/**
 * Prometheus metrics of this process (ARCHITECTURE.md, "Seeing it"). One registry per process, like the process
 * itself: every app built in it records into the same request histogram with its service name as a label, and the
 * service runner adds the gauges only it knows (outbox backlog, consumer lag). Scraped at `/metrics`.
 */
export const metricsRegistry = new Registry();

const requestDuration = new Histogram({
  name: 'vanthu_http_request_duration_seconds',
  help: 'Time from the request arriving to the response finishing, per service, route template, method and status',
  labelNames: ['service', 'method', 'route', 'status_code'],
  // From a cached read (1 ms) to a large signing batch or a DOCX conversion (tens of seconds).
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

let processMetricsOn = false;

/** CPU, memory, event-loop lag, GC and handles of this process; once per process, by whoever runs it. */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'vanthu_' });
}

const gauges = new Map<string, Gauge>();

/**
 * A gauge read when Prometheus scrapes, from `measure` (which returns one value per label set). Registering the same
 * name again replaces how it is measured, so a test that builds a second app in one process does not fail.
 */
export function registerGauge(
  name: string,
  help: string,
  labelNames: string[],
  measure: () => Promise<{ labels: Record<string, string>; value: number }[]>,
): void {
  const existing = gauges.get(name);
  if (existing) metricsRegistry.removeSingleMetric(name);
  const gauge = new Gauge({
    name,
    help,
    labelNames,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const { labels, value } of await measure()) this.set(labels, value);
    },
  });
  gauges.set(name, gauge);
}

/** `read` once for calls within a second of each other (the gauges of one scrape), then afresh. */
export function sharedForAScrape<T>(read: () => Promise<T>, windowMs = 1_000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > windowMs) {
      const value = read();
      // A failed read is not reused: the next gauge or scrape asks again.
      value.catch(() => {
        if (last?.value === value) last = undefined;
      });
      last = { at: now, value };
    }
    return last.value;
  };
}

/** How busy a bounded piece of work is: in progress, waiting for a turn, and how many may run at once. */
export type WorkLoad = { running: number; waiting: number; capacity: number };

/**
 * The queues that explain a service's latency (ARCHITECTURE.md, "Seeing it"): HSM sessions, validation workers,
 * LibreOffice conversions, registrations waiting for a register's counter. One series per queue for each of
 * running, waiting and capacity, read at scrape time.
 */
export function registerWorkQueues(service: string, queues: Record<string, () => WorkLoad>): void {
  const labelled = (pick: (load: WorkLoad) => number) => async () =>
    Object.entries(queues).map(([queue, load]) => ({ labels: { service, queue }, value: pick(load()) }));
  registerGauge(
    'vanthu_work_running',
    'Units of bounded work in progress (HSM sessions in use, busy validation workers, conversions, registrations)',
    ['service', 'queue'],
    labelled((load) => load.running),
  );
  registerGauge(
    'vanthu_work_waiting',
    'Requests waiting for a turn at bounded work',
    ['service', 'queue'],
    labelled((load) => load.waiting),
  );
  registerGauge(
    'vanthu_work_capacity',
    'How many units of the work may run at once',
    ['service', 'queue'],
    labelled((load) => load.capacity),
  );
}

/** A counter shared by every app of the process (e.g. refusals by code). */
export function registerCounter(name: string, help: string, labelNames: string[]): Counter {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Counter;
  return new Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

/**
 * Records every response of `app` in the request histogram and serves `/metrics`. The route label is the route's
 * template (`/v1/documents/:id`), never the URL, so ids do not multiply the series; unmatched requests share one.
 * `allow` decides who may read the metrics (the gateway keeps them to the host itself).
 */
export function installRequestMetrics(
  app: FastifyInstance,
  service: string,
  allow: (request: FastifyRequest) => boolean = () => true,
): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    requestDuration.observe(
      { service, method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (request, reply) => {
    if (!allow(request)) throw new AppError('NOT_FOUND', 'no route GET /metrics');
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
}
