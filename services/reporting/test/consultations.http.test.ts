import { randomUUID } from 'node:crypto';
import type { CloudEvent, Identity, ServiceApp } from '@vanthu/platform';
import type { ConsultationAnsweredV1, ConsultationClosedV1, ConsultationOpenedV1 } from '@vanthu/contracts';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { startReporting } from './reporting-harness';
import type { ReportingHarness } from './reporting-harness';
import { createIdentityKit } from '../../../test/support/identities';
import { projectEvents } from './projected-events';

// Consultations on time from routing's consultation events: every member asked counts, a member who let the
// deadline pass without answering counts as late, one whose deadline is still ahead does not count yet.

const kit = createIdentityKit();
const agency = '000.00.01.H59';
const other = '000.00.02.H59';
const clerk: Identity = { userId: 'van-thu', agencyCode: agency, roles: ['clerk'] };
const collector: Identity = { userId: 'so-khcn', agencyCode: '000.00.00.H59', roles: ['report-collector'] };
let fixture: ServiceFixture;
let app: ServiceApp;
let harness: ReportingHarness;

const event = (type: string, data: unknown): CloudEvent => ({
  specversion: '1.0',
  id: randomUUID(),
  source: '/vanthu/routing',
  type,
  time: '2026-11-01T00:00:00Z',
  datacontenttype: 'application/json',
  extensions: {},
  data,
});
const opened = (id: string, agencyCode: string, members: string[], openedAt: string, dueAt: string) =>
  event('vn.vanthu.consultation.opened.v1', {
    consultationId: id,
    agencyCode,
    documentId: id,
    members,
    completion: 'all',
    dueAt,
    openedBy: 'chuyen-vien',
    openedAt,
  } satisfies ConsultationOpenedV1);
const answered = (id: string, agencyCode: string, member: string, dueAt: string, onTime: boolean, at: string) =>
  event('vn.vanthu.consultation.answered.v1', {
    consultationId: id,
    agencyCode,
    documentId: id,
    memberUserId: member,
    answer: 'agree',
    dueAt,
    onTime,
    answeredAt: at,
  } satisfies ConsultationAnsweredV1);
const closed = (id: string, agencyCode: string, dueAt: string, at: string, unanswered: string[]) =>
  event('vn.vanthu.consultation.closed.v1', {
    consultationId: id,
    agencyCode,
    documentId: id,
    reason: 'closed-by-opener',
    tally: { agree: 2, disagree: 0, comments: 0 },
    unanswered,
    dueAt,
    closedAt: at,
  } satisfies ConsultationClosedV1);

const deliver = async (events: CloudEvent[]) => {
  for (const e of events) await projectEvents(fixture.pool, [e]);
};

beforeAll(async () => {
  harness = await startReporting('reporting-consultations', { kit, clock: () => new Date('2026-12-05T03:00:00Z') });
  ({ fixture, app } = harness);
  const [c1, c2, c3, c4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const due1 = '2026-11-10T10:00:00Z';
  const due2 = '2026-12-20T10:00:00Z';
  const lateAnswer = answered(c1, agency, 'm2', due1, false, '2026-11-12T03:00:00Z');
  const earlyAnswer = answered(c2, agency, 'm1', due2, true, '2026-11-22T03:00:00Z');
  await deliver([
    // c1 (November, deadline passed): m1 on time, m2 late, m3 never answered.
    opened(c1, agency, ['m1', 'm2', 'm3'], '2026-11-05T03:00:00Z', due1),
    answered(c1, agency, 'm1', due1, true, '2026-11-08T03:00:00Z'),
    lateAnswer,
    closed(c1, agency, due1, '2026-11-15T03:00:00Z', ['m3']),
    // c2 (November, deadline in December): m1's answer arrives before the opening; m2 is not due yet.
    earlyAnswer,
    opened(c2, agency, ['m1', 'm2'], '2026-11-20T03:00:00Z', due2),
    // Replayed answers (a rebuild, a redelivery) change nothing.
    lateAnswer,
    earlyAnswer,
    // c3 opened in October: another month. c4: another agency.
    opened(c3, agency, ['m1'], '2026-10-20T03:00:00Z', '2026-10-25T03:00:00Z'),
    opened(c4, other, ['x1', 'x2'], '2026-11-06T03:00:00Z', due1),
    answered(c4, other, 'x1', due1, true, '2026-11-07T03:00:00Z'),
  ]);
});
afterAll(async () => {
  await harness?.close();
});

const get = async (url: string, identity: Identity) => {
  const response = await app.inject({
    method: 'GET',
    url,
    headers: { 'x-vanthu-identity': kit.assertionFor(identity) },
  });
  expect(response.statusCode).toBe(200);
  return response.json();
};

it('counts consultation answers on time over the members due, late and unanswered included', async () => {
  const report = await get('/v1/reports/compliance?month=2026-11', clerk);
  expect(report.definitionsVersion).toBe('2026.4');
  // On time: c1 m1 and c2 m1. Due: c1's three members (deadline passed) and c2's m1 (answered); c2 m2 not yet.
  expect(report.figures.consultationsOnTime).toMatchObject({ numerator: 2, denominator: 4, ratio: 0.5, percent: 50 });
  const october = await get('/v1/reports/compliance?month=2026-10', clerk);
  expect(october.figures.consultationsOnTime).toMatchObject({ numerator: 0, denominator: 1 });
  const province = await get('/v1/reports/province?month=2026-11', collector);
  expect(province.province.figures.consultationsOnTime).toMatchObject({ numerator: 3, denominator: 6 });
  const rows = await fixture.pool.query('SELECT count(*)::int AS n FROM consultation_member_facts');
  expect(rows.rows[0].n).toBe(8); // 3 + 2 + 1 + 2 members, each once
});
