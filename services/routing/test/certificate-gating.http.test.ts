import { randomUUID } from 'node:crypto';
import { certificateActivatedV1, certificateRegisteredV1 } from '@vanthu/contracts';
import { createEvent, withTransaction } from '@vanthu/platform';
import { certificateProjectionHandlers } from '../src/gating/certificate-projection';
import { startTimeHarness } from './time-harness';
import type { TimeHarness } from './time-harness';
import { agencyA } from '../../../test/support/identities';

let h: TimeHarness;
beforeAll(async () => {
  h = await startTimeHarness('routing_gating_http');
  h.now.value = new Date('2026-04-20T03:00:00Z');
});
afterAll(async () => h.close());

const exception = {
  userId: 'le-van-chi',
  referenceDocument: '15/QĐ-UBND',
  reason: 'Chờ Ban Cơ yếu cấp chứng thư số',
  validUntil: '2026-05-20T00:00:00+07:00',
};

describe('certificate gating API', () => {
  it('shows the default date 2026-04-16 and lets the head of the agency move it', async () => {
    expect((await h.request('GET', '/v1/certificate-gating', h.specialistA)).json()).toEqual({
      agencyCode: agencyA,
      gatingDate: '2026-04-16',
      source: 'default',
    });
    expect(
      (await h.request('PUT', '/v1/certificate-gating', h.specialistA, { gatingDate: '2026-05-01' })).statusCode,
    ).toBe(403);
    const moved = await h.request('PUT', '/v1/certificate-gating', h.leaderA, { gatingDate: '2026-05-01' });
    expect(moved.json()).toMatchObject({ gatingDate: '2026-05-01', source: 'agency', updatedBy: 'chu-tich' });
    const check = await h.request('GET', '/v1/certificate-gating/persons/le-van-chi', h.specialistA);
    expect(check.json()).toMatchObject({ assignable: true, because: 'before-gating-date', gatingDate: '2026-05-01' });
    expect((await h.request('PUT', '/v1/certificate-gating', h.adminA, { gatingDate: '2026-02-30' })).statusCode).toBe(
      400,
    );
    await h.request('PUT', '/v1/certificate-gating', h.adminA, { gatingDate: '2026-04-16' });
  });

  it('records a written exception by the head of the agency with its reference document, and revokes it', async () => {
    const person = '/v1/certificate-gating/persons/le-van-chi';
    expect((await h.request('GET', person, h.specialistA)).json()).toMatchObject({
      assignable: false,
      certificates: [],
    });
    expect((await h.request('POST', '/v1/certificate-exceptions', h.specialistA, exception)).statusCode).toBe(403);
    const noReference = await h.request('POST', '/v1/certificate-exceptions', h.leaderA, {
      ...exception,
      referenceDocument: 'xin phép',
    });
    expect(noReference.statusCode).toBe(400);
    const headers = { ...h.leaderA, 'idempotency-key': 'exception-chi-1' };
    const granted = await h.request('POST', '/v1/certificate-exceptions', headers, exception);
    expect(granted.statusCode).toBe(201);
    const body = granted.json();
    expect(body).toMatchObject({
      userId: 'le-van-chi',
      referenceDocument: '15/QĐ-UBND',
      grantedBy: 'chu-tich',
      revokedAt: null,
    });
    expect(granted.headers.location).toBe(`/v1/certificate-exceptions/${body.id}`);
    const replay = await h.request('POST', '/v1/certificate-exceptions', headers, exception);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(body.id);
    expect(
      (await h.request('GET', '/v1/certificate-exceptions?userId=le-van-chi', h.specialistA)).json().items,
    ).toHaveLength(1);
    expect((await h.request('GET', person, h.specialistA)).json()).toMatchObject({
      assignable: true,
      because: 'exception',
      exceptionId: body.id,
    });
    expect((await h.request('GET', `${person}?at=2026-05-21T00:00:00%2B07:00`, h.specialistA)).json().assignable).toBe(
      false,
    );

    const revoked = await h.request('POST', `/v1/certificate-exceptions/${body.id}/revocation`, h.adminA);
    expect(revoked.json()).toMatchObject({ revokedBy: 'quan-tri' });
    expect((await h.request('GET', person, h.specialistA)).json().assignable).toBe(false);
    expect(
      (await h.request('POST', `/v1/certificate-exceptions/${randomUUID()}/revocation`, h.adminA)).statusCode,
    ).toBe(404);
    // another agency's administrator sees none of it
    expect((await h.request('GET', '/v1/certificate-exceptions', h.adminB)).json().items).toEqual([]);
    const past = await h.request('POST', '/v1/certificate-exceptions', h.leaderA, {
      ...exception,
      validFrom: '2026-03-01T00:00:00Z',
      validUntil: '2026-04-01T00:00:00Z',
    });
    expect(past.json().errors).toEqual([{ field: 'validUntil', message: 'is in the past' }]);
  });

  it('reports the certificates learnt from events; an activated one makes the person assignable', async () => {
    const handlers = certificateProjectionHandlers();
    const certificateId = randomUUID();
    const common = { certificateId, agencyCode: agencyA, userId: 'pham-thi-dung', sha256: 'b'.repeat(64) };
    await withTransaction(h.fixture.pool, async (tx) => {
      await handlers[certificateRegisteredV1.type]!(
        tx,
        createEvent(
          certificateRegisteredV1,
          certificateId,
          { ...common, subject: 'CN=Dung', notAfter: '2028-01-01T00:00:00Z', registeredAt: '2026-03-01T00:00:00Z' },
          { source: '/vanthu/signing' },
        ),
      );
      await handlers[certificateActivatedV1.type]!(
        tx,
        createEvent(
          certificateActivatedV1,
          certificateId,
          { ...common, activatedBy: 'quan-tri', activatedAt: '2026-03-02T00:00:00Z' },
          { source: '/vanthu/signing' },
        ),
      );
    });
    const check = (await h.request('GET', '/v1/certificate-gating/persons/pham-thi-dung', h.specialistA)).json();
    expect(check).toMatchObject({ assignable: true, because: 'active-certificate' });
    expect(check.certificates).toEqual([
      { certificateId, state: 'active', notAfter: '2028-01-01T00:00:00.000Z', updatedAt: '2026-03-02T00:00:00.000Z' },
    ]);
  });
});
