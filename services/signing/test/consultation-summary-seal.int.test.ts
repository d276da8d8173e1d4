import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { createServiceIdentitySigner } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { BlobStore, buildApp as buildDocuments, migrationsDir as documentsMigrations } from '@vanthu/documents';
import { migrationsDir } from '../src/config';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, agencyB, clerkOf, createIdentityKit } from '../../../test/support/identities';
import { documentUpload } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';
import { startSealingSigning } from './sealing-service';
import type { SealingSigning } from './sealing-service';
import { pdfsig } from './support';

// Signing's service seal on routing's summary of a consultation's answers (kind consultation-summary): signing reads
// the summary from documents with routing's own identity and seals it with the agency's organisation key only when
// routing made that document and version, it is the current version, unsigned, and its Keywords say it is that
// agency's summary of that consultation. The real documents service holds the files; the real HSM seals.

const kit = createIdentityKit();
const serviceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const servicePrivateKey = serviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const routingFor = createServiceIdentitySigner(servicePrivateKey, 'routing');
const reportingFor = createServiceIdentitySigner(servicePrivateKey, 'reporting');

let documentsFixture: ServiceFixture;
let signingFixture: ServiceFixture;
let documents: ServiceApp;
let signing: SealingSigning;

beforeAll(async () => {
  documentsFixture = await serviceFixture('summary_seal_doc', documentsMigrations);
  signingFixture = await serviceFixture('summary_seal_sig', migrationsDir);
  const blobs = new BlobStore(path.join(documentsFixture.tempDir, 'blobs'));
  await blobs.init();
  documents = await buildDocuments({
    logger: documentsFixture.logger,
    pool: documentsFixture.pool,
    blobs,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey: serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    topicPrefix: 'test.',
    maxUploadBytes: 4 * 1024 * 1024,
  });
  const documentsUrl = await documents.listen({ host: '127.0.0.1', port: 0 });
  signing = await startSealingSigning({
    fixture: signingFixture,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey: serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    documentsUrl,
  });
}, 120_000);
afterAll(async () => {
  await signing?.close();
  await documents?.close();
  await signingFixture?.close();
  await documentsFixture?.close();
});

/** A PDF whose Keywords say what routing writes in a consultation's summary. */
async function summaryPdf(agencyCode: string, consultationId: string): Promise<Buffer> {
  const pdf = await PDFDocument.load(await makePdf(`tong-hop-${consultationId}`, 1));
  pdf.setKeywords(['vanthu-consultation-summary', `agency=${agencyCode}`, `consultation=${consultationId}`]);
  return Buffer.from(await pdf.save());
}

/** Stores a PDF in documents as `assertion`'s document; returns its id. */
async function store(assertion: string, pdf: Buffer): Promise<string> {
  const { body, contentType } = documentUpload(pdf, { direction: 'internal', subject: 'Tổng hợp ý kiến' });
  const response = await documents.inject({
    method: 'POST',
    url: '/v1/documents',
    headers: { 'x-vanthu-identity': assertion, 'content-type': contentType },
    payload: body,
  });
  expect(response.statusCode).toBe(201);
  return response.json().id as string;
}

async function addVersion(assertion: string, documentId: string, pdf: Buffer, kind: string, basedOnVersion: number) {
  const { body, contentType } = documentUpload(pdf, { kind, basedOnVersion });
  const response = await documents.inject({
    method: 'POST',
    url: `/v1/documents/${documentId}/versions`,
    headers: { 'x-vanthu-identity': assertion, 'content-type': contentType },
    payload: body,
  });
  expect(response.statusCode).toBe(201);
}

const seal = (assertion: string, body: Record<string, unknown>) =>
  signing.app.inject({
    method: 'POST',
    url: '/v1/service-seals',
    headers: { 'x-vanthu-identity': assertion },
    payload: body,
  });

it('seals routing’s summary of the agency with the agency’s seal: pdfsig finds one valid signature', async () => {
  const consultationId = randomUUID();
  const original = await summaryPdf(agencyA, consultationId);
  const documentId = await store(routingFor(agencyA), original);
  const response = await seal(routingFor(agencyA), {
    kind: 'consultation-summary',
    consultationId,
    documentId,
    version: 1,
  });
  expect(response.statusCode).toBe(201);
  const sealed = response.json();
  expect(sealed).toMatchObject({
    agencyCode: agencyA,
    kind: 'consultation-summary',
    consultationId,
    documentId,
    version: 1,
    level: 'B-LT',
    certificateSubject: expect.stringContaining(agencyA),
  });
  const bytes = Buffer.from(sealed.pdf, 'base64');
  expect(bytes.subarray(0, original.length).equals(original)).toBe(true); // an incremental update of the summary
  const file = path.join(signingFixture.tempDir, 'tong-hop-y-kien.pdf');
  fs.writeFileSync(file, bytes);
  const signatures = pdfsig(file);
  expect(signatures).toHaveLength(1);
  expect(signatures[0]?.valid).toBe(true);
  const { rows } = await signingFixture.pool.query(
    'SELECT agency_code, service, kind, subject FROM service_seals WHERE sha256 = $1',
    [sealed.sha256],
  );
  expect(rows).toEqual([
    {
      agency_code: agencyA,
      service: 'service:routing',
      kind: 'consultation-summary',
      subject: `${consultationId}/${documentId}@1`,
    },
  ]);

  // Stored as the next version, the sealed summary is not sealed again.
  await addVersion(routingFor(agencyA), documentId, bytes, 'signature', 1);
  const again = await seal(routingFor(agencyA), {
    kind: 'consultation-summary',
    consultationId,
    documentId,
    version: 2,
  });
  expect(again.statusCode).toBe(422);
  expect(again.json().detail).toMatch(/signed already/);
  // And the version it was asked for is no longer the current one.
  const stale = await seal(routingFor(agencyA), {
    kind: 'consultation-summary',
    consultationId,
    documentId,
    version: 1,
  });
  expect(stale.statusCode).toBe(409);
});

it('refuses another service, another kind, another agency’s document, a document routing did not make, another consultation', async () => {
  const consultationId = randomUUID();
  const documentId = await store(routingFor(agencyA), await summaryPdf(agencyA, consultationId));
  const body = { kind: 'consultation-summary', consultationId, documentId, version: 1 };
  // Reporting may have its monthly reports sealed, not routing's summaries.
  const wrongService = await seal(reportingFor(agencyA), body);
  expect(wrongService.statusCode).toBe(403);
  expect(wrongService.json().detail).toMatch(/service:reporting may not have a consultation-summary sealed/);
  // Routing may not have a monthly report sealed.
  const wrongKind = await seal(routingFor(agencyA), {
    kind: 'monthly-report',
    month: '2026-11',
    pdf: (await makePdf('bao-cao', 1)).toString('base64'),
  });
  expect(wrongKind.statusCode).toBe(403);
  expect(wrongKind.json().detail).toMatch(/service:routing may not have a monthly-report sealed/);
  // A user is no service.
  expect((await seal(kit.assertionFor(clerkOf(agencyA)), body)).statusCode).toBe(403);

  // B's summary, asked for with routing's identity for A: documents does not find it for A.
  const otherConsultation = randomUUID();
  const ofB = await store(routingFor(agencyB), await summaryPdf(agencyB, otherConsultation));
  const otherAgency = await seal(routingFor(agencyA), { ...body, consultationId: otherConsultation, documentId: ofB });
  expect(otherAgency.statusCode).toBe(404);
  // A file whose Keywords claim another agency, stored by routing for A, is not A's summary either.
  const claimsB = await store(routingFor(agencyA), await summaryPdf(agencyB, consultationId));
  const wrongAgency = await seal(routingFor(agencyA), { ...body, documentId: claimsB });
  expect(wrongAgency.statusCode).toBe(422);
  expect(wrongAgency.json().detail).toMatch(/not the summary of consultation/);

  // A clerk's upload that copies routing's Keywords: routing did not make it.
  const byClerk = await store(kit.assertionFor(clerkOf(agencyA)), await summaryPdf(agencyA, consultationId));
  const notRoutings = await seal(routingFor(agencyA), { ...body, documentId: byClerk });
  expect(notRoutings.statusCode).toBe(422);
  expect(notRoutings.json().detail).toMatch(/not a document service:routing made/);
  // Routing's summary of this consultation, named as another consultation's.
  const another = await seal(routingFor(agencyA), { ...body, consultationId: randomUUID() });
  expect(another.statusCode).toBe(422);
  // A body that is neither kind.
  expect((await seal(routingFor(agencyA), { kind: 'consultation-summary', documentId })).statusCode).toBe(400);
  // Nothing was sealed by any refusal.
  const { rows } = await signingFixture.pool.query(
    'SELECT count(*)::int AS n FROM service_seals WHERE subject LIKE $1',
    [`%${documentId}%`],
  );
  expect(rows).toEqual([{ n: 0 }]);
});
