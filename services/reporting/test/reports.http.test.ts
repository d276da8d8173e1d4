import type { CloudEvent, ServiceApp } from '@vanthu/platform';
import type { DocumentCreatedV1 } from '@vanthu/contracts';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { startReporting } from './reporting-harness';
import type { ReportingHarness } from './reporting-harness';
import { agencyA, agencyB, clerkOf, createIdentityKit } from '../../../test/support/identities';
import { documentCreated, projectEvents } from './projected-events';

const kit = createIdentityKit();
let fixture: ServiceFixture;
let app: ServiceApp;
let harness: ReportingHarness;

beforeAll(async () => {
  harness = await startReporting('reporting', { kit, clock: () => new Date('2026-12-20T00:00:00Z') });
  ({ fixture, app } = harness);
  const created = (agencyCode: string, direction: DocumentCreatedV1['direction'], createdAt: string) =>
    documentCreated(agencyCode, createdAt, { direction, subject: 'Báo cáo', sha256: 'b'.repeat(64) });
  const events = [
    created(agencyA, 'outgoing', '2026-10-31T16:59:59.999Z'), // 23:59:59 on 31 October in Hà Nội: October
    created(agencyA, 'outgoing', '2026-10-31T17:00:00.000Z'), // 00:00 on 1 November in Hà Nội: November
    created(agencyA, 'incoming', '2026-11-15T03:00:00.000Z'),
    created(agencyA, 'internal', '2026-11-30T16:59:59.000Z'),
    created(agencyA, 'incoming', '2026-11-30T17:00:00.000Z'), // December
    created(agencyB, 'outgoing', '2026-11-10T03:00:00.000Z'),
  ];
  for (const event of events) await projectEvents(fixture.pool, [event]);
  // Replaying an event (e.g. a rebuild from offset 0) does not count it twice.
  await projectEvents(fixture.pool, [events[2] as CloudEvent]);
});
afterAll(async () => {
  await harness?.close();
});

const report = (month: string, identity = clerkOf(agencyA), agency?: string) =>
  app.inject({
    method: 'GET',
    url: `/v1/reports/compliance?month=${month}${agency ? `&agency=${agency}` : ''}`,
    headers: { 'x-vanthu-identity': kit.assertionFor(identity) },
  });

describe('GET /v1/reports/compliance', () => {
  it('counts the caller’s documents in the Vietnamese calendar month', async () => {
    const response = await report('2026-11');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      agencyCode: agencyA,
      month: '2026-11',
      period: { from: '2026-11-01T00:00:00+07:00', to: '2026-12-01T00:00:00+07:00' },
      documents: { total: 3, outgoing: 1, incoming: 1, internal: 1, issued: 0, digitised: 0 },
    });
    expect((await report('2026-10')).json().documents.total).toBe(1);
    expect((await report('2026-12')).json().documents.total).toBe(1);
  });

  it('lets only report collectors read another agency; for others it does not exist', async () => {
    const denied = await report('2026-11', clerkOf(agencyA), agencyB);
    expect(denied.statusCode).toBe(404);
    expect(denied.json().code).toBe('NOT_FOUND');
    const collector = { userId: 'so-khcn-1', agencyCode: '000.00.31.H99', roles: ['report-collector' as const] };
    const allowed = await report('2026-11', collector, agencyB);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().documents).toEqual({
      total: 1,
      outgoing: 1,
      incoming: 0,
      internal: 0,
      issued: 0,
      digitised: 0,
    });
    // 0 of 0 is not 0%: a figure with nothing to count has no ratio, and its threshold is not judged.
    expect(allowed.json().figures.personallySigned).toMatchObject({ numerator: 0, denominator: 0, ratio: null });
    expect(allowed.json().thresholds.find((t: { figure: string }) => t.figure === 'personallySigned').met).toBeNull();
  });

  it('refuses malformed parameters naming them', async () => {
    const badMonth = await report('2026-13');
    expect(badMonth.statusCode).toBe(400);
    expect(badMonth.json().errors[0].field).toMatch(/month/);
    const future = await report('2027-01');
    expect(future.statusCode).toBe(400);
    expect(future.json().errors[0]).toEqual({ field: 'querystring.month', message: 'must not be in the future' });
    const badCursor = await app.inject({
      method: 'GET',
      url: '/v1/reports/findings?month=2026-11&kind=digitised-only&cursor=bm9wZQ',
      headers: { 'x-vanthu-identity': kit.assertionFor(clerkOf(agencyA)) },
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0].field).toBe('querystring.cursor');
    const badAgency = await report('2026-11', clerkOf(agencyA), 'UBND');
    expect(badAgency.statusCode).toBe(400);
    const unknown = await app.inject({
      method: 'GET',
      url: '/v1/reports/compliance?month=2026-11&foo=1',
      headers: { 'x-vanthu-identity': kit.assertionFor(clerkOf(agencyA)) },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toEqual({ field: 'querystring.foo', message: 'unknown field' });
  });
});
