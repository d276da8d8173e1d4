import { randomUUID } from 'node:crypto';
import type { Identity, ServiceApp } from '@vanthu/platform';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { startReporting } from './reporting-harness';
import type { ReportingHarness } from './reporting-harness';
import { createIdentityKit } from '../../../test/support/identities';
import { documentCreated, documentIssued, projectEvents } from './projected-events';

// Reports are an agency's own (issue 16, tenancy): only the Sở KH&CN's report-collector sees every agency. An agency's
// admin administers its own agency, so another agency's figures, findings (the documents behind them, by id), export
// and submitted PDF are 404 to it, its lists hold only its own agency, and the province side by side is 403.

const kit = createIdentityKit();
const agencyA = '000.00.01.H58';
const agencyB = '000.00.02.H58';
const adminB: Identity = { userId: 'quan-tri-b', agencyCode: agencyB, roles: ['admin', 'clerk', 'specialist'] };
const clerkA: Identity = { userId: 'van-thu-a', agencyCode: agencyA, roles: ['clerk'] };
const collector: Identity = { userId: 'so-khcn', agencyCode: '000.00.00.H58', roles: ['report-collector'] };
const now = new Date('2026-12-02T03:00:00Z');
const documentsOf: Record<string, string[]> = { [agencyA]: [], [agencyB]: [] };
let fixture: ServiceFixture;
let app: ServiceApp;
let harness: ReportingHarness;

/** An outgoing document created and issued in November without any signature: a finding of both kinds. */
async function issuedUnsigned(agencyCode: string, day: number): Promise<void> {
  const documentId = randomUUID();
  const at = `2026-11-${String(day).padStart(2, '0')}T03:00:00Z`;
  await projectEvents(fixture.pool, [
    documentCreated(agencyCode, at, { documentId, subject: 'Công văn' }),
    documentIssued(agencyCode, documentId, `${day}/UBND-VP`, at),
  ]);
  documentsOf[agencyCode]?.push(documentId);
}

const get = (url: string, identity: Identity) =>
  app.inject({ method: 'GET', url, headers: { 'x-vanthu-identity': kit.assertionFor(identity) } });

beforeAll(async () => {
  harness = await startReporting('reporting-tenancy', { kit, clock: () => now });
  ({ fixture, app } = harness);
  await issuedUnsigned(agencyA, 10);
  await issuedUnsigned(agencyA, 11);
  await issuedUnsigned(agencyB, 12);
  const submitted = await app.inject({
    method: 'POST',
    url: '/v1/reports/submissions',
    headers: { 'x-vanthu-identity': kit.assertionFor(clerkA) },
    payload: { month: '2026-11' },
  });
  expect(submitted.statusCode).toBe(201);
});
afterAll(async () => {
  await harness?.close();
});

const findings = '/v1/reports/findings?month=2026-11&kind=without-organisation-signature';
const idsIn = (body: { items: { documentId: string }[] }) => body.items.map((i) => i.documentId).sort();

describe("another agency's reports, to an agency's admin", () => {
  it('are 404 when named, and absent from its lists; the collector sees them', async () => {
    for (const url of [
      `/v1/reports/compliance?month=2026-11&agency=${agencyA}`,
      `${findings}&agency=${agencyA}`,
      `/v1/reports/export?month=2026-11&format=csv&agency=${agencyA}`,
      `/v1/reports/submissions/${agencyA}/2026-11/pdf`,
    ]) {
      const refused = await get(url, adminB);
      expect([url, refused.statusCode]).toEqual([url, 404]);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await get(url, collector)).statusCode).toBe(200);
    }
    // Its own lists hold its own agency only.
    expect(idsIn((await get(findings, adminB)).json())).toEqual([...(documentsOf[agencyB] ?? [])].sort());
    const exported = (await get('/v1/reports/export?month=2026-11&format=csv', adminB)).body;
    expect(exported).toContain(agencyB);
    expect(exported).not.toContain(agencyA);
    const submissions = (await get('/v1/reports/submissions?month=2026-11', adminB)).json();
    expect(submissions.agencies.map((a: { agencyCode: string }) => a.agencyCode)).toEqual([agencyB]);
    // The collector's own lists hold the province.
    expect(idsIn((await get(findings, collector)).json())).toEqual(
      [...(documentsOf[agencyA] ?? []), ...(documentsOf[agencyB] ?? [])].sort(),
    );
  });

  it('refuses the province side by side with 403', async () => {
    const refused = await get('/v1/reports/province?month=2026-11', adminB);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await get('/v1/reports/province?month=2026-11', collector)).statusCode).toBe(200);
  });
});
