import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createServiceIdentitySigner } from '@vanthu/platform';
import type { Identity, ServiceApp } from '@vanthu/platform';
import { SigningReportSealer } from '../src/adapters/report-sealer';
import { migrationsDir as signingMigrations } from '../../signing/src/config';
import { startSealingSigning } from '../../signing/test/sealing-service';
import type { SealingSigning } from '../../signing/test/sealing-service';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { reportCollector, startReporting } from './reporting-harness';
import type { ReportingHarness } from './reporting-harness';
import { documentCreated, projectEvents } from './projected-events';
import { agencyA, agencyB, createIdentityKit } from '../../../test/support/identities';
import { PDFDocument } from 'pdf-lib';
import { figuresDigest } from '../src/rendering/figures-digest';

// Item 7 of issue 14: the monthly report goes to the Sở KH&CN sealed with the agency's organisation signature. The
// real signing service seals it with the agency's key in SoftHSM; reporting asks as service:reporting, and signing
// seals nothing else for it. A and B hold seal keys in the test HSM, C does not.
const agencyC = '000.00.77.H99';
const kit = createIdentityKit();
const serviceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const servicePrivateKey = serviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const reportingIdentity = createServiceIdentitySigner(servicePrivateKey, 'reporting');
const exchangeIdentity = createServiceIdentitySigner(servicePrivateKey, 'exchange');
const clerk = (agencyCode: string): Identity => ({ userId: `van-thu-${agencyCode}`, agencyCode, roles: ['clerk'] });
const collector = reportCollector('000.00.00.H57');
const now = new Date('2026-12-01T01:00:00Z'); // 08:00 on Tuesday 1 December in Hà Nội: the first working day

let fixture: ServiceFixture;
let signingFixture: ServiceFixture;
let signing: SealingSigning;
let signingApp: ServiceApp;
let harness: ReportingHarness;
let sealer: SigningReportSealer;

const pdfsig = (pdf: Buffer): string => {
  const file = path.join(fixture.tempDir, `${randomUUID()}.pdf`);
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync('pdfsig', [file], { encoding: 'utf8' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? '');
  }
};

const call = (...request: Parameters<ReportingHarness['call']>) => harness.call(...request);

const askSigning = (assertion: string, body: { kind: string; month: string; pdf: Buffer }) =>
  signingApp.inject({
    method: 'POST',
    url: '/v1/service-seals',
    headers: { 'x-vanthu-identity': assertion },
    payload: { ...body, pdf: body.pdf.toString('base64') },
  });

const storedPdf = async (agencyCode: string): Promise<Buffer> => {
  const response = await call('GET', `/v1/reports/submissions/${agencyCode}/2026-11/pdf`, collector);
  expect(response.statusCode).toBe(200);
  return response.rawPayload;
};

beforeAll(async () => {
  signingFixture = await serviceFixture('reporting-seal-signing', signingMigrations);
  signing = await startSealingSigning({
    fixture: signingFixture,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey: serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    documentsUrl: 'http://127.0.0.1:9',
  });
  signingApp = signing.app;
  sealer = new SigningReportSealer(signing.url, reportingIdentity);
  harness = await startReporting('reporting-seal', { kit, clock: () => now, sealer });
  fixture = harness.fixture;
  // November: A creates 2 outgoing documents, B 1, C 1.
  for (const [agency, count] of [
    [agencyA, 2],
    [agencyB, 1],
    [agencyC, 1],
  ] as const)
    for (let i = 0; i < count; i += 1)
      await projectEvents(fixture.pool, [documentCreated(agency, `2026-11-1${i}T03:00:00Z`)]);
}, 60_000);
afterAll(async () => {
  await signing?.close();
  await harness?.close();
  await signingFixture?.close();
});

describe('the monthly report sealed with the agency’s organisation signature', () => {
  it('seals the agency’s own submission: pdfsig shows one valid PAdES signature by A’s seal', async () => {
    const response = await call('POST', '/v1/reports/submissions', clerk(agencyA), { month: '2026-11' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.report.documents.outgoing).toBe(2);
    expect(body.seal).toMatchObject({ level: 'B-LT', certificateSubject: expect.stringContaining(agencyA) });
    const pdf = await storedPdf(agencyA);
    expect(body.sha256).toBe((await import('node:crypto')).createHash('sha256').update(pdf).digest('hex'));
    const report = pdfsig(pdf);
    expect(report.match(/^Signature #\d+:/gm)).toHaveLength(1);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    // B-LT: the revocation data follow in a DSS update after the signed revision (so "Not total document signed").
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain(`serialNumber=${agencyA}`);
    // The figures are still in the sealed file.
    const file = path.join(fixture.tempDir, 'sealed-a.pdf');
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString('utf8');
    expect(text).toContain(agencyA);
    expect(text).toContain('Báo cáo tháng 11/2026');
    // The seal covers the figures: the sealed file's Keywords carry the digest of the submission's figures, which a
    // report recomputed now from the projections gives again, and which a changed figure does not.
    const keywords = ((await PDFDocument.load(pdf, { updateMetadata: false })).getKeywords() ?? '').split(/\s+/);
    const sealedDigest = keywords.find((k) => k.startsWith('figures-sha256='))?.slice('figures-sha256='.length);
    expect(sealedDigest).toBe(figuresDigest(body.report));
    const recomputed = await call('GET', `/v1/reports/compliance?month=2026-11&agency=${agencyA}`, collector);
    expect(figuresDigest(recomputed.json())).toBe(sealedDigest);
    const changed = structuredClone(body.report);
    changed.figures.personallySigned.numerator += 1;
    expect(figuresDigest(changed)).not.toBe(sealedDigest);
  });

  it('shows the collector who has and has not submitted; the month-start job seals B and leaves C, which has no seal key, for its next run', async () => {
    const before = (await call('GET', '/v1/reports/submissions?month=2026-11', collector)).json();
    expect(before).toMatchObject({ submitted: 1, notSubmitted: 2 });
    expect(before.agencies.map((a: { agencyCode: string; submitted: boolean }) => [a.agencyCode, a.submitted])).toEqual(
      [
        [agencyA, true],
        [agencyB, false],
        [agencyC, false],
      ],
    );

    const worker = harness.worker();
    await worker.runOnce();
    const after = (await call('GET', '/v1/reports/submissions?month=2026-11', collector)).json();
    expect(after).toMatchObject({ submitted: 2, notSubmitted: 1, run: { completedAt: null } });
    const byAgency = new Map(
      after.agencies.map((a: { agencyCode: string }) => [a.agencyCode, a]) as [string, Record<string, unknown>][],
    );
    expect(byAgency.get(agencyB)).toMatchObject({
      submitted: true,
      latest: { trigger: 'scheduled', seal: { certificateSubject: expect.stringContaining(agencyB) } },
    });
    expect(byAgency.get(agencyC)).toMatchObject({ submitted: false, latest: null });
    const sealedB = pdfsig(await storedPdf(agencyB));
    expect(sealedB).toContain('Signature Validation: Signature is Valid.');
    expect(sealedB).toContain(`serialNumber=${agencyB}`);
    // Signing recorded exactly the two seals it made, each for the agency and month it was asked.
    const seals = await signingFixture.pool.query(
      'SELECT agency_code, service, kind, subject FROM service_seals ORDER BY agency_code',
    );
    expect(seals.rows).toEqual([
      { agency_code: agencyA, service: 'service:reporting', kind: 'monthly-report', subject: '2026-11' },
      { agency_code: agencyB, service: 'service:reporting', kind: 'monthly-report', subject: '2026-11' },
    ]);
  }, 60_000);

  it('seals for reporting only its own monthly report of the agency its identity names', async () => {
    const exported = await call('GET', `/v1/reports/export?month=2026-11&format=pdf&agency=${agencyB}`, collector);
    expect(exported.statusCode).toBe(200);
    const reportB = exported.rawPayload;
    // Another service, a clerk through the gateway's assertion: not allowed.
    expect(
      (await askSigning(exchangeIdentity(agencyB), { kind: 'monthly-report', month: '2026-11', pdf: reportB }))
        .statusCode,
    ).toBe(403);
    expect(
      (await askSigning(kit.assertionFor(clerk(agencyB)), { kind: 'monthly-report', month: '2026-11', pdf: reportB }))
        .statusCode,
    ).toBe(403);
    // B's report under A's identity, or for another month: refused.
    expect(
      (await askSigning(reportingIdentity(agencyA), { kind: 'monthly-report', month: '2026-11', pdf: reportB }))
        .statusCode,
    ).toBe(422);
    expect(
      (await askSigning(reportingIdentity(agencyB), { kind: 'monthly-report', month: '2026-10', pdf: reportB }))
        .statusCode,
    ).toBe(422);
    // A file that is not a report (the province's export carries no agency), or one already signed: refused.
    const province = (await call('GET', '/v1/reports/export?month=2026-11&format=pdf', collector)).rawPayload;
    expect(
      (await askSigning(reportingIdentity(agencyB), { kind: 'monthly-report', month: '2026-11', pdf: province }))
        .statusCode,
    ).toBe(422);
    const sealed = await storedPdf(agencyB);
    expect(
      (await askSigning(reportingIdentity(agencyB), { kind: 'monthly-report', month: '2026-11', pdf: sealed }))
        .statusCode,
    ).toBe(422);
    // The same request as B's own: sealed.
    const own = await askSigning(reportingIdentity(agencyB), {
      kind: 'monthly-report',
      month: '2026-11',
      pdf: reportB,
    });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ agencyCode: agencyB, month: '2026-11', level: 'B-LT' });
    const count = await signingFixture.pool.query('SELECT count(*)::int AS n FROM service_seals');
    expect(count.rows[0]?.n).toBe(3);
  }, 60_000);
});
