// Webhook delivery benchmark (issue 15): deliveries per second to a local receiver against a bare HTTP POST loop
// to the same receiver in the same run (goal ratio ≥ 0.5), and the delay from an event's commit to its arrival at
// the receiver, p99 (goal ≤ 1 s), with a second endpoint whose receiver fails every request alongside.
// Usage (infrastructure up): VANTHU_INFRASTRUCTURE=… npx tsx bench/webhooks/run.ts [--deliveries 2000] [--events 300]
//   [--prefetch 128] [--append]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { documentIssuedV1 } from '@vanthu/contracts';
import {
  InboxConsumer,
  OutboxRelay,
  createEvent,
  createKafka,
  createLogger,
  createPool,
  createProducer,
  enqueueEvent,
  ensureTopics,
  runMigrations,
  withTransaction,
} from '@vanthu/platform';
import type { CloudEvent, Pool } from '@vanthu/platform';
import { migrationsDir } from '../../services/notifications/src/config';
import { createWebhookSender } from '../../services/notifications/src/adapters/webhook-sender';
import { defaultWebhookSettings } from '../../services/notifications/src/context';
import { notificationsConsumer } from '../../services/notifications/src/events/consumers';
import { createWebhookEndpoint } from '../../services/notifications/src/webhooks/create-webhook-endpoint';
import { fanOutEvent } from '../../services/notifications/src/webhooks/fan-out-event';
import { DeliveryWorker, workerContext } from '../../services/notifications/src/worker';
import type { WorkerContext } from '../../services/notifications/src/worker';
import { startReceiver } from '../../services/notifications/test/receiver';
import { createTestDatabase, uniqueSuffix } from '../../test/support/databases';
import { loadInfrastructure } from '../../test/support/infrastructure';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const deliveryCount = option('--deliveries', 2000);
const eventCount = option('--events', 300);
const agencyCode = '000.00.00.H99';
const logger = createLogger('bench-webhooks', 'silent');
/** The service's default WEBHOOK_POLL_MS. */
const pollMs = 100;
const settings = {
  ...defaultWebhookSettings,
  mode: 'development' as const,
  timeoutMs: 2000,
  prefetch: option('--prefetch', defaultWebhookSettings.prefetch),
};

const issuedData = () => ({
  documentId: randomUUID(),
  agencyCode,
  notation: '15/QĐ-UBND',
  documentIdentifier: `${agencyCode},2026/12/01,15/QĐ-UBND`,
  version: 4,
  sha256: 'b'.repeat(64),
  issuedBy: 'van-thu-1',
  issuedAt: new Date().toISOString(),
});
const issued = (): CloudEvent =>
  createEvent(documentIssuedV1, randomUUID(), issuedData(), { source: '/vanthu/documents', agencyCode });

/**
 * The baseline: the same number of POSTs of the same body, `concurrency` at a time, no bookkeeping at all, over
 * kept-alive connections (the sender keeps its connections alive, so the baseline does too) or, for comparison
 * with earlier runs, a new connection per request.
 */
async function bareLoop(url: string, body: string, count: number, concurrency: number, keepAlive: boolean) {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: concurrency }) : false;
  const started = performance.now();
  let next = 0;
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (response) => {
          response.resume();
          response.on('end', () => resolve());
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await post();
      }
    }),
  );
  if (agent) agent.destroy();
  return count / ((performance.now() - started) / 1000);
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const db = await createTestDatabase('bench_webhooks');
  await runMigrations(db.url, migrationsDir, logger);
  const pool: Pool = createPool(db.url, { max: 20 });
  const good = await startReceiver(() => ({ status: 204 }));
  const failing = await startReceiver(() => ({ status: 500 }));
  const base: WorkerContext = {
    identity: { userId: 'quan-tri', agencyCode, roles: ['admin'] },
    clock: () => new Date(),
    logger,
    settings,
    send: createWebhookSender('development'),
  };
  const ctx = workerContext(base, pool, 'bench');
  for (const url of [good.url, failing.url]) await createWebhookEndpoint({ url, eventTypes: ['document.issued'] }, ctx);
  const results: Record<string, unknown> = {};
  try {
    // 1. Throughput: deliveries already stored, one worker sends them all (the failing endpoint's alongside).
    for (let i = 0; i < deliveryCount; i += 1) await fanOutEvent({ event: issued() }, ctx);
    const body = (await pool.query('SELECT body FROM webhook_messages LIMIT 1')).rows[0].body as string;
    const fresh = await bareLoop(good.url, body, deliveryCount, settings.perEndpoint, false);
    const bareCpu = process.cpuUsage();
    const baseline = await bareLoop(good.url, body, deliveryCount, settings.perEndpoint, true);
    const bareCpuUs = process.cpuUsage(bareCpu);
    good.received.length = 0;
    good.connections = 0;
    failing.received.length = 0;
    const worker = new DeliveryWorker(base, pool, logger, pollMs);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    worker.start();
    await waitFor(() => good.received.length >= deliveryCount, 600_000);
    const delivered = deliveryCount / ((performance.now() - started) / 1000);
    const failingRequests = failing.received.length;
    const workerCpuUs = process.cpuUsage(cpu0);
    await worker.stop();
    results.throughput = {
      deliveries: deliveryCount,
      bareLoopPerSecond: Math.round(baseline),
      bareLoopNewConnectionPerSecond: Math.round(fresh),
      webhooksPerSecond: Math.round(delivered),
      ratio: Number((delivered / baseline).toFixed(2)),
      goal: '≥ 0.5 (against the kept-alive bare loop)',
      perEndpointConcurrency: settings.perEndpoint,
      prefetch: settings.prefetch,
      failingReceiverRequestsDuringRun: failingRequests,
      goodReceiverConnections: good.connections,
      // CPU of this process (sender and receivers alike) per POST: where the machine is the limit, the ratio is
      // roughly the inverse of these two.
      cpuMicrosecondsPerBarePost: Math.round((bareCpuUs.user + bareCpuUs.system) / deliveryCount),
      cpuMicrosecondsPerDelivery: Math.round((workerCpuUs.user + workerCpuUs.system) / deliveryCount),
    };
    await pool.query(`UPDATE webhook_deliveries SET state = 'failed', lease_until = NULL WHERE state = 'pending'`);

    // 2. Delay: events committed one by one at a steady rate into an outbox (as a producing service does), published
    //    by the outbox relay, consumed through the inbox, fanned out and sent; the delay runs from the commit of the
    //    event's transaction to the receiver's arrival.
    const prefix = `b${uniqueSuffix()}.`;
    const brokers = loadInfrastructure().kafka.brokers.split(',');
    const kafka = createKafka({ brokers, clientId: 'bench-webhooks', topicPrefix: prefix }, logger);
    const topics = ['vanthu.documents', 'vanthu.routing', 'vanthu.exchange'].map((t) => `${prefix}${t}`);
    await ensureTopics(
      kafka,
      topics.map((topic) => ({ topic, numPartitions: 3 })),
    );
    const producer = createProducer(kafka);
    await producer.connect();
    const relay = new OutboxRelay({ pool, databaseUrl: db.url, producer, logger });
    await relay.start();
    const live = new DeliveryWorker({ ...base, settings: { ...settings, topicPrefix: prefix } }, pool, logger, pollMs);
    const consumer = new InboxConsumer({
      ...notificationsConsumer('notifications', { ...base, settings: { ...settings, topicPrefix: prefix } }, () =>
        live.wake(),
      ),
      kafka,
      pool,
      logger,
    });
    await consumer.start();
    live.start();
    good.received.length = 0;
    failing.received.length = 0;
    const committedAt = new Map<string, number>();
    const commit = async () => {
      const event = await withTransaction(pool, (tx) =>
        enqueueEvent(
          tx,
          documentIssuedV1,
          randomUUID(),
          issuedData(),
          { source: '/vanthu/documents', agencyCode },
          prefix,
        ),
      );
      committedAt.set(`msg_${event.id.replace(/-/g, '')}_document.issued`, Date.now());
    };
    // Let the consumer group settle before measuring.
    await commit();
    await waitFor(() => good.received.length >= 1, 60_000);
    good.received.length = 0;
    committedAt.clear();
    const offered = performance.now();
    for (let i = 0; i < eventCount; i += 1) {
      await commit();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const offeredPerSecond = eventCount / ((performance.now() - offered) / 1000);
    await waitFor(() => good.received.length >= eventCount, 120_000);
    const delays = good.received
      .filter((r) => committedAt.has(r.headers['webhook-id'] as string))
      .map((r) => r.at - committedAt.get(r.headers['webhook-id'] as string)!)
      .sort((a, b) => a - b);
    const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))]!;
    results.delay = {
      events: eventCount,
      offeredPerSecond: Math.round(offeredPerSecond),
      measured: delays.length,
      p50Ms: pct(50),
      p99Ms: pct(99),
      maxMs: delays[delays.length - 1],
      goal: 'p99 ≤ 1000 ms, from the commit of the event',
      failingReceiverRequestsDuringRun: failing.received.length,
    };
    await live.stop();
    await consumer.stop();
    await relay.stop();
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  } finally {
    await good.close();
    await failing.close();
    await pool.end();
    await db.drop();
  }
  const load = execFileSync('uptime', { encoding: 'utf8' }).trim();
  const report = {
    ...results,
    machine: { cpus: os.cpus().length, uptime: load, note: 'shared machine, loaded by other work during the run' },
    at: new Date().toISOString(),
  };
  // `--append` adds this run to the runs already in the file (the README asks for two runs).
  const file = path.join(__dirname, 'results.json');
  const earlier =
    args.includes('--append') && fs.existsSync(file)
      ? ((JSON.parse(fs.readFileSync(file, 'utf8')) as { runs?: unknown[] }).runs ?? [])
      : [];
  fs.writeFileSync(file, `${JSON.stringify({ runs: [...earlier, report] }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
