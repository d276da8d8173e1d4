import { randomUUID } from 'node:crypto';
import { withTransaction } from '@vanthu/platform';
import { resolveDelegate } from '../src/timers';
import { startTimeHarness } from './time-harness';
import type { TimeHarness } from './time-harness';
import { agencyA } from '../../../test/support/identities';

let h: TimeHarness;
const as = (userId: string, roles: ('specialist' | 'unit-leader' | 'agency-leader')[] = ['specialist']) =>
  h.headersFor({ userId, agencyCode: agencyA, roles });
const resolve = (userId: string, at: string) =>
  withTransaction(h.fixture.pool, (tx) => resolveDelegate(tx, { agencyCode: agencyA, userId, at: new Date(at) }));

beforeAll(async () => {
  h = await startTimeHarness('routing_delegations');
  h.now.value = new Date('2026-04-01T02:00:00Z');
});
afterAll(async () => h.close());

describe('delegations and absences', () => {
  it('a person delegates all their tasks for a period; resolveDelegate follows it only inside the period', async () => {
    const res = await h.request('POST', '/v1/delegations', as('truong-phong', ['unit-leader']), {
      kind: 'delegation',
      delegateUserId: 'pho-phong',
      role: 'unit-leader',
      validFrom: '2026-04-06T00:00:00+07:00',
      validUntil: '2026-04-11T00:00:00+07:00',
      reason: 'Đi công tác Hà Nội',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      kind: 'delegation',
      delegatorUserId: 'truong-phong',
      delegateUserId: 'pho-phong',
      role: 'unit-leader',
    });
    expect(res.headers.location).toBe(`/v1/delegations/${res.json().id}`);
    expect(await resolve('truong-phong', '2026-04-05T23:59:00+07:00')).toBe('truong-phong');
    expect(await resolve('truong-phong', '2026-04-06T00:00:00+07:00')).toBe('pho-phong');
    expect(await resolve('truong-phong', '2026-04-11T00:00:00+07:00')).toBe('truong-phong');
    const api = await h.request(
      'GET',
      '/v1/delegations/delegates/truong-phong?at=2026-04-08T09:00:00%2B07:00',
      h.specialistA,
    );
    expect(api.json()).toEqual({ userId: 'truong-phong', at: '2026-04-08T02:00:00.000Z', receivedBy: 'pho-phong' });
  });

  it('refuses an overlapping delegation (409 naming the existing one), self-delegation and a circle', async () => {
    const overlap = await h.request('POST', '/v1/delegations', as('truong-phong', ['unit-leader']), {
      kind: 'delegation',
      delegateUserId: 'chuyen-vien-2',
      validFrom: '2026-04-10T00:00:00+07:00',
      validUntil: '2026-04-15T00:00:00+07:00',
      reason: 'Nghỉ phép',
    });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().detail).toMatch(/truong-phong already delegates to pho-phong/);
    const self = await h.request('POST', '/v1/delegations', as('a'), {
      kind: 'delegation',
      delegateUserId: 'a',
      validUntil: '2026-05-01T00:00:00Z',
      reason: 'xyz',
    });
    expect(self.json().errors).toEqual([
      { field: 'delegateUserId', message: 'a person cannot delegate to themselves' },
    ]);
    const circle = await h.request('POST', '/v1/delegations', as('pho-phong'), {
      kind: 'delegation',
      delegateUserId: 'truong-phong',
      validFrom: '2026-04-07T00:00:00+07:00',
      validUntil: '2026-04-08T00:00:00+07:00',
      reason: 'Họp',
    });
    expect(circle.statusCode).toBe(409);
    expect(circle.json().detail).toMatch(/circular/);
  });

  it('a leader records an absence for someone; chains are followed; a specialist cannot record one; revocation ends it', async () => {
    const body = {
      kind: 'absence',
      delegatorUserId: 'pho-phong',
      delegateUserId: 'chuyen-vien-3',
      validFrom: '2026-04-01T00:00:00+07:00',
      validUntil: '2026-04-30T00:00:00+07:00',
      reason: 'Nghỉ ốm',
    };
    expect((await h.request('POST', '/v1/delegations', as('chuyen-vien-9'), body)).statusCode).toBe(403);
    const absence = await h.request('POST', '/v1/delegations', as('chanh-van-phong', ['unit-leader']), body);
    expect(absence.statusCode).toBe(201);
    expect(absence.json()).toMatchObject({
      kind: 'absence',
      delegatorUserId: 'pho-phong',
      createdBy: 'chanh-van-phong',
    });
    // truong-phong → pho-phong (delegation) → chuyen-vien-3 (absence)
    expect(await resolve('truong-phong', '2026-04-08T09:00:00+07:00')).toBe('chuyen-vien-3');
    const listed = await h.request(
      'GET',
      '/v1/delegations?userId=pho-phong&activeAt=2026-04-08T02:00:00Z',
      h.specialistA,
    );
    expect(listed.json().items).toHaveLength(2);
    expect(
      (await h.request('POST', `/v1/delegations/${absence.json().id}/revocation`, as('someone-else'))).statusCode,
    ).toBe(403);
    const revoked = await h.request('POST', `/v1/delegations/${absence.json().id}/revocation`, as('pho-phong'));
    expect(revoked.json().revokedBy).toBe('pho-phong');
    expect(await resolve('truong-phong', '2026-04-08T09:00:00+07:00')).toBe('pho-phong');
    expect((await h.request('POST', `/v1/delegations/${randomUUID()}/revocation`, h.adminA)).statusCode).toBe(404);
  });

  it('after the gating date the delegate must hold an activated certificate or an exception (422 naming them)', async () => {
    h.now.value = new Date('2026-05-04T02:00:00Z');
    const res = await h.request('POST', '/v1/delegations', as('chuyen-vien-4'), {
      kind: 'delegation',
      delegateUserId: 'chuyen-vien-5',
      validUntil: '2026-05-10T00:00:00+07:00',
      reason: 'Nghỉ phép năm',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'assignee', message: expect.stringContaining('chuyen-vien-5 has no activated') },
    ]);
    const exception = await h.request('POST', '/v1/certificate-exceptions', h.leaderA, {
      userId: 'chuyen-vien-5',
      referenceDocument: '21/QĐ-UBND',
      reason: 'Chờ cấp chứng thư',
    });
    expect(exception.statusCode).toBe(201);
    const again = await h.request('POST', '/v1/delegations', as('chuyen-vien-4'), {
      kind: 'delegation',
      delegateUserId: 'chuyen-vien-5',
      validUntil: '2026-05-10T00:00:00+07:00',
      reason: 'Nghỉ phép năm',
    });
    expect(again.statusCode).toBe(201);
    const past = await h.request('POST', '/v1/delegations', as('x'), {
      kind: 'delegation',
      delegateUserId: 'y',
      validUntil: '2026-05-01T00:00:00Z',
      reason: 'xyz',
    });
    expect(past.statusCode).toBe(400);
  });
});
