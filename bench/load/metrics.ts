// The processes' own Prometheus figures around a load run: what each process spent (CPU seconds), what each route
// answered and how long it took on the server's side, and the peaks of the queues and lags sampled during the run.

export type MetricSample = { name: string; labels: string; value: number };

/** Prometheus text format, one sample per line (`name{labels} value`); comments and blank lines skipped. */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    samples.push({ name: match[1] as string, labels: match[2] ?? '', value: Number(match[3]) });
  }
  return samples;
}

export async function readMetrics(port: number): Promise<MetricSample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`/metrics on port ${port} answered ${response.status}`);
  return parseMetrics(await response.text());
}

const label = (labels: string, name: string): string => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';
const total = (samples: MetricSample[], name: string): number =>
  samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);

/** What changed in one process between two scrapes `seconds` apart. */
export function metricDelta(before: MetricSample[], after: MetricSample[], seconds: number) {
  const cpuSeconds =
    total(after, 'vanthu_process_cpu_seconds_total') - total(before, 'vanthu_process_cpu_seconds_total');
  const key = (s: MetricSample) =>
    `${label(s.labels, 'method')} ${label(s.labels, 'route')} ${label(s.labels, 'status_code')}`;
  const sums = (samples: MetricSample[], suffix: string) => {
    const map = new Map<string, number>();
    for (const s of samples.filter((s) => s.name === `vanthu_http_request_duration_seconds_${suffix}`))
      map.set(key(s), (map.get(key(s)) ?? 0) + s.value);
    return map;
  };
  const [countsBefore, countsAfter, sumsBefore, sumsAfter] = [
    sums(before, 'count'),
    sums(after, 'count'),
    sums(before, 'sum'),
    sums(after, 'sum'),
  ];
  const routes = [...countsAfter.entries()]
    .map(([route, count]) => {
      const requests = count - (countsBefore.get(route) ?? 0);
      const spent = (sumsAfter.get(route) ?? 0) - (sumsBefore.get(route) ?? 0);
      return { route, requests, serverMeanMs: requests > 0 ? Math.round((spent / requests) * 10_000) / 10 : 0 };
    })
    .filter((r) => r.requests > 0)
    .sort((a, b) => b.requests - a.requests);
  return {
    cpuSeconds: Math.round(cpuSeconds * 10) / 10,
    /** Share of one core the process used over the run. */
    coresUsed: Math.round((cpuSeconds / seconds) * 100) / 100,
    routes,
  };
}

/** The gauges whose peaks explain a run's latency: queues waiting, unpublished events, event-loop lag. */
const watched = [
  'vanthu_work_running',
  'vanthu_work_waiting',
  'vanthu_outbox_pending_events',
  'vanthu_outbox_oldest_pending_seconds',
  'vanthu_nodejs_eventloop_lag_p99_seconds',
];

/** Scrapes every `everyMs` until stopped; returns each watched gauge's highest value per process and label set. */
export function watchPeaks(ports: Record<string, number>, everyMs = 2_000): () => Promise<Record<string, number>> {
  const peaks: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [process, port] of Object.entries(ports)) {
        const samples = await readMetrics(port).catch(() => [] as MetricSample[]);
        for (const s of samples.filter((s) => watched.includes(s.name))) {
          const name = `${process} ${s.name}${s.labels}`;
          peaks[name] = Math.max(peaks[name] ?? 0, s.value);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peaks;
  };
}
