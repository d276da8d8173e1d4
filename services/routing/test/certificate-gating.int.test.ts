import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import {
  certificateActivatedV1,
  certificateReassignedV1,
  certificateRegisteredV1,
  certificateSuspendedV1,
  certificateUnregisteredV1,
} from '@vanthu/contracts';
import {
  createEvent,
  createKafka,
  createProducer,
  ensureTopics,
  InboxConsumer,
  toKafkaHeaders,
  withTransaction,
} from '@vanthu/platform';
import type { CloudEvent } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { certificateProjectionHandlers } from '../src/gating/certificate-projection';
import { assertAssignable, checkAssignable } from '../src/timers';
import { insertCertificateException } from '../src/repositories/gating-repository';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { uniqueSuffix } from '../../../test/support/databases';
import { eventually } from '../../../test/support/wait';

const brokers = loadInfrastructure().kafka.brokers.split(',');
const prefix = `t${uniqueSuffix()}.`;
const topic = `${prefix}vanthu.signing`;
const agencyCode = '000.00.00.H99';
let fx: ServiceFixture;
let consumer: InboxConsumer;
let producer: ReturnType<typeof createProducer>;

const afterGating = new Date('2026-04-16T00:00:00+07:00');
const beforeGating = new Date('2026-04-15T23:59:59+07:00');

const registered = (certificateId: string, userId: string, registeredAt = '2026-03-01T02:00:00Z') =>
  createEvent(
    certificateRegisteredV1,
    certificateId,
    {
      certificateId,
      agencyCode,
      userId,
      sha256: 'a'.repeat(64),
      subject: `CN=${userId}`,
      notAfter: '2028-01-01T00:00:00Z',
      registeredAt,
    },
    { source: '/vanthu/signing', agencyCode },
  );
const activated = (certificateId: string, userId: string, at = '2026-03-02T02:00:00Z') =>
  createEvent(
    certificateActivatedV1,
    certificateId,
    { certificateId, agencyCode, userId, sha256: 'a'.repeat(64), activatedBy: 'quan-tri', activatedAt: at },
    { source: '/vanthu/signing', agencyCode },
  );
const signing = { source: '/vanthu/signing', agencyCode };
const sha256 = 'a'.repeat(64);
async function publish(...events: CloudEvent[]): Promise<void> {
  await producer.send({
    topic,
    messages: events.map((e) => ({ key: e.subject ?? 'k', value: JSON.stringify(e.data), headers: toKafkaHeaders(e) })),
  });
}
const inboxCount = async () => Number((await fx.pool.query('SELECT count(*) AS n FROM inbox')).rows[0].n);
const verdict = (userId: string, at = afterGating) =>
  withTransaction(fx.pool, (tx) => checkAssignable(tx, { agencyCode, userId, at }));

beforeAll(async () => {
  fx = await serviceFixture('routing_gating', migrationsDir);
  const kafka = createKafka({ brokers, clientId: 'routing-gating-test', topicPrefix: prefix }, fx.logger);
  await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
  producer = createProducer(kafka);
  await producer.connect();
  consumer = new InboxConsumer({
    kafka,
    pool: fx.pool,
    logger: fx.logger,
    consumer: `${prefix}routing-certificate-gating`,
    topics: [topic],
    handlers: certificateProjectionHandlers(),
  });
  await consumer.start();
});
afterAll(async () => {
  await consumer.stop();
  await producer.disconnect();
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await fx.close();
});

describe('certificate gating from signing’s certificate.* events (through the inbox)', () => {
  it('follows registered → activated → suspended → reassigned → unregistered, each event counted once', async () => {
    const [an, binh] = ['nguyen-van-an', 'tran-thi-binh'];
    const cert = randomUUID();
    const activation = activated(cert, an);
    await publish(registered(cert, an));
    await eventually(inboxCount, (n) => n === 1);
    expect(await verdict(an)).toEqual({ assignable: false, gatingDate: '2026-04-16' });
    expect(await verdict(an, beforeGating)).toMatchObject({ assignable: true, because: 'before-gating-date' });

    await publish(activation, activation); // a redelivery changes nothing
    await eventually(inboxCount, (n) => n === 2);
    expect(await verdict(an)).toMatchObject({ assignable: true, because: 'active-certificate' });
    // expired certificates do not count: notAfter 2028-01-01 came with the registration
    expect(await verdict(an, new Date('2028-01-02T00:00:00Z'))).toMatchObject({ assignable: false });

    await publish(
      createEvent(
        certificateReassignedV1,
        cert,
        {
          certificateId: cert,
          agencyCode,
          sha256,
          fromUserId: an,
          toUserId: binh,
          status: 'active',
          reason: 'Tài khoản được tạo lại',
          reassignedBy: 'quan-tri',
          reassignedAt: '2026-05-01T02:00:00Z',
        },
        signing,
      ),
    );
    await eventually(inboxCount, (n) => n === 3);
    expect(await verdict(an)).toMatchObject({ assignable: false });
    expect(await verdict(binh)).toMatchObject({ assignable: true, because: 'active-certificate' });

    await publish(
      createEvent(
        certificateSuspendedV1,
        cert,
        {
          certificateId: cert,
          agencyCode,
          userId: binh,
          sha256,
          cause: 'revoked',
          revokedAt: '2026-05-02T01:00:00Z',
          notAfter: '2028-01-01T00:00:00Z',
          suspendedAt: '2026-05-02T02:00:00Z',
        },
        signing,
      ),
    );
    await eventually(inboxCount, (n) => n === 4);
    await expect(
      withTransaction(fx.pool, (tx) => assertAssignable(tx, { agencyCode, userId: binh, at: afterGating })),
    ).rejects.toMatchObject({
      code: 'UNPROCESSABLE',
      message: expect.stringContaining('tran-thi-binh has no activated'),
    });

    // an old activation redelivered out of order does not undo the suspension
    await publish(activated(cert, binh, '2026-04-01T02:00:00Z'));
    await eventually(inboxCount, (n) => n === 5);
    expect(await verdict(binh)).toMatchObject({ assignable: false });

    await publish(
      createEvent(
        certificateUnregisteredV1,
        cert,
        {
          certificateId: cert,
          agencyCode,
          userId: binh,
          sha256,
          unregisteredBy: binh,
          reason: null,
          unregisteredAt: '2026-05-03T02:00:00Z',
        },
        signing,
      ),
    );
    await eventually(inboxCount, (n) => n === 6);
    const row = await fx.pool.query('SELECT state, user_id FROM certificate_projection WHERE certificate_id = $1', [
      cert,
    ]);
    expect(row.rows).toEqual([{ state: 'unregistered', user_id: binh }]);

    // released, then registered again by a new holder: registered (not yet activated) for them
    await publish(registered(cert, 'hoang-van-em', '2026-05-04T02:00:00Z'));
    await eventually(inboxCount, (n) => n === 7);
    expect(await verdict('hoang-van-em')).toMatchObject({ assignable: false });
    const again = await fx.pool.query('SELECT state, user_id FROM certificate_projection WHERE certificate_id = $1', [
      cert,
    ]);
    expect(again.rows).toEqual([{ state: 'registered', user_id: 'hoang-van-em' }]);
    expect(Number((await fx.pool.query('SELECT count(*) AS n FROM inbox_dead_letter')).rows[0].n)).toBe(0);
  });

  it('a written exception in force lets a person without a certificate be assigned; the agency date moves the gate', async () => {
    const chi = 'le-van-chi';
    await expect(
      withTransaction(fx.pool, (tx) => assertAssignable(tx, { agencyCode, userId: chi, at: afterGating })),
    ).rejects.toMatchObject({ errors: [{ field: 'assignee', message: expect.stringContaining(chi) }] });
    const exceptionId = randomUUID();
    await withTransaction(fx.pool, (tx) =>
      insertCertificateException(tx, {
        id: exceptionId,
        agencyCode,
        userId: chi,
        referenceDocument: '15/QĐ-UBND',
        referenceDocumentId: null,
        reason: 'Chờ cấp chứng thư số',
        validFrom: new Date('2026-04-20T00:00:00+07:00'),
        validUntil: new Date('2026-05-20T00:00:00+07:00'),
        grantedBy: 'chu-tich',
        grantedAt: new Date('2026-04-19T02:00:00Z'),
      }),
    );
    expect(await verdict(chi, new Date('2026-04-19T10:00:00+07:00'))).toMatchObject({ assignable: false });
    expect(await verdict(chi, new Date('2026-05-01T10:00:00+07:00'))).toEqual({
      assignable: true,
      because: 'exception',
      gatingDate: '2026-04-16',
      exceptionId,
    });
    expect(await verdict(chi, new Date('2026-05-20T00:00:00+07:00'))).toMatchObject({ assignable: false });
    await fx.pool.query(
      "INSERT INTO certificate_gating (agency_code, gating_date, updated_by, updated_at) VALUES ($1, '2026-06-01', 'x', now())",
      [agencyCode],
    );
    expect(await verdict(chi, new Date('2026-05-31T23:59:00+07:00'))).toMatchObject({ because: 'before-gating-date' });
    expect(await verdict(chi, new Date('2026-06-01T00:00:00+07:00'))).toMatchObject({
      assignable: false,
      gatingDate: '2026-06-01',
    });
  });
});
