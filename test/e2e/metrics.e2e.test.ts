import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { eventually } from '../support/wait';
import { agencyA } from '../support/identities';

// What an operator's Prometheus sees of a running stack: requests per route at the gateway and at the service behind
// it, the outbox backlog of the service that published, and the lag of the consumer that counts the event.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('metrics');
});
afterAll(async () => {
  await stack?.stop();
});

const scrape = async (port: number, headers: Record<string, string> = {}) => {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers });
  return { status: response.status, text: await response.text() };
};
const value = (text: string, pattern: RegExp): number[] =>
  text
    .split('\n')
    .filter((line) => pattern.test(line))
    .map((line) => Number(line.split(' ').pop()));

test('an upload shows at the gateway and at documents, and reporting consumes it down to no lag', async () => {
  const clerk = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'] }),
  );
  const created = await clerk.uploadDocument(await makePdf('metrics', 1), {
    direction: 'outgoing',
    subject: 'Về việc theo dõi hệ thống',
  });
  expect(created.status).toBe(201);

  const documents = await scrape(stack.ports.documents);
  expect(documents.status).toBe(200);
  expect(
    value(
      documents.text,
      /^vanthu_http_request_duration_seconds_count\{service="documents",method="POST",route="\/v1\/documents",status_code="201"\}/,
    ),
  ).toEqual([1]);
  expect(value(documents.text, /^vanthu_outbox_pending_events\{service="documents"\}/)).toHaveLength(1);
  expect(value(documents.text, /^vanthu_outbox_oldest_pending_seconds\{service="documents"\}/)).toHaveLength(1);
  expect(documents.text).toMatch(/^vanthu_process_cpu_seconds_total /m);

  const gateway = await scrape(stack.ports.gateway);
  expect(gateway.status).toBe(200);
  const proxied = value(
    gateway.text,
    /^vanthu_http_request_duration_seconds_count\{service="gateway",method="POST",.*status_code="201"\}/,
  );
  expect(proxied.reduce((a, b) => a + b, 0)).toBe(1);
  // Through a proxy in front of the gateway, the metrics are not there to read.
  expect((await scrape(stack.ports.gateway, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(404);

  // Reporting's consumer of the documents topic catches up: its lag series exists and falls to zero.
  const lag = await eventually(
    async () =>
      value(
        (await scrape(stack.ports.reporting)).text,
        /^vanthu_kafka_consumer_lag\{service="reporting",consumer="[^"]+",topic="[^"]*vanthu\.documents"\}/,
      ),
    (lags) => lags.length > 0 && lags.every((l) => l === 0),
    30_000,
    'reporting to consume the documents topic',
  );
  expect(lag.length).toBeGreaterThan(0);
});

test('the bounded work that explains latency is visible: HSM sessions, validation workers, LibreOffice, numbering', async () => {
  const signing = await scrape(stack.ports.signing);
  expect(signing.status).toBe(200);
  for (const queue of ['hsm-sessions', 'validation-workers']) {
    const [capacity] = value(signing.text, new RegExp(`^vanthu_work_capacity\\{service="signing",queue="${queue}"\\}`));
    expect(capacity).toBeGreaterThan(0);
    const [running] = value(signing.text, new RegExp(`^vanthu_work_running\\{service="signing",queue="${queue}"\\}`));
    expect(running).toBeGreaterThanOrEqual(0);
    expect(running).toBeLessThanOrEqual(capacity as number);
    expect(value(signing.text, new RegExp(`^vanthu_work_waiting\\{service="signing",queue="${queue}"\\}`))).toEqual([
      0,
    ]);
  }
  const documents = await scrape(stack.ports.documents);
  for (const queue of ['libreoffice', 'numbering']) {
    const [capacity] = value(
      documents.text,
      new RegExp(`^vanthu_work_capacity\\{service="documents",queue="${queue}"\\}`),
    );
    expect(capacity).toBeGreaterThan(0);
  }
});
