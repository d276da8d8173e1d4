import { randomUUID } from 'node:crypto';
import { documentIssuedV1 } from '@vanthu/contracts';
import { createEvent } from '@vanthu/platform';
import type { Identity, ServiceApp } from '@vanthu/platform';
import { buildApp } from '../src/app';
import { migrationsDir } from '../src/config';
import { defaultWebhookSettings } from '../src/context';
import { fanOutEvent } from '../src/webhooks/fan-out-event';
import { workerContext } from '../src/worker';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, agencyB, clerkOf, createIdentityKit } from '../../../test/support/identities';

const kit = createIdentityKit();
const admin = (agencyCode = agencyA): Identity => ({ userId: 'quan-tri', agencyCode, roles: ['admin'] });
let fx: ServiceFixture;
let dev: ServiceApp;
let prod: ServiceApp;
const settings = { ...defaultWebhookSettings, mode: 'development' as const };

const call = (
  app: ServiceApp,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  identity?: Identity,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method,
    url,
    headers: { ...(identity ? { 'x-vanthu-identity': kit.assertionFor(identity) } : {}), ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  });
const create = (body: unknown, identity = admin(), app = dev, headers?: Record<string, string>) =>
  call(app, 'POST', '/v1/webhooks', identity, body, headers);
const receiverUrl = 'http://127.0.0.1:9/hooks';

beforeAll(async () => {
  fx = await serviceFixture('notifications_http', migrationsDir);
  dev = await buildApp({ logger: fx.logger, pool: fx.pool, identityPublicKey: kit.publicKeyPem, settings });
  prod = await buildApp({
    logger: fx.logger,
    pool: fx.pool,
    identityPublicKey: kit.publicKeyPem,
    settings: { ...settings, mode: 'production' },
  });
});
afterAll(async () => {
  await dev.close();
  await prod.close();
  await fx.close();
});

describe('POST /v1/webhooks', () => {
  it('registers an endpoint, answers its secret once, and honours Idempotency-Key', async () => {
    const body = { url: receiverUrl, eventTypes: ['document.issued', 'task.assigned'], description: 'Một cửa' };
    const response = await create(body, admin(), dev, { 'idempotency-key': 'webhook-create-1' });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({
      url: receiverUrl,
      state: 'active',
      eventTypes: ['document.issued', 'task.assigned'],
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(response.headers.location).toBe(`/v1/webhooks/${created.id}`);
    const again = await create(body, admin(), dev, { 'idempotency-key': 'webhook-create-1' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(created.id);
    const rows = await fx.pool.query('SELECT agency_code, secret FROM webhook_endpoints WHERE id = $1', [created.id]);
    expect(rows.rows).toEqual([{ agency_code: agencyA, secret: created.secret }]);
  });

  it('refuses bad bodies (400), callers without a token (401) or the admin role (403)', async () => {
    expect((await create({ url: receiverUrl, eventTypes: ['document.printed'] })).statusCode).toBe(400);
    expect((await create({ url: receiverUrl, eventTypes: [] })).statusCode).toBe(400);
    expect((await create({ url: receiverUrl, eventTypes: ['task.assigned'], extra: 1 })).statusCode).toBe(400);
    expect((await call(dev, 'POST', '/v1/webhooks', undefined, { url: receiverUrl })).statusCode).toBe(401);
    expect((await create({ url: receiverUrl, eventTypes: ['task.assigned'] }, clerkOf(agencyA))).statusCode).toBe(403);
  });

  it.each([
    ['http://hooks.example.vn/x', 'development', /must use https/],
    ['http://127.0.0.1:8080/x', 'production', /must use https/],
    ['https://127.0.0.1/x', 'production', /non-public address \(127\.0\.0\.1\)/],
    ['https://localhost/x', 'production', /non-public address/],
    ['https://10.20.30.40/x', 'production', /non-public address \(10\.20\.30\.40\)/],
    ['https://169.254.169.254/latest/meta-data', 'production', /non-public address/],
    ['https://[fd00::1]/x', 'production', /non-public address/],
    ['https://no-such-host.invalid/x', 'production', /does not resolve/],
    ['https://user:secret@hooks.example.vn/x', 'production', /user name or password/],
  ])('refuses %s in %s mode with 422 naming the reason', async (url, mode, message) => {
    const response = await create({ url, eventTypes: ['task.assigned'] }, admin(), mode === 'production' ? prod : dev);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.json().errors).toEqual([{ field: '/url', message: expect.stringMatching(message) }]);
  });
});

describe('reading, rotating, enabling, deleting', () => {
  let id: string;
  beforeAll(async () => {
    id = (await create({ url: receiverUrl, eventTypes: ['document.issued'] })).json().id;
  });

  it('lists and reads the agency’s endpoints without secrets; another agency’s is not found', async () => {
    const list = await call(dev, 'GET', '/v1/webhooks', admin());
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((e: { id: string }) => e.id)).toContain(id);
    expect(JSON.stringify(list.json())).not.toContain('whsec_');
    expect((await call(dev, 'GET', '/v1/webhooks', admin(agencyB))).json().items).toEqual([]);
    expect((await call(dev, 'GET', '/v1/webhooks', clerkOf(agencyA))).statusCode).toBe(403);
    const one = await call(dev, 'GET', `/v1/webhooks/${id}`, admin());
    expect(one.statusCode).toBe(200);
    expect(one.json()).not.toHaveProperty('secret');
    expect((await call(dev, 'GET', `/v1/webhooks/${id}`, admin(agencyB))).statusCode).toBe(404);
    expect((await call(dev, 'GET', '/v1/webhooks/not-a-uuid', admin())).statusCode).toBe(400);
  });

  it('rotates the secret with an overlap in which the previous one still signs', async () => {
    const before = await fx.pool.query('SELECT secret FROM webhook_endpoints WHERE id = $1', [id]);
    const response = await call(dev, 'POST', `/v1/webhooks/${id}/secret-rotations`, admin());
    expect(response.statusCode).toBe(200);
    const { secret, previousSecretValidUntil } = response.json();
    const after = await fx.pool.query(
      'SELECT secret, previous_secret, previous_secret_until FROM webhook_endpoints WHERE id = $1',
      [id],
    );
    expect(after.rows[0]).toEqual({
      secret,
      previous_secret: before.rows[0].secret,
      previous_secret_until: new Date(previousSecretValidUntil),
    });
    const hours = (new Date(previousSecretValidUntil).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect((await call(dev, 'GET', `/v1/webhooks/${id}`, admin())).json().previousSecretValidUntil).toBe(
      previousSecretValidUntil,
    );
    expect((await call(dev, 'POST', `/v1/webhooks/${id}/secret-rotations`, admin(agencyB))).statusCode).toBe(404);
  });

  it('enables a disabled endpoint again', async () => {
    await fx.pool.query(
      `UPDATE webhook_endpoints SET state = 'disabled', disabled_at = now(), disabled_reason = 'test', failing_since = now() WHERE id = $1`,
      [id],
    );
    const response = await call(dev, 'POST', `/v1/webhooks/${id}/enablement`, admin());
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ state: 'active', disabledAt: null, failingSince: null });
    expect((await call(dev, 'POST', `/v1/webhooks/${id}/enablement`, admin(agencyB))).statusCode).toBe(404);
  });

  it('deletes an endpoint: then it is not found, and another agency cannot delete it', async () => {
    const other = (await create({ url: receiverUrl, eventTypes: ['task.assigned'] })).json().id;
    expect((await call(dev, 'DELETE', `/v1/webhooks/${other}`, admin(agencyB))).statusCode).toBe(404);
    expect((await call(dev, 'DELETE', `/v1/webhooks/${other}`, admin())).statusCode).toBe(204);
    expect((await call(dev, 'GET', `/v1/webhooks/${other}`, admin())).statusCode).toBe(404);
    expect((await call(dev, 'DELETE', `/v1/webhooks/${other}`, admin())).statusCode).toBe(404);
  });
});

describe('the delivery log and replays', () => {
  let id: string;
  beforeAll(async () => {
    id = (await create({ url: receiverUrl, eventTypes: ['document.issued'] })).json().id;
    const base = {
      identity: admin(),
      clock: () => new Date(),
      logger: fx.logger,
      settings,
    };
    for (let i = 0; i < 3; i += 1) {
      const event = createEvent(
        documentIssuedV1,
        randomUUID(),
        {
          documentId: randomUUID(),
          agencyCode: agencyA,
          notation: `${i + 1}/QĐ-UBND`,
          documentIdentifier: `${agencyA},2026/12/01,${i + 1}/QĐ-UBND`,
          version: 3,
          sha256: 'c'.repeat(64),
          issuedBy: 'van-thu',
          issuedAt: new Date().toISOString(),
        },
        { source: '/vanthu/documents', agencyCode: agencyA },
      );
      await fanOutEvent({ event }, workerContext(base, fx.pool, 'test'));
    }
  });

  it('lists deliveries newest first with a cursor, refuses a forged cursor, hides other agencies’', async () => {
    const first = await call(dev, 'GET', `/v1/webhooks/${id}/deliveries?limit=2`, admin());
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      endpointId: id,
      eventType: 'document.issued',
      state: 'pending',
      attempts: 0,
    });
    const second = (
      await call(dev, 'GET', `/v1/webhooks/${id}/deliveries?limit=2&cursor=${page.nextCursor}`, admin())
    ).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...page.items, ...second.items].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(3);
    expect((await call(dev, 'GET', `/v1/webhooks/${id}/deliveries?cursor=forged`, admin())).statusCode).toBe(400);
    expect((await call(dev, 'GET', `/v1/webhooks/${id}/deliveries`, admin(agencyB))).statusCode).toBe(404);
  });

  it('replays a delivery (202), refuses while the endpoint is disabled (409), 404 for another agency', async () => {
    const [delivery] = (await call(dev, 'GET', `/v1/webhooks/${id}/deliveries`, admin())).json().items;
    const url = `/v1/webhooks/${id}/deliveries/${delivery.id}/replays`;
    const response = await call(dev, 'POST', url, admin());
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ replayOf: delivery.id, messageId: delivery.messageId, state: 'pending' });
    expect((await call(dev, 'POST', url, admin(agencyB))).statusCode).toBe(404);
    expect((await call(dev, 'POST', `/v1/webhooks/${id}/deliveries/${randomUUID()}/replays`, admin())).statusCode).toBe(
      404,
    );
    await fx.pool.query(`UPDATE webhook_endpoints SET state = 'disabled', disabled_at = now() WHERE id = $1`, [id]);
    const refused = await call(dev, 'POST', url, admin());
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CONFLICT');
  });
});
