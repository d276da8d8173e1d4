import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Webhook } from 'standardwebhooks';
import { documentCreatedV1, documentIssuedV1, taskAssignedV1 } from '@vanthu/contracts';
import {
  InboxConsumer,
  createEvent,
  createKafka,
  createProducer,
  ensureTopics,
  toKafkaHeaders,
} from '@vanthu/platform';
import type { CloudEvent, Identity } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { createWebhookSender } from '../src/adapters/webhook-sender';
import { defaultWebhookSettings } from '../src/context';
import type { WebhookSettings } from '../src/context';
import { notificationsConsumer } from '../src/events/consumers';
import { maxAttempts, retryDelaysMs } from '../src/rules/retry-schedule';
import { createWebhookEndpoint } from '../src/webhooks/create-webhook-endpoint';
import { fanOutEvent } from '../src/webhooks/fan-out-event';
import { replayWebhookDelivery } from '../src/webhooks/replay-webhook-delivery';
import { rotateWebhookSecret } from '../src/webhooks/rotate-webhook-secret';
import { DeliveryWorker, workerContext } from '../src/worker';
import type { WorkerContext } from '../src/worker';
import { startReceiver } from './receiver';
import type { Receiver } from './receiver';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { uniqueSuffix } from '../../../test/support/databases';
import { eventually } from '../../../test/support/wait';

// Deliveries to real HTTP receivers on loopback ports, verified with the Standard Webhooks reference
// verifier (`standardwebhooks`), against a real database; one test goes through Kafka and the inbox.

// Each test gets agencies of its own (endpoints of earlier tests would otherwise hear its events).
let agencyCode = '000.00.00.H99';
let otherAgency = '000.00.31.H99';
let agencies = 0;
const nextAgency = () => `000.00.${String(10 + (agencies++ % 89)).padStart(2, '0')}.H99`;
const admin = (agency = agencyCode): Identity => ({ userId: 'quan-tri', agencyCode: agency, roles: ['admin'] });
const prefix = `t${uniqueSuffix()}.`;
let fx: ServiceFixture;
let now = new Date();
const clock = () => now;
const settings: WebhookSettings = {
  ...defaultWebhookSettings,
  mode: 'development',
  timeoutMs: 800,
  concurrency: 16,
  perEndpoint: 2,
  topicPrefix: prefix,
};
const receivers: Receiver[] = [];
let base: WorkerContext;

const ctx = (identity: Identity = admin()) => ({ ...workerContext(base, fx.pool, 'test'), identity });
const sha256 = 'b'.repeat(64);
const issued = (agency = agencyCode): CloudEvent =>
  createEvent(
    documentIssuedV1,
    randomUUID(),
    {
      documentId: randomUUID(),
      agencyCode: agency,
      notation: '15/QĐ-UBND',
      documentIdentifier: `${agency},2026/12/01,15/QĐ-UBND`,
      version: 4,
      sha256,
      issuedBy: 'van-thu-1',
      issuedAt: now.toISOString(),
    },
    { source: '/vanthu/documents', agencyCode: agency },
  );

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}
async function endpoint(url: string, eventTypes = ['document.issued'], identity = admin()) {
  return (await createWebhookEndpoint({ url, eventTypes }, ctx(identity))).result;
}
const q = async (sql: string, params: unknown[] = []) => (await fx.pool.query(sql, params)).rows;
// One worker dispatches per database at a time: whatever a test leaves running is stopped after it.
const workers: DeliveryWorker[] = [];
const newWorker = (...args: ConstructorParameters<typeof DeliveryWorker>) => {
  const worker = new DeliveryWorker(...args);
  workers.push(worker);
  return worker;
};
/** One round of the worker with the test's clock, waiting until every request it started has ended. */
async function deliverDue(worker = newWorker(base, fx.pool, fx.logger, 1000)): Promise<number> {
  const claimed = await worker.round();
  await worker.stop(); // waits for its deliveries and for any round they woke
  return claimed;
}

beforeAll(async () => {
  fx = await serviceFixture('notifications_webhooks', migrationsDir);
  base = {
    identity: { userId: 'service:notifications', agencyCode, roles: ['service'] },
    clock,
    logger: fx.logger,
    settings,
    send: createWebhookSender('development'),
  };
});
beforeEach(() => {
  agencyCode = nextAgency();
  otherAgency = nextAgency();
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  now = new Date();
  // What a test left pending must not be delivered in the next one.
  await fx.pool.query(`UPDATE webhook_deliveries SET state = 'failed', finished_at = now(), lease_until = NULL
                        WHERE state = 'pending'`);
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await fx.close();
});

describe('deliveries', () => {
  it('delivers a signed Standard Webhooks message the reference verifier accepts, with ids and hashes only', async () => {
    const r = await receiver();
    const created = await endpoint(r.url);
    const event = issued();
    expect(await fanOutEvent({ event }, ctx())).toEqual({ deliveries: 1 });
    expect(await deliverDue()).toBe(1);
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    const payload = new Webhook(created.secret).verify(got!.body, got!.headers as Record<string, string>) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(payload.type).toBe('document.issued');
    expect(payload.data).toEqual(event.data);
    expect(got!.headers['webhook-id']).toBe(`msg_${event.id.replace(/-/g, '')}_document.issued`);
    expect(Object.keys(payload.data)).not.toContain('content');
    const [row] = await q(`SELECT state, attempts, last_status FROM webhook_deliveries WHERE endpoint_id = $1`, [
      created.id,
    ]);
    expect(row).toEqual({ state: 'succeeded', attempts: 1, last_status: 204 });
  });

  it('fans an event out once however often it arrives, only to subscribed endpoints of its agency', async () => {
    const r = await receiver();
    const mine = await endpoint(r.url, ['document.issued', 'task.assigned']);
    const tasksOnly = await endpoint(r.url, ['task.assigned']);
    const theirs = await endpoint(r.url, ['document.issued'], admin(otherAgency));
    const event = issued();
    await fanOutEvent({ event }, ctx());
    expect(await fanOutEvent({ event }, ctx())).toEqual({ deliveries: 0 });
    const rows = await q(
      `SELECT d.endpoint_id FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
        WHERE m.event_id = $1`,
      [event.id],
    );
    expect(rows.map((row) => row.endpoint_id)).toEqual([mine.id]);
    expect([tasksOnly.id, theirs.id]).not.toContain(rows[0]?.endpoint_id);
    // An outgoing document's creation is no "incoming document arrived".
    const draft = createEvent(
      documentCreatedV1,
      randomUUID(),
      {
        documentId: randomUUID(),
        agencyCode,
        direction: 'outgoing',
        subject: 'Dự thảo',
        version: 1,
        sha256,
        mediaType: 'application/pdf',
        sizeBytes: 10,
        createdBy: 'cv',
        createdAt: now.toISOString(),
      },
      { source: '/vanthu/documents', agencyCode },
    );
    await endpoint(r.url, ['incoming-document.arrived']);
    expect(await fanOutEvent({ event: draft }, ctx())).toEqual({ deliveries: 0 });
    expect(
      await fanOutEvent(
        { event: { ...draft, id: randomUUID(), data: { ...(draft.data as object), direction: 'incoming' } } },
        ctx(),
      ),
    ).toEqual({ deliveries: 1 });
  });

  it('retries a 5xx and a receiver too slow to answer on the backoff schedule, then succeeds', async () => {
    const r = await receiver((_request, index) =>
      index === 0 ? { status: 503 } : index === 1 ? { status: 200, delayMs: 2000 } : { status: 200 },
    );
    const created = await endpoint(r.url);
    await fanOutEvent({ event: issued() }, ctx());
    const first = now;
    await deliverDue();
    let [row] = await q(`SELECT * FROM webhook_deliveries WHERE endpoint_id = $1`, [created.id]);
    expect(row).toMatchObject({ state: 'pending', attempts: 1, last_status: 503 });
    const delay = (row.next_attempt_at as Date).getTime() - first.getTime();
    expect(delay).toBeGreaterThanOrEqual(retryDelaysMs[0]!);
    expect(delay).toBeLessThanOrEqual(retryDelaysMs[0]! * 1.1 + 50);
    expect(await deliverDue()).toBe(0); // not due yet

    now = new Date(first.getTime() + 6_000);
    await deliverDue();
    [row] = await q(`SELECT * FROM webhook_deliveries WHERE endpoint_id = $1`, [created.id]);
    expect(row).toMatchObject({ state: 'pending', attempts: 2, last_status: null });
    expect(row.last_error).toMatch(/no answer within 800 ms/);

    now = new Date(first.getTime() + 6_000 + retryDelaysMs[1]! * 1.1 + 1000);
    await deliverDue();
    [row] = await q(`SELECT * FROM webhook_deliveries WHERE endpoint_id = $1`, [created.id]);
    expect(row).toMatchObject({ state: 'succeeded', attempts: 3, last_status: 200 });
    const attempts = await q(`SELECT attempt, status FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt`, [
      row.id,
    ]);
    expect(attempts).toEqual([
      { attempt: 1, status: 503 },
      { attempt: 2, status: null },
      { attempt: 3, status: 200 },
    ]);
  });

  it('never follows a redirect: a 3xx is a failed attempt and the target is never called', async () => {
    const target = await receiver();
    const r = await receiver(() => ({ status: 307, headers: { location: target.url } }));
    const created = await endpoint(r.url);
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    const [row] = await q(`SELECT * FROM webhook_deliveries WHERE endpoint_id = $1`, [created.id]);
    expect(row).toMatchObject({ state: 'pending', attempts: 1, last_status: 307 });
    expect(row.last_error).toMatch(/redirect 307 not followed/);
    expect(target.received).toHaveLength(0);
  });

  it('gives a delivery up after the whole schedule (more than 24 hours) has failed', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const created = await endpoint(r.url);
    await fanOutEvent({ event: issued() }, ctx());
    const start = now;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      expect(await deliverDue()).toBe(1);
      const [row] = await q(`SELECT state, next_attempt_at FROM webhook_deliveries WHERE endpoint_id = $1`, [
        created.id,
      ]);
      if (attempt < maxAttempts) now = new Date((row.next_attempt_at as Date).getTime() + 1);
      else expect(row.state).toBe('failed');
    }
    expect(now.getTime() - start.getTime()).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(r.received).toHaveLength(maxAttempts);
  });

  it('a dead receiver never holds up another endpoint’s deliveries', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 5000 }));
    const fast = await receiver();
    const slowEndpoint = await endpoint(slow.url);
    await endpoint(fast.url);
    for (let i = 0; i < 6; i += 1) await fanOutEvent({ event: issued() }, ctx());
    const worker = newWorker(base, fx.pool, fx.logger, 1000);
    const started = Date.now();
    await worker.round();
    await worker.round();
    await eventually(
      async () => fast.received.length,
      (n) => n === 6,
      5000,
      'fast receiver got all six',
    );
    expect(Date.now() - started).toBeLessThan(settings.timeoutMs);
    // The slow endpoint holds at most its per-endpoint share of the worker's requests.
    expect(slow.received.length).toBe(settings.perEndpoint);
    await worker.stop();
    // Both timed out; the rest of its queue was given back unattempted, to be probed one at a time.
    const rows = await q(
      `SELECT attempts, lease_until FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY attempts DESC`,
      [slowEndpoint.id],
    );
    expect(rows.map((row) => row.attempts)).toEqual([1, 1, 0, 0, 0, 0]);
    expect(rows.every((row) => row.lease_until === null)).toBe(true);
    expect(slow.maxInFlight).toBe(settings.perEndpoint);
  });

  it('a failing endpoint is probed one request at a time and never delays a healthy one, then resumes', async () => {
    const probeMs = 300;
    let failing = true;
    const bad = await receiver(() => ({ status: failing ? 500 : 204 }));
    const good = await receiver();
    const badEndpoint = await endpoint(bad.url);
    await endpoint(good.url);
    const events = 30;
    for (let i = 0; i < events; i += 1) await fanOutEvent({ event: issued() }, ctx());
    const live = { ...base, clock: () => new Date(), settings: { ...settings, failingProbeMs: probeMs } };
    const worker = newWorker(live, fx.pool, fx.logger, 20);
    const started = Date.now();
    worker.start();
    try {
      await eventually(
        async () => good.received.length,
        (n) => n === events,
        10_000,
        'the healthy receiver got every delivery',
      );
      const elapsed = Date.now() - started;
      // The first requests to the failing endpoint went out with the healthy one's, then only probes, one per
      // interval: not one request per delivery.
      expect(bad.received.length).toBeLessThanOrEqual(settings.perEndpoint + Math.ceil(elapsed / probeMs) + 1);
      await eventually(
        async () => bad.received.length,
        (n) => n >= settings.perEndpoint + 3,
        10_000,
        'three probes',
      );
      const probes = bad.received.slice(settings.perEndpoint).map((r) => r.at);
      for (let i = 1; i < probes.length; i += 1)
        expect(probes[i]! - probes[i - 1]!).toBeGreaterThanOrEqual(probeMs * 0.9);
      expect(bad.maxInFlight).toBeLessThanOrEqual(settings.perEndpoint);
      // Nothing was lost: every delivery to it is still pending, attempted at most once.
      const [counts] = await q(
        `SELECT count(*)::int AS n, max(attempts)::int AS most FROM webhook_deliveries
          WHERE endpoint_id = $1 AND state = 'pending'`,
        [badEndpoint.id],
      );
      expect(counts).toEqual({ n: events, most: 1 });
      // It answers again: the next probe succeeds and the deliveries not yet attempted follow at full speed.
      failing = false;
      await eventually(
        async () =>
          (
            await q(
              `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND state = 'succeeded'`,
              [badEndpoint.id],
            )
          )[0]!.n as number,
        (n) => n >= events - probes.length - settings.perEndpoint,
        10_000,
        'the deliveries not yet attempted',
      );
      const [row] = await q(`SELECT failing_since, paused_until FROM webhook_endpoints WHERE id = $1`, [
        badEndpoint.id,
      ]);
      expect(row).toEqual({ failing_since: null, paused_until: null });
    } finally {
      await worker.stop();
    }
  });

  it('a slow receiver’s full queue does not hold back another endpoint’s retry coming due', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 600 }));
    await endpoint(slow.url);
    for (let i = 0; i < 10; i += 1) await fanOutEvent({ event: issued() }, ctx());
    const other = await receiver();
    const otherEndpoint = await endpoint(other.url);
    await fanOutEvent({ event: issued() }, ctx());
    // The other endpoint's delivery is a retry, due in 300 ms.
    const due = Date.now() + 300;
    await fx.pool.query(`UPDATE webhook_deliveries SET attempts = 1, next_attempt_at = $2 WHERE endpoint_id = $1`, [
      otherEndpoint.id,
      new Date(due),
    ]);
    const worker = newWorker({ ...base, clock: () => new Date() }, fx.pool, fx.logger, 50);
    worker.start();
    await eventually(
      async () => other.received.length,
      (n) => n === 1,
      5000,
      'the retry',
    );
    // The slow endpoint's queue (11, answered 2 at a time every 600 ms) is still being sent.
    expect(slow.received.length).toBeLessThan(11);
    expect(other.received[0]!.at - due).toBeLessThan(1000);
    await worker.stop();
  });

  it('sends an endpoint’s deliveries over kept-alive connections, no more requests in flight than its limit', async () => {
    const r = await receiver();
    await endpoint(r.url);
    for (let i = 0; i < 20; i += 1) await fanOutEvent({ event: issued() }, ctx());
    const worker = newWorker(base, fx.pool, fx.logger, 1000);
    expect(await worker.round()).toBe(20);
    await worker.drain();
    expect(r.received).toHaveLength(20);
    expect(r.maxInFlight).toBeLessThanOrEqual(settings.perEndpoint);
    expect(r.connections).toBeLessThanOrEqual(settings.perEndpoint);
    await worker.stop();
  });

  it('closes an endpoint’s kept-alive connections once it has been idle, never one with a request in flight', async () => {
    const r = await receiver((_request, index) => ({ status: 204, delayMs: index === 0 ? 600 : 0 }));
    const send = createWebhookSender('development', { idleSocketMs: 200 });
    try {
      const post = { url: r.url, headers: {}, body: '{}', timeoutMs: 2000, connection: 'endpoint-1' };
      // Answered after 600 ms, three idle periods: the request in flight keeps its connection.
      expect(await send(post)).toMatchObject({ ok: true, status: 204 });
      expect(await send(post)).toMatchObject({ ok: true, status: 204 });
      expect(r.connections).toBe(1);
      await eventually(
        async () => r.open(),
        (n) => n === 0,
        3000,
        'the idle connection closed',
      );
    } finally {
      send.close?.();
    }
  });

  it('one worker at a time sends to an endpoint, and a queued delivery’s lease covers its wait', async () => {
    const r = await receiver(() => ({ status: 204, delayMs: 300 }));
    const created = await endpoint(r.url);
    for (let i = 0; i < 6; i += 1) await fanOutEvent({ event: issued() }, ctx());
    const first = newWorker(base, fx.pool, fx.logger, 1000);
    const second = newWorker(base, fx.pool, fx.logger, 1000);
    expect(await first.round()).toBe(6);
    const leases = await q(
      `SELECT leased_by, lease_until FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY lease_until`,
      [created.id],
    );
    expect(new Set(leases.map((l) => l.leased_by))).toEqual(new Set([first.id]));
    // perEndpoint (2) at a time: the 3rd and 4th wait one request timeout more than the first two, and so on.
    const after = leases.map((l) => (l.lease_until as Date).getTime() - now.getTime());
    const step = settings.timeoutMs;
    expect(after).toEqual([1, 1, 2, 2, 3, 3].map((k) => k * step + 30_000));
    // A new delivery due for the endpoint: another worker gets nothing while the first holds the endpoint, and
    // the first takes it once a batch of its own is recorded.
    await fanOutEvent({ event: issued() }, ctx());
    expect(await second.round()).toBe(0);
    await first.drain();
    expect(r.received).toHaveLength(7);
    expect(r.maxInFlight).toBe(settings.perEndpoint);
    await first.stop();
    // Released: the next delivery goes to whichever worker claims.
    await fanOutEvent({ event: issued() }, ctx());
    expect(await second.round()).toBe(1);
    await second.stop();
    expect(r.received).toHaveLength(8);
  });

  it('a new dispatcher cuts a vanished one’s leases to one request timeout instead of waiting them out', async () => {
    const r = await receiver();
    const created = await endpoint(r.url);
    for (let i = 0; i < 3; i += 1) await fanOutEvent({ event: issued() }, ctx());
    // A dispatcher that crashed with these queued: leased deep into the future.
    await fx.pool.query(
      `UPDATE webhook_deliveries SET leased_by = 'crashed', lease_until = $2 WHERE endpoint_id = $1`,
      [created.id, new Date(now.getTime() + 3_600_000)],
    );
    const worker = newWorker(base, fx.pool, fx.logger, 1000);
    expect(await worker.round()).toBe(0);
    const [lease] = await q(`SELECT max(lease_until) AS until FROM webhook_deliveries WHERE endpoint_id = $1`, [
      created.id,
    ]);
    expect((lease!.until as Date).getTime()).toBe(now.getTime() + settings.timeoutMs + 5_000);
    now = new Date(now.getTime() + settings.timeoutMs + 5_001);
    expect(await worker.round()).toBe(3);
    await worker.drain();
    expect(r.received).toHaveLength(3);
  });
});

describe('signatures over time', () => {
  it('the reference verifier refuses a captured delivery replayed later (timestamp outside its tolerance)', async () => {
    const r = await receiver();
    const created = await endpoint(r.url);
    now = new Date(Date.now() - 10 * 60_000); // the delivery was captured ten minutes ago
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    const [old] = r.received;
    expect(() => new Webhook(created.secret).verify(old!.body, old!.headers as Record<string, string>)).toThrow(
      /timestamp too old/i,
    );
    // A tampered timestamp breaks the signature instead.
    const forged = {
      ...(old!.headers as Record<string, string>),
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    };
    expect(() => new Webhook(created.secret).verify(old!.body, forged)).toThrow(/no matching signature/i);
  });

  it('after a rotation both secrets sign pending deliveries during the overlap, then only the new one', async () => {
    const r = await receiver((_request, index) => ({ status: index === 0 ? 500 : 200 }));
    const created = await endpoint(r.url);
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue(); // fails: pending with the old secret in force
    const { result: rotation } = await rotateWebhookSecret({ endpointId: created.id }, ctx());
    now = new Date(Date.now() + 6_000);
    await deliverDue();
    const during = r.received[1]!;
    expect((during.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    const headersAt = (entry: typeof during) => entry.headers as Record<string, string>;
    // The verifier's tolerance is five minutes around the real clock; the test's clock is six seconds ahead.
    expect(() => new Webhook(created.secret).verify(during.body, headersAt(during))).not.toThrow();
    expect(() => new Webhook(rotation.secret).verify(during.body, headersAt(during))).not.toThrow();

    now = new Date(new Date(rotation.previousSecretValidUntil).getTime() + 1000);
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    const after = r.received[2]!;
    expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    const timestamp = Number(after.headers['webhook-timestamp']) * 1000;
    expect(timestamp).toBe(Math.floor(now.getTime() / 1000) * 1000);
    // Signed a day ahead of the real clock: check the signature itself, as the verifier computes it.
    const signatureOf = (secret: string) =>
      new Webhook(secret).sign(after.headers['webhook-id'] as string, new Date(timestamp), after.body);
    expect(after.headers['webhook-signature']).toBe(signatureOf(rotation.secret));
    expect(after.headers['webhook-signature']).not.toBe(signatureOf(created.secret));
  });

  it('a replay is a new delivery with the same webhook-id and a fresh timestamp', async () => {
    const r = await receiver();
    const created = await endpoint(r.url);
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    const [original] = await q(`SELECT id FROM webhook_deliveries WHERE endpoint_id = $1`, [created.id]);
    now = new Date(Date.now() + 2000);
    const { result: replay } = await replayWebhookDelivery({ endpointId: created.id, deliveryId: original!.id }, ctx());
    expect(replay).toMatchObject({ replayOf: original!.id, state: 'pending', attempts: 0 });
    await deliverDue();
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.headers['webhook-id']).toBe(r.received[0]!.headers['webhook-id']);
    expect(Number(r.received[1]!.headers['webhook-timestamp'])).toBeGreaterThan(
      Number(r.received[0]!.headers['webhook-timestamp']),
    );
    expect(() =>
      new Webhook(created.secret).verify(r.received[1]!.body, r.received[1]!.headers as Record<string, string>),
    ).not.toThrow();
  });
});

describe('a permanently failing endpoint', () => {
  it('is disabled after the configured days of failures, with an event, and its pending deliveries are given up', async () => {
    const r = await receiver(() => ({ status: 502 }));
    const created = await endpoint(r.url);
    const start = now;
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    // Days later, more events keep failing.
    now = new Date(start.getTime() + (settings.disableAfterDays - 1) * 86_400_000);
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    expect((await q(`SELECT state FROM webhook_endpoints WHERE id = $1`, [created.id]))[0]!.state).toBe('active');
    now = new Date(start.getTime() + settings.disableAfterDays * 86_400_000 + 1000);
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    const [row] = await q(`SELECT state, failing_since, disabled_reason FROM webhook_endpoints WHERE id = $1`, [
      created.id,
    ]);
    expect(row!.state).toBe('disabled');
    expect((row!.failing_since as Date).getTime()).toBe(start.getTime());
    expect(row!.disabled_reason).toMatch(/every delivery failed for 5 days/);
    const pending = await q(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND state = 'pending'`,
      [created.id],
    );
    expect(pending[0]!.n).toBe(0);
    const events = await q(`SELECT topic, event_type, data FROM outbox WHERE message_key = $1`, [created.id]);
    expect(events).toEqual([
      {
        topic: `${prefix}vanthu.notifications`,
        event_type: 'vn.vanthu.webhook-endpoint.disabled.v1',
        data: expect.objectContaining({ endpointId: created.id, agencyCode, url: r.url }),
      },
    ]);
    // No new deliveries for a disabled endpoint.
    expect(await fanOutEvent({ event: issued() }, ctx())).toEqual({ deliveries: 0 });
  });

  it('a success in between restarts the failing period', async () => {
    let fail = true;
    const r = await receiver(() => ({ status: fail ? 500 : 200 }));
    const created = await endpoint(r.url);
    const start = now;
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    fail = false;
    now = new Date(start.getTime() + 3 * 86_400_000);
    await fanOutEvent({ event: issued() }, ctx());
    await deliverDue();
    expect(
      (await q(`SELECT failing_since FROM webhook_endpoints WHERE id = $1`, [created.id]))[0]!.failing_since,
    ).toBeNull();
  });
});

describe('production mode (no SSRF)', () => {
  it('refuses at connection time a host that resolves to a loopback address, and loopback literals', async () => {
    const r = await receiver();
    const send = createWebhookSender('production');
    const port = new URL(r.url).port;
    for (const url of [`http://localhost:${port}/hooks`, `http://127.0.0.1:${port}/hooks`, `http://[::1]:${port}/x`]) {
      const outcome = await send({ url, headers: {}, body: '{}', timeoutMs: 1000 });
      expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/non-public address/) });
    }
    expect(r.received).toHaveLength(0);
  });
});

describe('through Kafka and the inbox', () => {
  it('an event published on the documents topic reaches the receiver within a second, once', async () => {
    const r = await receiver();
    const created = await endpoint(r.url, ['task.assigned']);
    const brokers = loadInfrastructure().kafka.brokers.split(',');
    const kafka = createKafka({ brokers, clientId: 'notifications-test', topicPrefix: prefix }, fx.logger);
    const topics = ['vanthu.documents', 'vanthu.routing', 'vanthu.exchange'].map((t) => `${prefix}${t}`);
    await ensureTopics(
      kafka,
      topics.map((topic) => ({ topic, numPartitions: 1 })),
    );
    const producer = createProducer(kafka);
    await producer.connect();
    const worker = newWorker({ ...base, clock: () => new Date() }, fx.pool, fx.logger, 50);
    const consumer = new InboxConsumer({
      ...notificationsConsumer('notifications', { ...base, clock: () => new Date() }, () => worker.wake()),
      kafka,
      pool: fx.pool,
      logger: fx.logger,
    });
    await consumer.start();
    worker.start();
    try {
      const event = createEvent(
        taskAssignedV1,
        randomUUID(),
        {
          taskId: randomUUID(),
          processId: randomUUID(),
          agencyCode,
          step: 'sign',
          assignee: { userId: 'lanh-dao-1' },
          documentId: randomUUID(),
          at: new Date().toISOString(),
        },
        { source: '/vanthu/routing', agencyCode },
      );
      const message = { key: event.subject ?? 'k', value: JSON.stringify(event.data), headers: toKafkaHeaders(event) };
      const sent = Date.now();
      await producer.send({ topic: `${prefix}vanthu.routing`, messages: [message, message] });
      await eventually(
        async () => r.received.length,
        (n) => n >= 1,
        20_000,
        'the delivery',
      );
      // Over Kafka the first poll may wait for the group to settle; the second event shows the steady delay.
      const second = createEvent(
        taskAssignedV1,
        randomUUID(),
        { ...(event.data as object) },
        { source: '/vanthu/routing', agencyCode },
      );
      const before = Date.now();
      await producer.send({
        topic: `${prefix}vanthu.routing`,
        messages: [{ key: 'k', value: JSON.stringify(second.data), headers: toKafkaHeaders(second) }],
      });
      await eventually(
        async () => r.received.length,
        (n) => n >= 2,
        20_000,
        'the second delivery',
      );
      expect(r.received[1]!.at - before).toBeLessThan(1000);
      expect(sent).toBeLessThan(r.received[0]!.at);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(r.received).toHaveLength(2); // the duplicate message was not delivered again
      const payload = new Webhook(created.secret).verify(
        r.received[0]!.body,
        r.received[0]!.headers as Record<string, string>,
      );
      expect(payload).toMatchObject({
        type: 'task.assigned',
        data: { taskId: (event.data as { taskId: string }).taskId },
      });
    } finally {
      await worker.stop();
      await consumer.stop();
      await producer.disconnect();
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
