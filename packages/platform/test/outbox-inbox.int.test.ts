import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { documentCreatedV1 } from '@vanthu/contracts';
import type { DocumentCreatedV1 } from '@vanthu/contracts';
import { createKafka, createProducer, ensureTopics } from '../src/kafka';
import { enqueueEvent, OutboxRelay } from '../src/outbox';
import { InboxConsumer, listDeadLetters, projectInboxBatch, reprocessDeadLetters } from '../src/inbox';
import type { EventHandler } from '../src/inbox';
import { AppError } from '../src/errors';
import { withTransaction } from '../src/db';
import type { CloudEvent } from '../src/events';
import { toKafkaHeaders } from '../src/events';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { uniqueSuffix } from '../../../test/support/databases';
import { eventually } from '../../../test/support/wait';

const brokers = loadInfrastructure().kafka.brokers.split(',');
const prefix = `t${uniqueSuffix()}.`;
const topic = `${prefix}vanthu.documents`;
let fixture: ServiceFixture;
let kafka: ReturnType<typeof createKafka>;

const data = (documentId: string): DocumentCreatedV1 => ({
  documentId,
  agencyCode: '000.00.00.H99',
  direction: 'outgoing',
  subject: 'Về việc kiểm thử hộp thư đi',
  version: 1,
  sha256: 'c'.repeat(64),
  mediaType: 'application/pdf',
  sizeBytes: 10,
  createdBy: 'u',
  createdAt: new Date().toISOString(),
});

beforeAll(async () => {
  // The platform's own tables are all this test needs; the "service" migrations dir is empty.
  fixture = await serviceFixture('platform', path.join(__dirname, 'empty-migrations'));
  kafka = createKafka({ brokers, clientId: 'platform-test', topicPrefix: prefix }, fixture.logger);
  await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
});
afterAll(async () => {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await fixture.close();
});

describe('transactional outbox', () => {
  it('writes nothing when the business transaction rolls back', async () => {
    const id = randomUUID();
    await expect(
      withTransaction(fixture.pool, async (tx) => {
        await enqueueEvent(tx, documentCreatedV1, id, data(id), { source: '/test' }, prefix);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const rows = await fixture.pool.query('SELECT 1 FROM outbox WHERE message_key = $1', [id]);
    expect(rows.rowCount).toBe(0);
  });

  it('publishes committed rows as CloudEvents keyed by aggregate, in order, and marks them', async () => {
    const producer = createProducer(kafka);
    const relay = new OutboxRelay({
      pool: fixture.pool,
      databaseUrl: fixture.db.url,
      producer,
      logger: fixture.logger,
      pollIntervalMs: 200,
    });
    const received: { key: string; headers: Record<string, string>; value: string }[] = [];
    const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `${prefix}raw-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        received.push({ key: String(message.key), headers, value: String(message.value) });
      },
    });
    try {
      await relay.start();
      const aggregate = randomUUID();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        await withTransaction(fixture.pool, async (tx) => {
          const event = await enqueueEvent(
            tx,
            documentCreatedV1,
            aggregate,
            { ...data(aggregate), version: i + 1 },
            { source: '/test', requestId: `req-000000${i}` },
            prefix,
          );
          ids.push(event.id);
        });
      }
      await eventually(
        async () => received.filter((m) => m.key === aggregate).length,
        (n) => n === 5,
        30_000,
        'five messages',
      );
      const mine = received.filter((m) => m.key === aggregate);
      expect(mine.map((m) => m.headers.ce_id)).toEqual(ids);
      expect(mine.map((m) => (JSON.parse(m.value) as DocumentCreatedV1).version)).toEqual([1, 2, 3, 4, 5]);
      expect(mine[0]?.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_type: 'vn.vanthu.document.created.v1',
        ce_source: '/test',
        ce_subject: aggregate,
        ce_requestid: 'req-0000000',
        'content-type': 'application/json',
      });
      await eventually(
        () => relay.pendingCount(),
        (n) => n === 0,
        10_000,
        'rows to be marked published',
      );
    } finally {
      await relay.stop();
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('keeps rows while Kafka is unreachable and records the failure', async () => {
    const unreachable = createKafka(
      { brokers: ['127.0.0.1:1'], clientId: 'nowhere', topicPrefix: prefix },
      fixture.logger,
    );
    const relay = new OutboxRelay({
      pool: fixture.pool,
      databaseUrl: fixture.db.url,
      producer: createProducer(unreachable),
      logger: fixture.logger,
      pollIntervalMs: 100,
    });
    const id = randomUUID();
    await withTransaction(fixture.pool, (tx) =>
      enqueueEvent(tx, documentCreatedV1, id, data(id), { source: '/test' }, prefix),
    );
    await relay.start();
    try {
      const row = await eventually(
        async () =>
          (
            await fixture.pool.query('SELECT attempts, last_error, published_at FROM outbox WHERE message_key = $1', [
              id,
            ])
          ).rows[0],
        (r) => r.attempts >= 1,
        60_000,
        'a failed attempt to be recorded',
      );
      expect(row.published_at).toBeNull();
      expect(row.last_error).toBeTruthy();
    } finally {
      await relay.stop();
    }
    // The row is still there for the next relay (the real one) to publish.
    const producer = createProducer(kafka);
    const healthy = new OutboxRelay({
      pool: fixture.pool,
      databaseUrl: fixture.db.url,
      producer,
      logger: fixture.logger,
      pollIntervalMs: 100,
    });
    await healthy.start();
    try {
      await eventually(
        async () =>
          (await fixture.pool.query('SELECT published_at FROM outbox WHERE message_key = $1', [id])).rows[0]
            .published_at,
        (v) => v !== null,
        30_000,
      );
    } finally {
      await healthy.stop();
      await producer.disconnect();
    }
  });
});

describe('idempotent inbox consumer', () => {
  const rawEvent = (id: string, documentId: string): CloudEvent => ({
    specversion: '1.0',
    id,
    source: '/test',
    type: documentCreatedV1.type,
    time: new Date().toISOString(),
    subject: documentId,
    datacontenttype: 'application/json',
    data: data(documentId),
    extensions: {},
  });

  // One transaction per message (the default), and a Kafka batch per transaction (batchSize): the same outcome.
  it.each([1, 50])(
    'handles a redelivered event once, in order per key, skips unknown types, dead-letters unknown versions and poison and keeps going (batchSize %i)',
    async (batchSize) => {
      const table = `handled_${batchSize}`;
      await fixture.pool.query(`CREATE TABLE ${table} (seq bigserial, event_id uuid, document_id uuid)`);
      const group = `${prefix}inbox-test-${batchSize}`;
      let failuresLeft = 2;
      const consumer = new InboxConsumer({
        kafka,
        pool: fixture.pool,
        logger: fixture.logger,
        consumer: group,
        topics: [topic],
        maxAttempts: 3,
        batchSize,
        handlers: {
          [documentCreatedV1.type]: async (tx, event) => {
            const documentId = (event.data as DocumentCreatedV1).documentId;
            await tx.query(`INSERT INTO ${table} (event_id, document_id) VALUES ($1, $2)`, [event.id, documentId]);
            if (event.subject === 'flaky' && failuresLeft-- > 0) throw new Error('transient failure');
            if (event.subject === 'poison') throw new Error('always fails');
          },
        },
      });
      const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      const once = rawEvent(randomUUID(), randomUUID());
      const flaky = { ...rawEvent(randomUUID(), randomUUID()), subject: 'flaky' };
      const poison = { ...rawEvent(randomUUID(), randomUUID()), subject: 'poison' };
      const newer = { ...rawEvent(randomUUID(), randomUUID()), type: 'vn.vanthu.document.created.v2' };
      const sameKey = Array.from({ length: 5 }, () => ({ ...rawEvent(randomUUID(), randomUUID()), subject: 'same' }));
      const after = rawEvent(randomUUID(), randomUUID());
      const send = (event: CloudEvent) => ({
        key: event.subject ?? 'k',
        value: JSON.stringify(event.data),
        headers: toKafkaHeaders(event),
      });
      await producer.send({
        topic,
        messages: [
          send(once),
          send(once), // a duplicate delivery
          { key: 'junk', value: 'not json', headers: { ce_specversion: '1.0' } }, // not a CloudEvent
          send({ ...rawEvent(randomUUID(), randomUUID()), type: 'vn.vanthu.unknown.v1' }), // a type not handled here
          send(newer), // a version of a handled type that this consumer does not know
          ...sameKey.map(send),
          send(flaky),
          send(poison),
          send(after),
        ].map((m) => ({ ...m, partition: batchSize === 1 ? 0 : 1 })),
      });
      await producer.disconnect();
      await consumer.start();
      try {
        await eventually(
          async () =>
            (await fixture.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = $1`, [after.id]))
              .rows[0].n,
          (n) => n === 1,
          60_000,
          'the last event',
        );
        const count = async (id: string) =>
          (await fixture.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = $1`, [id])).rows[0].n;
        expect(await count(once.id)).toBe(1);
        // Failed attempts rolled back their writes; only the successful attempt remains.
        expect(await count(flaky.id)).toBe(1);
        expect(await count(poison.id)).toBe(0);
        // One key's events were handled in the order they were published.
        const ordered = await fixture.pool.query(
          `SELECT event_id FROM ${table} WHERE event_id = ANY($1::uuid[]) ORDER BY seq`,
          [sameKey.map((e) => e.id)],
        );
        expect(ordered.rows.map((r) => r.event_id)).toEqual(sameKey.map((e) => e.id));
        // Both cases share the topic and each consumer reads every partition: only this case's partition is its own.
        const dead = await fixture.pool.query(
          'SELECT event_id, event_type, error FROM inbox_dead_letter WHERE consumer = $1 AND kafka_partition = $2 ORDER BY id',
          [group, batchSize === 1 ? 0 : 1],
        );
        expect(dead.rows.map((r) => r.error)).toEqual([
          expect.stringMatching(/lacks header ce_id/),
          `unknown version vn.vanthu.document.created.v2: this consumer handles ${documentCreatedV1.type}`,
          'always fails',
        ]);
        expect(dead.rows[1]).toMatchObject({ event_id: newer.id, event_type: 'vn.vanthu.document.created.v2' });
        expect(dead.rows[2].event_id).toBe(poison.id);
        expect(
          (await listDeadLetters(fixture.pool, group))
            .filter((d) => d.partition === (batchSize === 1 ? 0 : 1))
            .map((d) => d.eventId),
        ).toEqual([null, newer.id, poison.id]);
      } finally {
        await consumer.stop();
      }
      // Offsets were committed up to the end: a restarted consumer in the group starts after the last event.
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const partition = batchSize === 1 ? 0 : 1;
      const end = (await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)?.high;
      await admin.disconnect();
      expect(offsets[0]?.partitions.find((p) => p.partition === partition)?.offset).toBe(end);
    },
  );

  it('reprocesses dead letters once a handler exists, once, and keeps those that still fail', async () => {
    const group = `${prefix}reprocess-test`;
    await fixture.pool.query('CREATE TABLE reprocessed (event_id uuid, version int)');
    const newer = { ...rawEvent(randomUUID(), randomUUID()), type: 'vn.vanthu.document.created.v2' };
    const broken = rawEvent(randomUUID(), randomUUID());
    const v1: EventHandler = async (tx, event) => {
      await tx.query('INSERT INTO reprocessed VALUES ($1, 1)', [event.id]);
    };
    // Dead-lettered as the consumer does it: an unknown version, and a v1 event whose handler kept failing.
    await withTransaction(fixture.pool, (tx) =>
      projectInboxBatch(tx, { consumer: group, handlers: { [documentCreatedV1.type]: v1 } }, [
        {
          topic,
          partition: 2,
          offset: '7',
          headers: toKafkaHeaders(newer),
          value: Buffer.from(JSON.stringify(newer.data)),
        },
      ]),
    );
    await fixture.pool.query(
      `INSERT INTO inbox_dead_letter (consumer, event_id, event_type, topic, kafka_partition, kafka_offset, headers, payload, error)
       VALUES ($1, $2, $3, $4, 2, 8, $5, $6, 'handler kept failing')`,
      [group, broken.id, broken.type, topic, JSON.stringify(toKafkaHeaders(broken)), JSON.stringify(broken.data)],
    );
    expect((await listDeadLetters(fixture.pool, group)).map((d) => d.eventId)).toEqual([newer.id, broken.id]);

    // Still no v2 handler, and the v1 handler still fails: both stay, with their newest error.
    const failing: EventHandler = async () => {
      throw new Error('still broken');
    };
    const first = await reprocessDeadLetters(fixture.pool, {
      consumer: group,
      handlers: { [documentCreatedV1.type]: failing },
    });
    expect(first.reprocessed).toEqual([]);
    expect(first.stillFailing.map((f) => f.error)).toEqual([expect.stringMatching(/^unknown version/), 'still broken']);
    expect((await fixture.pool.query('SELECT count(*)::int AS n FROM reprocessed')).rows[0].n).toBe(0);

    // Deployed: a v2 handler and a fixed v1 handler. Each letter is applied once, and only once.
    const handlers: Record<string, EventHandler> = {
      [documentCreatedV1.type]: v1,
      'vn.vanthu.document.created.v2': async (tx, event) => {
        await tx.query('INSERT INTO reprocessed VALUES ($1, 2)', [event.id]);
      },
    };
    const second = await reprocessDeadLetters(fixture.pool, { consumer: group, handlers });
    expect(second).toEqual({ reprocessed: expect.any(Array), stillFailing: [] });
    expect(second.reprocessed).toHaveLength(2);
    expect(await reprocessDeadLetters(fixture.pool, { consumer: group, handlers })).toEqual({
      reprocessed: [],
      stillFailing: [],
    });
    const rows = await fixture.pool.query('SELECT event_id, version FROM reprocessed ORDER BY version');
    expect(rows.rows).toEqual([
      { event_id: broken.id, version: 1 },
      { event_id: newer.id, version: 2 },
    ]);
    expect(await listDeadLetters(fixture.pool, group)).toEqual([]);
    // The inbox knows them now: the same events arriving again from Kafka are skipped.
    await withTransaction(fixture.pool, (tx) =>
      projectInboxBatch(tx, { consumer: group, handlers }, [
        {
          topic,
          partition: 2,
          offset: '9',
          headers: toKafkaHeaders(newer),
          value: Buffer.from(JSON.stringify(newer.data)),
        },
      ]),
    );
    expect((await fixture.pool.query('SELECT count(*)::int AS n FROM reprocessed')).rows[0].n).toBe(2);
  });

  it('waits for a dependency that is away instead of dead-lettering the event (a service restarting)', async () => {
    // The fault matrix found this: signing's validation of an incoming document failed while documents restarted
    // ("cannot be reached", SERVICE_UNAVAILABLE) and was dead-lettered after five quick attempts, so the document
    // was never validated. Unavailability does not count against maxAttempts; a real failure still does.
    await fixture.pool.query('CREATE TABLE IF NOT EXISTS handled_later (event_id uuid)');
    const group = `${prefix}inbox-away`;
    let awayFor = 6; // more failures than maxAttempts allows
    let cutFor = 2;
    const consumer = new InboxConsumer({
      kafka,
      pool: fixture.pool,
      logger: fixture.logger,
      consumer: group,
      topics: [topic],
      maxAttempts: 2,
      handlers: {
        [documentCreatedV1.type]: async (tx, event) => {
          if (event.subject === 'away' && awayFor-- > 0)
            throw new AppError('SERVICE_UNAVAILABLE', 'the documents service cannot be reached; try again shortly', {
              cause: Object.assign(new Error('fetch failed'), { code: 'ECONNREFUSED' }),
            });
          if (event.subject === 'cut' && cutFor-- > 0)
            throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
          if (event.subject === 'broken') throw new Error('a defect, not an outage');
          await tx.query('INSERT INTO handled_later VALUES ($1)', [event.id]);
        },
      },
    });
    const away = { ...rawEvent(randomUUID(), randomUUID()), subject: 'away' };
    const cut = { ...rawEvent(randomUUID(), randomUUID()), subject: 'cut' };
    const broken = { ...rawEvent(randomUUID(), randomUUID()), subject: 'broken' };
    const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [away, cut, broken].map((event) => ({
        key: event.subject ?? 'k',
        value: JSON.stringify(event.data),
        headers: toKafkaHeaders(event),
        partition: 1,
      })),
    });
    await producer.disconnect();
    await consumer.start();
    try {
      await eventually(
        async () =>
          (
            await fixture.pool.query(
              'SELECT count(*)::int AS n FROM inbox_dead_letter WHERE consumer = $1 AND event_id = $2',
              [group, broken.id],
            )
          ).rows[0].n,
        (n) => n === 1,
        90_000,
        'the broken event to be dead-lettered',
      );
      // (the group reads the topic from the beginning: the earlier test's events are handled too)
      const handled = await fixture.pool.query('SELECT event_id FROM handled_later WHERE event_id = ANY($1::uuid[])', [
        [away.id, cut.id, broken.id],
      ]);
      expect(handled.rows.map((r) => r.event_id).sort()).toEqual([away.id, cut.id].sort());
      const dead = await fixture.pool.query(
        'SELECT event_id, error FROM inbox_dead_letter WHERE consumer = $1 AND event_id = ANY($2::text[])',
        [group, [away.id, cut.id, broken.id]],
      );
      expect(dead.rows).toEqual([{ event_id: broken.id, error: 'a defect, not an outage' }]);
      expect(awayFor).toBe(-1);
    } finally {
      await consumer.stop();
    }
  });
});
