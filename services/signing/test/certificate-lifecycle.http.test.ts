import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { findEventDefinition } from '@vanthu/contracts';
import { createLogger, withTransaction } from '@vanthu/platform';
import type { Identity, Role, ServiceApp } from '@vanthu/platform';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA } from '../../../test/support/identities';
import { migrationsDir } from '../src/config';
import { serviceContext } from '../src/context';
import { checkCertificates } from '../src/certificates/check-certificates';
import type { SigningDeps } from '../src/signatures/signing-deps';
import { insertCertificate, openHolding } from '../src/repositories/certificates-repository';
import { signingTestApp } from './signing-app';
import type { SigningTestApp } from './signing-app';
import { infra, personCertificate } from './support';
import { subjectText, validityOf } from '../src/x509/certificate';

// A certificate over a career: registered, activated, released by its holder, taken up by a new holder,
// reassigned by an administrator with a reason, suspended when revoked (real OCSP) or expired (moved
// clock); every change audited, in the history, and announced by an event that matches its schema.

let kit: SigningTestApp['kit'];
let fx: ServiceFixture;
let app: ServiceApp;
let signing: SigningDeps;
let closeApp: (() => Promise<void>) | undefined;

const person = (userId: string, roles: Role[] = ['specialist']): Identity => ({ userId, agencyCode: agencyA, roles });
const admin = person('quan-tri', ['admin']);
const call = (identity: Identity, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    headers: { 'x-vanthu-identity': kit.assertionFor(identity) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
const pem = (key: string): string => fs.readFileSync(infra.pki.persons[key]?.certPath as string, 'utf8');

type OutboxEvent = { type: string; subject: string; data: Record<string, unknown> };
async function certificateEvents(): Promise<OutboxEvent[]> {
  const { rows } = await fx.pool.query<{ event_type: string; message_key: string; data: Record<string, unknown> }>(
    `SELECT event_type, message_key, data FROM outbox WHERE event_type LIKE 'vn.vanthu.certificate.%' ORDER BY position`,
  );
  return rows.map((r) => ({ type: r.event_type, subject: r.message_key, data: r.data }));
}

beforeAll(async () => {
  fx = await serviceFixture('signing-certificates', migrationsDir);
  const built = await signingTestApp(fx);
  ({ app, signing, kit } = built);
  closeApp = built.close;
});
afterAll(async () => {
  await closeApp?.();
  await fx?.close();
});

describe('certificate lifecycle', () => {
  let certificateId: string;

  it('registration is idempotent for its holder and refused (409) for anyone else', async () => {
    const first = await call(person('an'), 'POST', '/v1/certificates', { certificate: pem('nguyen-van-an') });
    expect(first.statusCode).toBe(201);
    certificateId = first.json().id;
    const again = await call(person('an'), 'POST', '/v1/certificates', { certificate: pem('nguyen-van-an') });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(certificateId);
    const other = await call(person('binh'), 'POST', '/v1/certificates', { certificate: pem('nguyen-van-an') });
    expect(other.statusCode).toBe(409);
    expect(other.json().detail).toMatch(/unregister/);
    expect((await call(admin, 'POST', `/v1/certificates/${certificateId}/activate`)).json().status).toBe('active');
    expect((await certificateEvents()).map((e) => e.type)).toEqual([
      'vn.vanthu.certificate.registered.v1',
      'vn.vanthu.certificate.activated.v1',
    ]);
  });

  it('only its holder or an administrator releases it; a new holder then registers it and the history keeps both', async () => {
    const stranger = await call(person('binh'), 'POST', `/v1/certificates/${certificateId}/unregister`, {});
    expect(stranger.statusCode).toBe(403);
    const released = await call(person('an'), 'POST', `/v1/certificates/${certificateId}/unregister`, {
      reason: 'chuyển công tác',
    });
    expect(released.statusCode).toBe(200);
    expect(released.json().status).toBe('unregistered');
    // Releasing again changes nothing and announces nothing.
    expect((await call(admin, 'POST', `/v1/certificates/${certificateId}/unregister`, {})).statusCode).toBe(200);
    const taken = await call(person('binh'), 'POST', '/v1/certificates', { certificate: pem('nguyen-van-an') });
    expect(taken.statusCode).toBe(201);
    expect(taken.json()).toMatchObject({ id: certificateId, userId: 'binh', status: 'registered', activatedAt: null });

    const history = await call(person('binh'), 'GET', `/v1/certificates/${certificateId}/history`);
    expect(history.statusCode).toBe(200);
    const { holdings, events } = history.json();
    expect(holdings).toMatchObject([
      { userId: 'an', endedBy: 'an', endedHow: 'unregistered', endReason: 'chuyển công tác' },
      { userId: 'binh', heldUntil: null, endedHow: null },
    ]);
    expect(holdings[0].heldUntil).not.toBeNull();
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      'registered',
      'activated',
      'unregistered',
      'registered',
    ]);
    expect(events[3]).toMatchObject({ actor: 'binh', holder: 'binh', previousHolder: 'an' });
    // The former holder still sees the history of a certificate they held; someone who never held it does not.
    expect((await call(person('an'), 'GET', `/v1/certificates/${certificateId}/history`)).statusCode).toBe(200);
    expect((await call(person('cuong'), 'GET', `/v1/certificates/${certificateId}/history`)).statusCode).toBe(404);
  });

  it('reassignment only by an administrator and only with a reason', async () => {
    const url = `/v1/certificates/${certificateId}/reassignment`;
    expect((await call(person('binh'), 'POST', url, { toUserId: 'cuong', reason: 'x' })).statusCode).toBe(403);
    expect((await call(admin, 'POST', url, { toUserId: 'cuong' })).statusCode).toBe(400);
    expect((await call(admin, 'POST', url, { toUserId: 'cuong', reason: '   ' })).statusCode).toBe(400);
    const moved = await call(admin, 'POST', url, { toUserId: 'cuong', reason: 'tài khoản tạo lại (QĐ 12/QĐ-UBND)' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ userId: 'cuong', status: 'registered' });
    const { holdings, events } = (await call(admin, 'GET', `/v1/certificates/${certificateId}/history`)).json();
    expect(holdings.map((h: { userId: string }) => h.userId)).toEqual(['an', 'binh', 'cuong']);
    expect(holdings[1]).toMatchObject({ endedBy: 'quan-tri', endedHow: 'reassigned' });
    expect(events.at(-1)).toMatchObject({
      action: 'reassigned',
      actor: 'quan-tri',
      holder: 'cuong',
      previousHolder: 'binh',
      reason: 'tài khoản tạo lại (QĐ 12/QĐ-UBND)',
    });
  });

  it('a certificate its CA revoked is suspended by the check (real OCSP); the good ones are left as they are', async () => {
    // Registered before its revocation: written as registration wrote it then.
    const revoked = personCertificate('pham-van-duc');
    const id = randomUUID();
    await withTransaction(fx.pool, async (tx) => {
      await insertCertificate(tx, {
        id,
        agencyCode: agencyA,
        userId: 'duc',
        sha256: revoked.sha256,
        der: revoked.der,
        subject: subjectText(revoked),
        issuer: 'CA',
        serialHex: '01',
        notBefore: validityOf(revoked).notBefore.toISOString(),
        notAfter: validityOf(revoked).notAfter.toISOString(),
      });
      await openHolding(tx, { id: randomUUID(), certificateId: id, agencyCode: agencyA, userId: 'duc' });
    });
    expect((await call(person('duc'), 'POST', '/v1/certificates/checks')).statusCode).toBe(403);
    const checked = await call(admin, 'POST', '/v1/certificates/checks');
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({ checked: 2, unchecked: [] });
    expect(checked.json().suspended).toEqual([{ certificateId: id, userId: 'duc', cause: 'revoked' }]);
    const listed = (await call(admin, 'GET', '/v1/certificates')).json() as { id: string; status: string }[];
    expect(listed.find((c) => c.id === id)).toMatchObject({ status: 'suspended', suspensionCause: 'revoked' });
    expect(listed.find((c) => c.id === certificateId)?.status).toBe('registered');
    const suspended = (await certificateEvents()).filter((e) => e.type === 'vn.vanthu.certificate.suspended.v1');
    expect(suspended).toHaveLength(1);
    expect(suspended[0]?.data).toMatchObject({ certificateId: id, cause: 'revoked', userId: 'duc' });
    expect(suspended[0]?.data.revokedAt).toEqual(expect.any(String));
  });

  it('an expired one is suspended when the clock passes its notAfter', async () => {
    const { notAfter } = validityOf(personCertificate('nguyen-van-an'));
    const logger = createLogger('test', 'silent');
    const before = await checkCertificates(
      {},
      serviceContext(signing, logger, () => new Date(notAfter.getTime() - 60_000), 'check-before'),
    );
    expect(before.suspended).toEqual([]);
    const after = await checkCertificates(
      {},
      serviceContext(signing, logger, () => new Date(notAfter.getTime() + 1_000), 'check-after'),
    );
    expect(after.suspended).toEqual([{ certificateId, userId: 'cuong', cause: 'expired' }]);
    // A suspended certificate cannot be reassigned.
    const refused = await call(admin, 'POST', `/v1/certificates/${certificateId}/reassignment`, {
      toUserId: 'an',
      reason: 'x',
    });
    expect(refused.statusCode).toBe(409);
  });

  it('every certificate event matches its published schema and names the certificate', async () => {
    const events = await certificateEvents();
    expect(events.map((e) => e.type)).toEqual([
      'vn.vanthu.certificate.registered.v1',
      'vn.vanthu.certificate.activated.v1',
      'vn.vanthu.certificate.unregistered.v1',
      'vn.vanthu.certificate.registered.v1',
      'vn.vanthu.certificate.reassigned.v1',
      'vn.vanthu.certificate.suspended.v1',
      'vn.vanthu.certificate.suspended.v1',
    ]);
    for (const event of events) {
      const definition = findEventDefinition(event.type);
      expect(definition).toBeDefined();
      const errors = [...Value.Errors(definition?.schema as never, event.data)].map((e) => `${e.path} ${e.message}`);
      expect({ type: event.type, errors }).toEqual({ type: event.type, errors: [] });
      expect(event.subject).toBe(event.data.certificateId);
    }
    expect(events[4]?.data).toMatchObject({ fromUserId: 'binh', toUserId: 'cuong', status: 'registered' });
    expect(events[2]?.data).toMatchObject({ userId: 'an', unregisteredBy: 'an', reason: 'chuyển công tác' });
  });
});
