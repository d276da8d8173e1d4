import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKafka, stopKafka } from '../../infra/src/kafka';
import type { KafkaInstance } from '../../infra/src/kafka';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { currentVietnamMonth, eventually } from '../support/wait';
import { queryOnce } from '../support/sql';
import { agencyA } from '../support/identities';
import { serviceNames } from '../../infra/src/services';
import { freePorts } from '../support/free-port';

// Nothing acknowledged is ever lost: with the broker down, uploads still succeed (the event
// waits in the outbox); when it comes back the event arrives, and is counted exactly once.
// The test runs its own broker so stopping it disturbs no other test.
let broker: KafkaInstance;
let stack: TestStack;

beforeAll(async () => {
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  broker = {
    name: `kafka-outage-${process.pid}`,
    port,
    controllerPort,
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-kafka-outage-')),
  };
  await startKafka(broker);
  stack = await startTestStack('outage', { kafkaBrokers: `127.0.0.1:${broker.port}` });
});
afterAll(async () => {
  await stack?.stop();
  await stopKafka(broker);
  fs.rmSync(broker.dir, { recursive: true, force: true });
});

it('delivers an event produced while Kafka was down, exactly once', async () => {
  const clerk = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'], ttlSeconds: 3600 }),
  );
  const total = async (): Promise<number> =>
    (
      (await clerk.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`)).body as {
        documents: { total: number };
      }
    ).documents.total;

  expect(
    (await clerk.uploadDocument(await makePdf('before-outage'), { direction: 'outgoing', subject: 'Trước sự cố' }))
      .status,
  ).toBe(201);
  await eventually(total, (n) => n === 1, 30_000, 'the first document to be counted');

  await stopKafka(broker);
  const during = await clerk.uploadDocument(await makePdf('during-outage'), {
    direction: 'outgoing',
    subject: 'Trong sự cố',
  });
  expect(during.status).toBe(201);
  const id = (during.body as { id: string }).id;
  expect((await clerk.get(`/v1/documents/${id}`)).status).toBe(200);

  // The event is held in the outbox and the outage is visible in /health.
  const health = (await (await fetch(`${stack.gatewayUrl}/health`)).json()) as {
    components: Record<string, { status: string }>;
    services: Record<string, { checks: Record<string, { detail?: { pending: number } }> }>;
  };
  expect(health.components.kafka?.status).toBe('down');
  expect(health.services.documents?.checks.outbox?.detail?.pending).toBeGreaterThanOrEqual(1);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(await total()).toBe(1);

  await startKafka(broker);
  await eventually(total, (n) => n === 2, 120_000, 'the event held during the outage to arrive');

  // Give redeliveries a chance to show up, then check the count and the projection itself.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(await total()).toBe(2);
  const [facts] = await queryOnce<{ n: number }>(
    stack.envs.reporting.DATABASE_URL as string,
    'SELECT count(*)::int AS n FROM document_facts',
  );
  expect(facts?.n).toBe(2);
  const [pending] = await queryOnce<{ n: number }>(
    stack.envs.documents.DATABASE_URL as string,
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
  );
  expect(pending?.n).toBe(0);
});

it('stops every service promptly on SIGTERM even while the broker is gone', async () => {
  await stopKafka(broker);
  const codes = await stack.stop();
  // null would mean the supervisor had to SIGKILL a process that hung while closing.
  // Every service and the gateway.
  expect(Object.values(codes)).toHaveLength(serviceNames.length + 1);
  for (const [name, code] of Object.entries(codes)) expect({ name, code }).toEqual({ name, code: expect.any(Number) });
});
