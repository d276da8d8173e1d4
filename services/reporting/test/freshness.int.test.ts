import { randomUUID } from 'node:crypto';
import {
  createKafka,
  createProducer,
  ensureTopics,
  InboxConsumer,
  listDeadLetters,
  reprocessDeadLetters,
  toKafkaHeaders,
} from '@vanthu/platform';
import type { CloudEvent, EventHandler, Producer, ServiceApp } from '@vanthu/platform';
import { topicName } from '@vanthu/contracts';
import type { DocumentCreatedV1 } from '@vanthu/contracts';
import { buildApp } from '../src/app';
import { migrationsDir } from '../src/config';
import { reportingConsumer } from '../src/events/consumers';
import { KafkaWatermarks } from '../src/adapters/kafka-watermarks';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { uniqueSuffix } from '../../../test/support/databases';
import { freePorts } from '../../../test/support/free-port';
import { eventually } from '../../../test/support/wait';
import { clerkOf, createIdentityKit } from '../../../test/support/identities';

// Freshness against the real broker: the lag is the broker's high-water mark minus what the inbox counted, and a
// report made while the broker cannot be reached says it may be behind.

const brokers = loadInfrastructure().kafka.brokers.split(',');
const prefix = `f${uniqueSuffix()}.`;
const kit = createIdentityKit();
const agency = '000.00.01.H58';
const reporting = reportingConsumer('reporting', prefix);
const { consumer, topics, handlers } = reporting;
const documentsTopic = topicName('vanthu.documents', prefix);

let fixture: ServiceFixture;
let kafka: ReturnType<typeof createKafka>;
let producer: Producer;
let live: InboxConsumer | undefined;
let watch: KafkaWatermarks;
let watchNow = Date.now();
const apps: ServiceApp[] = [];

const created = (data: Partial<DocumentCreatedV1> = {}): CloudEvent => ({
  specversion: '1.0',
  id: randomUUID(),
  source: '/vanthu/documents',
  type: 'vn.vanthu.document.created.v1',
  time: '2026-11-10T03:00:00Z',
  datacontenttype: 'application/json',
  extensions: {},
  data: {
    documentId: randomUUID(),
    agencyCode: agency,
    direction: 'outgoing',
    subject: 'Công văn',
    version: 1,
    sha256: 'd'.repeat(64),
    mediaType: 'application/pdf',
    sizeBytes: 1,
    createdBy: 'u',
    createdAt: '2026-11-10T03:00:00Z',
    ...data,
  },
});

/** Publishes the events and returns the offset each got, by partition. */
async function publish(events: CloudEvent[]): Promise<Map<number, string>> {
  const last = new Map<number, string>();
  for (const event of events) {
    const [meta] = await producer.send({
      topic: documentsTopic,
      messages: [
        {
          key: (event.data as { documentId: string }).documentId,
          value: JSON.stringify(event.data),
          headers: toKafkaHeaders(event),
        },
      ],
    });
    if (meta) last.set(meta.partition, meta.baseOffset ?? '0');
  }
  return last;
}

async function appWith(watermarks?: KafkaWatermarks): Promise<ServiceApp> {
  const app = await buildApp({
    logger: fixture.logger,
    pool: fixture.pool,
    identityPublicKey: kit.publicKeyPem,
    consumer,
    clock: () => new Date('2026-12-05T03:00:00Z'),
    ...(watermarks ? { watermarks } : {}),
  });
  apps.push(app);
  return app;
}

const get = async (app: ServiceApp, url: string) => {
  const response = await app.inject({
    method: 'GET',
    url,
    headers: { 'x-vanthu-identity': kit.assertionFor(clerkOf(agency)) },
  });
  expect(response.statusCode).toBe(200);
  return response.json();
};

beforeAll(async () => {
  fixture = await serviceFixture('reporting-freshness', migrationsDir);
  kafka = createKafka({ brokers, clientId: 'reporting-freshness-test', topicPrefix: prefix }, fixture.logger);
  await ensureTopics(
    kafka,
    topics.map((topic) => ({ topic, numPartitions: 3 })),
  );
  producer = createProducer(kafka);
  await producer.connect();
  watch = new KafkaWatermarks({
    kafka,
    logger: fixture.logger,
    topics,
    groupId: consumer,
    intervalMs: 5_000,
    now: () => watchNow,
  });
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await live?.stop();
  await producer?.disconnect();
  await fixture?.close();
});

describe('GET /v1/reports/freshness', () => {
  it('counts the events waiting on the topics as lag, then none once the inbox has them', async () => {
    const app = await appWith(watch);
    const offsets = await publish([created(), created(), created(), created(), created()]);
    await watch.poll();
    const before = await get(app, '/v1/reports/freshness');
    expect(before).toMatchObject({
      lag: 5,
      mayBeBehind: true,
      reasons: ['consumer-lag'],
      kafka: { reachable: true, error: null },
    });
    expect(before.partitions).toHaveLength(topics.length * 3);
    const report = await get(app, '/v1/reports/compliance?month=2026-11');
    expect(report.freshness).toMatchObject({ lag: 5, mayBeBehind: true, reasons: ['consumer-lag'] });

    live = new InboxConsumer({ ...reporting, kafka, pool: fixture.pool, logger: fixture.logger });
    await live.start();
    const after = await eventually(
      async () => {
        await watch.poll();
        return get(app, '/v1/reports/freshness');
      },
      (body) => body.lag === 0,
      30_000,
      'the consumer to read every event',
    );
    expect(after).toMatchObject({ mayBeBehind: false, reasons: [], deadLetters: 0 });
    // Up to which event each partition is counted: exactly the offsets the broker gave the events.
    for (const [partition, offset] of offsets) {
      const row = after.partitions.find(
        (p: { topic: string; partition: number }) => p.topic === documentsTopic && p.partition === partition,
      );
      expect(row).toMatchObject({
        lastCountedOffset: offset,
        highWatermark: String(BigInt(offset) + 1n),
        lag: 0,
      });
      expect(row.lastProcessedAt).toEqual(expect.any(String));
    }
    expect(after.sources).toEqual([expect.objectContaining({ topic: documentsTopic, events: 5, lag: 0 })]);
    expect((await get(app, '/v1/reports/compliance?month=2026-11')).documents.outgoing).toBe(5);
  });

  it('counts a dead-lettered event as read but says the report may be behind', async () => {
    const app = await appWith(watch);
    await publish([created({ agencyCode: 'not-an-agency' })]);
    const body = await eventually(
      async () => {
        await watch.poll();
        return get(app, '/v1/reports/freshness');
      },
      (b) => b.deadLetters === 1 && b.lag === 0,
      30_000,
      'the broken event to be dead-lettered',
    );
    expect(body).toMatchObject({ mayBeBehind: true, reasons: ['dead-letters'] });
  });

  it('says a report may be behind while the broker does not answer', async () => {
    // A broker address nobody listens on: every poll fails, as during an outage.
    const [deadPort] = (await freePorts(1)) as [number];
    const down = createKafka(
      { brokers: [`127.0.0.1:${deadPort}`], clientId: 'reporting-outage', topicPrefix: prefix },
      fixture.logger,
    );
    const unreachable = new KafkaWatermarks({
      kafka: down,
      logger: fixture.logger,
      topics,
      groupId: consumer,
      intervalMs: 5_000,
    });
    await unreachable.poll();
    const app = await appWith(unreachable);
    const body = await get(app, '/v1/reports/freshness');
    expect(body).toMatchObject({ mayBeBehind: true, lag: null, kafka: { reachable: false, checkedAt: null } });
    expect(body.reasons).toContain('kafka-unreachable');
    expect(body.kafka.error).toEqual(expect.any(String));
    const report = await get(app, '/v1/reports/compliance?month=2026-11');
    expect(report.freshness).toMatchObject({ mayBeBehind: true, kafka: { reachable: false } });
    expect(report.documents.outgoing).toBe(5);

    // A watch whose last answer is older than three polls counts as unreachable too, keeping the last marks.
    watchNow += 16_000;
    const stale = await get(await appWith(watch), '/v1/reports/freshness');
    expect(stale).toMatchObject({ mayBeBehind: true, lag: 0, kafka: { reachable: false, error: null } });
    expect(stale.reasons).toContain('kafka-unreachable');
  });

  it('without a broker watch says it cannot tell, and is not behind for that alone', async () => {
    const body = await get(await appWith(), '/v1/reports/freshness');
    expect(body).toMatchObject({ lag: null, kafka: { reachable: null }, reasons: ['dead-letters', 'kafka-unknown'] });
  });

  it('keeps an event of an unknown version as a dead letter, visible, until it is reprocessed with a handler for it', async () => {
    const app = await appWith(watch);
    const newer = { ...created(), type: 'vn.vanthu.document.created.v2' };
    await publish([newer]);
    const body = await eventually(
      async () => {
        await watch.poll();
        return get(app, '/v1/reports/freshness');
      },
      (b) => b.deadLetters === 2 && b.lag === 0,
      30_000,
      'the unknown version to be dead-lettered',
    );
    expect(body).toMatchObject({ mayBeBehind: true, reasons: ['dead-letters'] });
    const letters = await listDeadLetters(fixture.pool, consumer);
    expect(letters.map((l) => [l.eventType, l.error])).toEqual([
      ['vn.vanthu.document.created.v1', 'data does not match the event schema'],
      [
        'vn.vanthu.document.created.v2',
        'unknown version vn.vanthu.document.created.v2: this consumer handles vn.vanthu.document.created.v1',
      ],
    ]);
    // Not counted, not lost.
    expect((await get(app, '/v1/reports/compliance?month=2026-11')).documents.outgoing).toBe(5);

    // Today's handlers still know no v2: it stays. A build that reads v2 (here: as v1, whose fields it carries)
    // takes it once; the schema-breaking one still fails and stays.
    const today = await reprocessDeadLetters(fixture.pool, reporting);
    expect(today.reprocessed).toEqual([]);
    const v2 = { ...handlers, [newer.type]: handlers['vn.vanthu.document.created.v1'] as EventHandler };
    const deployed = await reprocessDeadLetters(fixture.pool, {
      consumer,
      handlers: v2,
      writeBatch: reporting.writeBatch,
    });
    expect(deployed.reprocessed).toEqual([letters[1]?.id]);
    expect(deployed.stillFailing).toEqual([{ id: letters[0]?.id, error: 'data does not match the event schema' }]);
    expect(
      await reprocessDeadLetters(fixture.pool, { consumer, handlers: v2, writeBatch: reporting.writeBatch }, [
        letters[1]?.id as string,
      ]),
    ).toEqual({
      reprocessed: [],
      stillFailing: [],
    });
    await watch.poll();
    expect(await get(app, '/v1/reports/freshness')).toMatchObject({ deadLetters: 1 });
    expect((await get(app, '/v1/reports/compliance?month=2026-11')).documents.outgoing).toBe(6);
  });
});
