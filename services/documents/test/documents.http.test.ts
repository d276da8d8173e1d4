import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../src/app';
import { migrationsDir } from '../src/config';
import { BlobStore } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, agencyB, clerkOf, createIdentityKit } from '../../../test/support/identities';
import { documentUpload, multipartBody } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';

const kit = createIdentityKit();
const asA = { 'x-vanthu-identity': kit.assertionFor(clerkOf(agencyA)) };
const asB = { 'x-vanthu-identity': kit.assertionFor(clerkOf(agencyB)) };
const subject = 'Về việc triển khai chữ ký số chuyên dùng công vụ trên địa bàn tỉnh';

let fixture: ServiceFixture;
let app: ServiceApp;
let blobDir: string;

beforeAll(async () => {
  fixture = await serviceFixture('documents', migrationsDir);
  blobDir = path.join(fixture.tempDir, 'blobs');
  const blobs = new BlobStore(blobDir);
  await blobs.init();
  app = await buildApp({
    logger: fixture.logger,
    pool: fixture.pool,
    blobs,
    identityPublicKey: kit.publicKeyPem,
    topicPrefix: 'test.',
    maxUploadBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await app.close();
  await fixture.close();
});

async function upload(pdf: Buffer, metadata: unknown, headers: Record<string, string> = asA) {
  const { body, contentType } = documentUpload(pdf, metadata);
  return app.inject({
    method: 'POST',
    url: '/v1/documents',
    headers: { ...headers, 'content-type': contentType },
    payload: body,
  });
}

describe('POST /v1/documents and reading it back', () => {
  it('stores the PDF, returns version 1 and gives back the exact bytes', async () => {
    const pdf = await makePdf('roundtrip');
    const created = await upload(pdf, { direction: 'outgoing', subject, urgency: 'urgent' });
    expect(created.statusCode).toBe(201);
    const document = created.json();
    expect(created.headers.location).toBe(`/v1/documents/${document.id}`);
    expect(document).toMatchObject({
      agencyCode: agencyA,
      direction: 'outgoing',
      subject,
      urgency: 'urgent',
      status: 'draft',
      currentVersion: 1,
    });
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(document.versions).toEqual([
      expect.objectContaining({
        version: 1,
        sha256,
        mediaType: 'application/pdf',
        sizeBytes: pdf.length,
        fileName: 'cong-van.pdf',
      }),
    ]);

    const fetched = await app.inject({ method: 'GET', url: `/v1/documents/${document.id}`, headers: asA });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json()).toEqual(document);

    const content = await app.inject({ method: 'GET', url: `/v1/documents/${document.id}/content`, headers: asA });
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toBe('application/pdf');
    expect(content.headers.etag).toBe(`"${sha256}"`);
    expect(Buffer.compare(content.rawPayload, pdf)).toBe(0);

    // The outbox row was written in the same transaction, with the binary-free payload.
    const outbox = await fixture.pool.query(
      'SELECT topic, message_key, event_type, data FROM outbox WHERE message_key = $1',
      [document.id],
    );
    expect(outbox.rows).toEqual([
      expect.objectContaining({
        topic: 'test.vanthu.documents',
        event_type: 'vn.vanthu.document.created.v1',
        data: expect.objectContaining({ sha256, subject }),
      }),
    ]);
  });

  it('keeps Vietnamese text in NFC whatever the client sent', async () => {
    const decomposed = subject.normalize('NFD');
    const created = await upload(await makePdf('nfc'), { direction: 'incoming', subject: decomposed });
    expect(created.statusCode).toBe(201);
    expect(created.json().subject).toBe(subject.normalize('NFC'));
  });

  it('stores identical content once (content-addressed)', async () => {
    const pdf = await makePdf('same-bytes');
    const first = (await upload(pdf, { direction: 'internal', subject: 'Lần 1' })).json();
    const second = (await upload(pdf, { direction: 'internal', subject: 'Lần 2' })).json();
    expect(first.id).not.toBe(second.id);
    expect(first.versions[0].sha256).toBe(second.versions[0].sha256);
    const blobs = await fixture.pool.query('SELECT count(*) AS n FROM blobs WHERE sha256 = $1', [
      first.versions[0].sha256,
    ]);
    expect(blobs.rows[0].n).toBe(1);
  });
});

describe('POST /v1/documents/{id}/versions', () => {
  async function addVersion(id: string, pdf: Buffer, metadata: unknown, headers: Record<string, string> = asA) {
    const { body, contentType } = multipartBody([
      { name: 'metadata', value: JSON.stringify(metadata) },
      { name: 'file', value: pdf, filename: 'signed.pdf', contentType: 'application/pdf' },
    ]);
    return app.inject({
      method: 'POST',
      url: `/v1/documents/${id}/versions`,
      headers: { ...headers, 'content-type': contentType },
      payload: body,
    });
  }

  it('stores the next immutable version and keeps every earlier one readable', async () => {
    const v1 = await makePdf('versions-1');
    const v2 = await makePdf('versions-2');
    const id = (await upload(v1, { direction: 'outgoing', subject: 'Có nhiều phiên bản' })).json().id;
    const added = await addVersion(id, v2, { kind: 'signature', basedOnVersion: 1 });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      currentVersion: 2,
      versions: [{ version: 1 }, { version: 2, kind: 'signature' }],
    });
    const latest = await app.inject({ method: 'GET', url: `/v1/documents/${id}/content`, headers: asA });
    expect(Buffer.compare(latest.rawPayload, v2)).toBe(0);
    const first = await app.inject({ method: 'GET', url: `/v1/documents/${id}/content?version=1`, headers: asA });
    expect(Buffer.compare(first.rawPayload, v1)).toBe(0);
    const events = await fixture.pool.query(
      'SELECT event_type, data FROM outbox WHERE message_key = $1 ORDER BY position',
      [id],
    );
    expect(events.rows.map((r) => r.event_type)).toEqual([
      'vn.vanthu.document.created.v1',
      'vn.vanthu.document.version.added.v1',
    ]);
    expect(events.rows[1].data).toMatchObject({ version: 2, previousVersion: 1, kind: 'signature' });
  });

  it('refuses a version made from a stale one (409) and lets only one of two racing writers win', async () => {
    const id = (
      await upload(await makePdf('race-base'), { direction: 'outgoing', subject: 'Tranh chấp phiên bản' })
    ).json().id;
    const [a, b] = await Promise.all([
      addVersion(id, await makePdf('race-a'), { kind: 'signature', basedOnVersion: 1 }),
      addVersion(id, await makePdf('race-b'), { kind: 'signature', basedOnVersion: 1 }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json().code).toBe('CONFLICT');
    const versions = await fixture.pool.query(
      'SELECT count(*)::int AS n FROM document_versions WHERE document_id = $1',
      [id],
    );
    expect(versions.rows[0].n).toBe(2);
  });

  it('answers 404 for another agency and 400 for bad metadata', async () => {
    const id = (await upload(await makePdf('v-scope'), { direction: 'outgoing', subject: 'Phạm vi' })).json().id;
    expect(
      (await addVersion(id, await makePdf('v-other'), { kind: 'signature', basedOnVersion: 1 }, asB)).statusCode,
    ).toBe(404);
    const bad = await addVersion(id, await makePdf('v-bad'), { kind: 'magic', basedOnVersion: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['metadata.kind', 'metadata.basedOnVersion']),
    );
  });
});

describe('Idempotency-Key', () => {
  it('returns the first result for a repeat and refuses the key for a different request', async () => {
    const pdf = await makePdf('idem');
    const headers = { ...asA, 'idempotency-key': 'upload-0001-abc' };
    const first = await upload(pdf, { direction: 'outgoing', subject: 'Một lần thôi' }, headers);
    const repeat = await upload(pdf, { direction: 'outgoing', subject: 'Một lần thôi' }, headers);
    expect(first.statusCode).toBe(201);
    expect(repeat.statusCode).toBe(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.json().id).toBe(first.json().id);
    const count = await fixture.pool.query("SELECT count(*) AS n FROM documents WHERE subject = 'Một lần thôi'");
    expect(count.rows[0].n).toBe(1);

    const different = await upload(pdf, { direction: 'outgoing', subject: 'Khác' }, headers);
    expect(different.statusCode).toBe(422);
    expect(different.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('runs concurrent repeats once', async () => {
    const pdf = await makePdf('idem-race');
    const headers = { ...asA, 'idempotency-key': 'upload-race-0002' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => upload(pdf, { direction: 'outgoing', subject: 'Đua' }, headers)),
    );
    expect(new Set(results.map((r) => r.statusCode))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
  });
});

describe('agency scoping and identity', () => {
  it('answers 404 for another agency’s document and its content', async () => {
    const id = (await upload(await makePdf('scoped'), { direction: 'outgoing', subject: 'Của cơ quan A' })).json().id;
    for (const url of [`/v1/documents/${id}`, `/v1/documents/${id}/content`]) {
      const response = await app.inject({ method: 'GET', url, headers: asB });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().code).toBe('NOT_FOUND');
    }
  });

  it('refuses requests that did not come through the gateway', async () => {
    const direct = await app.inject({ method: 'GET', url: '/v1/documents/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' });
    expect(direct.statusCode).toBe(401);
    const forged = await app.inject({
      method: 'GET',
      url: '/v1/documents/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
      headers: { 'x-vanthu-identity': createIdentityKit().assertionFor(clerkOf(agencyA)) },
    });
    expect(forged.statusCode).toBe(401);
  });
});

describe('bad input loses nothing and says what is wrong', () => {
  const countStoredBlobs = (): number =>
    fs.readdirSync(path.join(blobDir, 'sha256'), { recursive: true }).filter((f) => String(f).length > 60).length;
  const countDocuments = async (): Promise<number> =>
    (await fixture.pool.query('SELECT count(*) AS n FROM documents')).rows[0].n;

  it.each([
    ['an unknown field', { direction: 'outgoing', subject: 'x', extra: true }, 'metadata.extra', 'unknown field'],
    ['an unknown direction', { direction: 'sideways', subject: 'x' }, 'metadata.direction', ''],
    ['a number as subject', { direction: 'outgoing', subject: 42 }, 'metadata.subject', ''],
    [
      'a subject over 500 characters (Phụ lục VI)',
      { direction: 'outgoing', subject: 'x'.repeat(501) },
      'metadata.subject',
      '',
    ],
    ['no subject', { direction: 'outgoing' }, 'metadata.subject', ''],
    [
      'a signer competence over 100 characters (edXML SignerInfo.Competence)',
      { direction: 'outgoing', subject: 'x', signer: { fullName: 'Nguyễn Văn A', competence: 'K'.repeat(101) } },
      'metadata.signer.competence',
      '',
    ],
  ])('metadata with %s is refused naming the field', async (_label, metadata, field, message) => {
    const before = await countDocuments();
    const response = await upload(await makePdf('bad-meta'), metadata);
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.code).toBe('INVALID_METADATA');
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
    if (message) expect(problem.errors.find((e: { field: string }) => e.field === field).message).toBe(message);
    expect(await countDocuments()).toBe(before);
  });

  it('keeps a signer competence whole, with whom the authority is exercised for (KT. CHỦ TỊCH)', async () => {
    const signer = { competence: 'TM. ỦY BAN NHÂN DÂN TỈNH THANH HÓA', position: 'Chủ tịch', fullName: 'Lê Văn B' };
    const response = await upload(await makePdf('competence'), { direction: 'outgoing', subject: 'x', signer });
    expect(response.statusCode).toBe(201);
    const { rows } = await fixture.pool.query('SELECT metadata FROM documents WHERE id = $1', [response.json().id]);
    expect(rows[0].metadata.signer).toEqual(signer);
  });

  it('refuses metadata that is not JSON and a missing file', async () => {
    expect((await upload(await makePdf('x'), '{not json')).json().errors).toEqual([
      { field: 'metadata', message: 'not valid JSON' },
    ]);
    const noFile = multipartBody([
      { name: 'metadata', value: JSON.stringify({ direction: 'outgoing', subject: 'x' }) },
    ]);
    const response = await app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...asA, 'content-type': noFile.contentType },
      payload: noFile.body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ field: 'file', message: 'required' }]);
  });

  it('refuses a file that is not a PDF whatever its declared type (415)', async () => {
    const before = await countDocuments();
    const response = await upload(Buffer.from('PK\u0003\u0004 this is a zip, not a pdf'), {
      direction: 'outgoing',
      subject: 'x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await countDocuments()).toBe(before);
  });

  it('refuses an upload over the limit with 413 and keeps no partial file', async () => {
    const before = await countDocuments();
    const storedBefore = countStoredBlobs();
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200 * 1024, 0x41)]);
    const response = await upload(big, { direction: 'outgoing', subject: 'quá lớn' });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(await countDocuments()).toBe(before);
    expect(fs.readdirSync(path.join(blobDir, 'tmp'))).toEqual([]);
    expect(countStoredBlobs()).toBe(storedBefore);
  });

  it('refuses a non-multipart body and an unknown route with problem+json', async () => {
    const json = await app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...asA, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBe(415);
    const missing = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: asA });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });

  it('detects content that changed on disk and never serves it as a 200', async () => {
    const pdf = await makePdf('tamper');
    const document = (await upload(pdf, { direction: 'outgoing', subject: 'Bị sửa trên đĩa' })).json();
    const sha = document.versions[0].sha256 as string;
    const file = path.join(blobDir, 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);
    const bytes = fs.readFileSync(file);
    bytes.writeUInt8((bytes.at(-10) ?? 0) ^ 0xff, bytes.length - 10);
    fs.writeFileSync(file, bytes);
    const response = await app.inject({ method: 'GET', url: `/v1/documents/${document.id}/content`, headers: asA });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({
      code: 'INTEGRITY_FAILURE',
      title: 'Stored content failed its integrity check',
    });
    expect(response.json().detail).toBeUndefined();
  });
});
