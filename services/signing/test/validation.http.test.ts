import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ServiceApp } from '@vanthu/platform';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, clerkOf, createIdentityKit } from '../../../test/support/identities';
import { multipartBody } from '../../../test/support/multipart';
import { buildApp } from '../src/app';
import { DocumentsClient } from '../src/clients/documents-client';
import { migrationsDir } from '../src/config';
import type { ValidationDeps } from '../src/validations/validation-deps';
import { HsmConnection, readPin } from '../src/hsm/hsm-connection';
import { IsolatedValidator } from '../src/validation/isolated-validator';
import type { TrustStore } from '../src/validation/trust-store';
import { congVan, signAs, testTrustStore } from './fixtures/validation-support';
import { pageTreeLoop } from './fixtures/hostile-pdfs';
import { fontPath, infra } from './support';

const kit = createIdentityKit();
const headers = { 'x-vanthu-identity': kit.assertionFor(clerkOf(agencyA)) };
let fx: ServiceFixture;
let hsm: HsmConnection;
const validators: IsolatedValidator[] = [];
const apps: ServiceApp[] = [];
let signedLt: Buffer;
let signedBb: Buffer;

async function appWith(trust: TrustStore, maxFileBytes = 20 * 1024 * 1024): Promise<ServiceApp> {
  const validator = new IsolatedValidator({
    workers: 1,
    parseTimeoutMs: 5_000,
    networkTimeoutMs: 15_000,
    maxHeapMb: 256,
  });
  validators.push(validator);
  const validation: ValidationDeps = {
    pool: fx.pool,
    documents: new DocumentsClient('http://127.0.0.1:9'),
    validator,
    trust,
    defaults: {
      revocation: { mode: 'online', timeoutMs: 5_000, cacheSeconds: 60 },
      modificationPolicy: 'indeterminate',
      sha1AcceptedUntil: null,
    },
    maxFileBytes,
    cacheSeconds: 3_600,
    fontPath,
    topicPrefix: '',
    source: '/vanthu/signing',
  };
  const app = await buildApp({ logger: fx.logger, identityPublicKey: kit.publicKeyPem, hsm, validation });
  apps.push(app);
  return app;
}

const post = (app: ServiceApp, parts: Parameters<typeof multipartBody>[0], query = '') => {
  const { body, contentType } = multipartBody(parts);
  return app.inject({
    method: 'POST',
    url: `/v1/validations${query}`,
    headers: { ...headers, 'content-type': contentType },
    payload: body,
  });
};
const pdfPart = (bytes: Buffer) => ({
  name: 'file',
  value: bytes,
  filename: 'van-ban.pdf',
  contentType: 'application/pdf',
});

let app: ServiceApp;
beforeAll(async () => {
  fx = await serviceFixture('signing-validation', migrationsDir);
  hsm = new HsmConnection({
    modulePath: infra.hsm.modulePath,
    tokenLabel: infra.hsm.tokenLabel,
    pin: readPin(infra.hsm.pinFile),
    poolSize: 1,
  });
  hsm.open();
  app = await appWith(testTrustStore());
  signedLt = await signAs(await congVan(), 'nguyen-van-an', 'B-LT');
  signedBb = await signAs(await congVan(), 'nguyen-van-an', 'B-B');
});
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const v of validators) await v.close();
  hsm.close();
  await fx.close();
});

describe('POST /v1/validations', () => {
  it('a B-LT document of ours: 200 with TOTAL_PASSED, its level, signer, chain and a stored report id', async () => {
    const res = await post(app, [pdfPart(signedLt)]);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ verdict: 'TOTAL_PASSED', revocationMode: 'online' });
    expect(report.reportId).toMatch(/^[0-9a-f-]{36}$/);
    expect(report.signatures[0]).toMatchObject({
      indication: 'TOTAL_PASSED',
      level: 'B-LT',
      signer: { name: 'Nguyễn Văn An' },
      coversWholeFile: false,
    });
    expect(Object.keys(report.timings)).toEqual(
      expect.arrayContaining(['parse', 'digest', 'cms', 'chain', 'revocation', 'modifications']),
    );
  });

  it('the same bytes again are served from the stored report; a signature this service applied shows its workflow role', async () => {
    const first = (await post(app, [pdfPart(signedBb)])).json();
    const sig = first.signatures[0];
    await fx.pool.query(
      `INSERT INTO signatures (id, agency_code, document_id, kind, level, signed_version, version, sha256, field_name, certificate_sha256, certificate_subject) VALUES ($1, $2, $3, 'approval', 'B-B', 1, 2, $4, $5, $6, 'CN=x')`,
      [randomUUID(), agencyA, randomUUID(), first.sha256, sig.fieldName, sig.chain[0].sha256],
    );
    const second = (await post(app, [pdfPart(signedBb)])).json();
    expect(second.reportId).toBe(first.reportId);
    expect(second.signatures[0].workflowRole).toBe('approval');
  });

  it('revocation=offline: a B-B signature without embedded revocation data is INDETERMINATE/TRY_LATER', async () => {
    const res = await post(app, [pdfPart(signedBb), { name: 'revocation', value: 'offline' }]);
    expect(res.json()).toMatchObject({
      verdict: 'INDETERMINATE',
      revocationMode: 'offline',
      signatures: [{ subIndication: 'TRY_LATER' }],
    });
  });

  it('validationTime before the signer certificate existed: not passed', async () => {
    const res = await post(app, [pdfPart(signedBb), { name: 'validationTime', value: '2001-01-01T00:00:00+07:00' }]);
    expect(res.statusCode).toBe(200);
    expect(res.json().verdict).not.toBe('TOTAL_PASSED');
    expect(res.json().validationTime).toBe('2000-12-31T17:00:00.000Z');
  });

  it('trustAnchors: an unknown root is NO_CERTIFICATE_CHAIN_FOUND; the same root sent as trustAnchors passes, for that request only', async () => {
    const bare = await appWith({ anchors: [], intermediates: [] });
    expect((await post(bare, [pdfPart(signedLt)])).json().signatures[0]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
    });
    const root = fs.readFileSync(infra.pki.rootCert, 'utf8');
    const withRoot = await post(bare, [pdfPart(signedLt), { name: 'trustAnchors', value: root }]);
    expect(withRoot.json().verdict).toBe('TOTAL_PASSED');
    expect((await post(bare, [pdfPart(signedLt)])).json().verdict).toBe('INDETERMINATE');
  });

  it('?format=pdf: a Vietnamese PDF report that pdftotext reads back', async () => {
    const res = await post(app, [pdfPart(signedLt)], '?format=pdf');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const file = path.join(fx.tempDir, 'report.pdf');
    fs.writeFileSync(file, res.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).normalize('NFC');
    expect(text).toContain('BÁO CÁO KIỂM TRA CHỮ KÝ SỐ');
    expect(text).toContain('Kết luận: HỢP LỆ');
    expect(text).toContain('Nguyễn Văn An');
    expect(text).toContain('Mức chữ ký PAdES: B-LT');
  });

  it('a hostile file (page-tree loop) is a 200 report with TOTAL_FAILED/FORMAT_FAILURE, and the service keeps answering', async () => {
    const res = await post(app, [pdfPart(pageTreeLoop())]);
    expect(res.json()).toMatchObject({ verdict: 'TOTAL_FAILED', verdictSubIndication: 'FORMAT_FAILURE' });
    expect((await post(app, [pdfPart(signedBb)])).statusCode).toBe(200);
  });

  it.each([
    ['no file', [{ name: 'revocation', value: 'online' }], 400, 'file'],
    ['bad trustAnchors', [{ name: 'trustAnchors', value: 'not a certificate' }], 400, 'trustAnchors'],
    ['bad validationTime', [{ name: 'validationTime', value: 'yesterday' }], 400, 'validationTime'],
    ['bad revocation', [{ name: 'revocation', value: 'sometimes' }], 400, 'revocation'],
    ['unknown field', [{ name: 'policy', value: 'lenient' }], 400, 'policy'],
  ] as const)('%s: problem+json %s naming the field', async (_name, extra, status, field) => {
    const parts = _name === 'no file' ? [...extra] : [pdfPart(signedBb), ...extra];
    const res = await post(app, parts);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(res.json().errors ?? res.json())).toContain(field);
  });

  it('not a PDF: 415; larger than the limit: 413; nothing stored for either', async () => {
    const before = (await fx.pool.query('SELECT count(*)::int AS n FROM validation_reports')).rows[0].n as number;
    const png = await post(app, [
      {
        name: 'file',
        value: Buffer.from('\x89PNG\r\n\x1a\n0000', 'latin1'),
        filename: 'x.png',
        contentType: 'image/png',
      },
    ]);
    expect(png.statusCode).toBe(415);
    const small = await appWith(testTrustStore(), 4096);
    const big = await post(small, [pdfPart(signedBb)]);
    expect(big.statusCode).toBe(413);
    expect((await fx.pool.query('SELECT count(*)::int AS n FROM validation_reports')).rows[0].n).toBe(before);
  });
});
