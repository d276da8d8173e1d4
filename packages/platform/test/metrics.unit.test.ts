import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { buildServiceApp } from '../src/http';
import type { ServiceApp } from '../src/http';
import { createIdentitySigner } from '../src/identity';
import { metricsRegistry, registerGauge, sharedForAScrape } from '../src/metrics';

// /metrics in Prometheus text format: every response counted under its route template (never the URL, so ids do not
// multiply the series), unmatched requests under one label, and gauges measured when scraped.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const assertion = createIdentitySigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())({
  userId: 'nv-an',
  agencyCode: '000.00.00.H99',
  roles: ['clerk'],
});
let app: ServiceApp;

beforeAll(async () => {
  app = await buildServiceApp({
    name: 'metrics-test',
    version: '0.0.0',
    description: 'metrics test',
    logger: pino({ level: 'silent' }),
    identityPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  app.get('/v1/things/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const scrape = async (): Promise<string> => {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
};
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('responses are counted per route template, method and status', async () => {
  const headers = { 'x-vanthu-identity': assertion };
  for (const id of ['a1', 'b2', 'c3']) {
    expect((await app.inject({ method: 'GET', url: `/v1/things/${id}`, headers })).statusCode).toBe(200);
  }
  expect((await app.inject({ method: 'GET', url: '/v1/things/x' })).statusCode).toBe(401);
  expect((await app.inject({ method: 'GET', url: '/v1/nowhere/42', headers })).statusCode).toBe(404);

  const text = await scrape();
  const series = (route: string, status: number) =>
    `vanthu_http_request_duration_seconds_count{service="metrics-test",method="GET",route="${route}",status_code="${status}"}`;
  expect(sample(text, series('/v1/things/:id', 200))).toBe(3);
  expect(sample(text, series('/v1/things/:id', 401))).toBe(1);
  expect(sample(text, series('unmatched', 404))).toBe(1);
  expect(text).not.toMatch(/route="\/v1\/things\/a1"/);
  // Scrapes are not counted, or every scrape would change what it reports.
  expect(text).not.toMatch(/route="\/metrics"/);
});

test('a gauge is measured at each scrape, and registering it again replaces how', async () => {
  let backlog = 7;
  registerGauge('vanthu_test_backlog', 'a test gauge', ['service'], async () => [
    { labels: { service: 'metrics-test' }, value: backlog },
  ]);
  expect(sample(await scrape(), 'vanthu_test_backlog{service="metrics-test"}')).toBe(7);
  backlog = 2;
  expect(sample(await scrape(), 'vanthu_test_backlog{service="metrics-test"}')).toBe(2);
  registerGauge('vanthu_test_backlog', 'a test gauge', ['service'], async () => [
    { labels: { service: 'other' }, value: 5 },
  ]);
  const text = await scrape();
  expect(sample(text, 'vanthu_test_backlog{service="other"}')).toBe(5);
  expect(sample(text, 'vanthu_test_backlog{service="metrics-test"}')).toBeUndefined();
  metricsRegistry.removeSingleMetric('vanthu_test_backlog');
});

test('gauges of one scrape share one read; a later scrape reads again, and a failed read is not reused', async () => {
  let reads = 0;
  let fail = false;
  const read = sharedForAScrape(async () => {
    reads += 1;
    if (fail) throw new Error('database down');
    return reads;
  }, 50);
  registerGauge('vanthu_test_pending', 'a test gauge', [], async () => [{ labels: {}, value: await read() }]);
  registerGauge('vanthu_test_oldest', 'a test gauge', [], async () => [{ labels: {}, value: (await read()) * 10 }]);
  const first = await scrape();
  expect(reads).toBe(1);
  expect(sample(first, 'vanthu_test_pending')).toBe(1);
  expect(sample(first, 'vanthu_test_oldest')).toBe(10);
  await new Promise((resolve) => setTimeout(resolve, 80));
  fail = true;
  await expect(read()).rejects.toThrow('database down');
  fail = false;
  // The failure was not kept for the rest of the window: the next call reads again.
  expect(await read()).toBe(3);
  metricsRegistry.removeSingleMetric('vanthu_test_pending');
  metricsRegistry.removeSingleMetric('vanthu_test_oldest');
});
