import fs from 'node:fs';
import path from 'node:path';
import { startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { multipartBody } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';
import { makeDocx, makeZipBomb } from './docx-files';
import { pdfText, qpdfCheck } from './pdf-tools';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('uploads', { maxUploadBytes: 4 * 1024 * 1024 });
});
afterAll(async () => {
  await h.close();
});

const docxType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const send = (
  file: Buffer,
  filename: string,
  contentType: string,
  metadata: unknown = { direction: 'outgoing', subject: 'Dự thảo' },
) => {
  const { body, contentType: type } = multipartBody([
    { name: 'metadata', value: JSON.stringify(metadata) },
    { name: 'file', value: file, filename, contentType },
  ]);
  return h.app.inject({
    method: 'POST',
    url: '/v1/documents',
    headers: { ...h.asA, 'content-type': type },
    payload: body,
  });
};
const storedBlobs = (): number => {
  const root = path.join(h.blobDir, 'sha256');
  let n = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else n += 1;
    }
  };
  walk(root);
  return n;
};
const counts = async () => ({
  documents: (await h.fixture.pool.query('SELECT count(*) AS n FROM documents')).rows[0].n as number,
  blobs: storedBlobs(),
  tmp: fs.readdirSync(path.join(h.blobDir, 'tmp')).length,
});

describe('DOCX drafts (Đà Nẵng rules Khoản 3 Điều 14)', () => {
  it('keeps the DOCX as version 1 and adds the LibreOffice PDF as version 2, which qpdf accepts', async () => {
    const docx = await makeDocx([
      'ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM',
      'Quyết định về việc phê duyệt kế hoạch chuyển đổi số',
    ]);
    const response = await send(docx, 'du-thao.docx', 'application/octet-stream');
    expect(response.statusCode).toBe(201);
    const document = response.json();
    expect(document.currentVersion).toBe(2);
    expect(
      document.versions.map((v: { version: number; kind: string; mediaType: string; fileName: string }) => [
        v.version,
        v.kind,
        v.mediaType,
        v.fileName,
      ]),
    ).toEqual([
      [1, 'upload', docxType, 'du-thao.docx'],
      [2, 'conversion', 'application/pdf', 'du-thao.pdf'],
    ]);
    const pdf = await h.app.inject({ method: 'GET', url: `/v1/documents/${document.id}/content`, headers: h.asA });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(qpdfCheck(pdf.rawPayload)).toMatchObject({ status: 0 });
    expect(pdfText(pdf.rawPayload)).toContain('Quyết định về việc phê duyệt kế hoạch chuyển đổi số');
    const original = await h.app.inject({
      method: 'GET',
      url: `/v1/documents/${document.id}/content?version=1`,
      headers: h.asA,
    });
    expect(Buffer.compare(original.rawPayload, docx)).toBe(0);
    const events = await h.fixture.pool.query(
      'SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY position',
      [document.id],
    );
    expect(events.rows.map((r) => r.event_type)).toEqual([
      'vn.vanthu.document.created.v1',
      'vn.vanthu.document.version.added.v1',
    ]);
  }, 120_000);

  it('refuses a zip bomb dressed as a DOCX before converting it, leaving nothing behind', async () => {
    const before = await counts();
    const bomb = await makeZipBomb();
    expect(bomb.length).toBeLessThan(4 * 1024 * 1024);
    const response = await send(bomb, 'bom.docx', docxType);
    expect(response.json()).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
    expect(response.json().detail).toMatch(/decompression bomb/);
    expect(await counts()).toEqual(before);
  });

  it('refuses a DOCX LibreOffice cannot convert, leaving nothing behind', async () => {
    const before = await counts();
    const broken = await makeDocx([], { 'word/document.xml': Buffer.from('this is not xml') });
    const response = await send(broken, 'hong.docx', docxType);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    // LibreOffice either refuses it (422) or renders an empty page; either way no half-stored state.
    if (response.statusCode !== 201) {
      expect(response.json()).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
      expect(await counts()).toEqual(before);
    }
  }, 120_000);

  it('answers 503 with Retry-After when the conversion queue is full', async () => {
    const busy = await startHarness('uploads-busy', { converter: { concurrency: 1, maxQueued: 0 } });
    try {
      const docx = await makeDocx(['Hàng đợi']);
      const upload = (name: string) => {
        const { body, contentType } = multipartBody([
          { name: 'metadata', value: JSON.stringify({ direction: 'outgoing', subject: name }) },
          { name: 'file', value: docx, filename: `${name}.docx`, contentType: docxType },
        ]);
        return busy.app.inject({
          method: 'POST',
          url: '/v1/documents',
          headers: { ...busy.asA, 'content-type': contentType },
          payload: body,
        });
      };
      const [first, second] = await Promise.all([upload('mot'), upload('hai')]);
      const statuses = [first.statusCode, second.statusCode].sort();
      expect(statuses).toEqual([201, 503]);
      const refused = first.statusCode === 503 ? first : second;
      expect(refused.headers['retry-after']).toBe('30');
      expect(refused.json().code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await busy.close();
    }
  }, 120_000);

  it('kills a conversion that overruns its timeout', async () => {
    const slow = await startHarness('uploads-slow', { converter: { timeoutMs: 50 } });
    try {
      const { body, contentType } = multipartBody([
        { name: 'metadata', value: JSON.stringify({ direction: 'outgoing', subject: 'Chậm' }) },
        { name: 'file', value: await makeDocx(['Chậm']), filename: 'cham.docx', contentType: docxType },
      ]);
      const response = await slow.app.inject({
        method: 'POST',
        url: '/v1/documents',
        headers: { ...slow.asA, 'content-type': contentType },
        payload: body,
      });
      expect(response.json()).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
      expect(response.json().detail).toMatch(/within/);
    } finally {
      await slow.close();
    }
  }, 60_000);
});

describe('bad files', () => {
  it('refuses a truncated PDF and a malformed one with 422, and a file lying about its type with 415', async () => {
    const before = await counts();
    const pdf = await makePdf('truncated', 2);
    const truncated = await send(pdf.subarray(0, Math.floor(pdf.length * 0.6)), 'cat.pdf', 'application/pdf');
    expect(truncated.json()).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
    expect(truncated.json().detail).toMatch(/truncated/);
    const malformed = await send(
      Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ngarbage\n%%EOF\n'),
      'hong.pdf',
      'application/pdf',
    );
    expect(malformed.json()).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 7)]);
    expect((await send(png, 'scan.pdf', 'application/pdf')).json()).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    const liar = await send(Buffer.from('<html><body>not a document</body></html>'), 'fake.docx', docxType);
    expect(liar.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const zip = await send(Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 1)]), 'fake.docx', docxType);
    expect(zip.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await counts()).toEqual(before);
  });

  it('refuses a DOCX as a new version: versions are PDFs', async () => {
    const created = await h.upload({ direction: 'outgoing', subject: 'Có phiên bản' });
    const { body, contentType } = multipartBody([
      { name: 'metadata', value: JSON.stringify({ kind: 'upload', basedOnVersion: 1 }) },
      { name: 'file', value: await makeDocx(['v2']), filename: 'v2.docx', contentType: docxType },
    ]);
    const response = await h.app.inject({
      method: 'POST',
      url: `/v1/documents/${created.id}/versions`,
      headers: { ...h.asA, 'content-type': contentType },
      payload: body,
    });
    expect(response.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('refuses a secret document sent file-first, removing the bytes it stored', async () => {
    const before = await counts();
    const { body, contentType } = multipartBody([
      { name: 'file', value: await makePdf('secret-file-first'), filename: 'mat.pdf', contentType: 'application/pdf' },
      { name: 'metadata', value: JSON.stringify({ direction: 'incoming', subject: 'Mật', secrecy: 'secret' }) },
    ]);
    const response = await h.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...h.asA, 'content-type': contentType },
      payload: body,
    });
    expect(response.json()).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
    expect(await counts()).toEqual(before);
  });

  it('refuses a metadata part beyond 64 KiB, and more parts than an upload has, storing nothing', async () => {
    const before = await counts();
    const huge = JSON.stringify({ direction: 'incoming', subject: 'Quá lớn', description: 'ạ'.repeat(300_000) });
    const oversized = multipartBody([
      { name: 'metadata', value: huge },
      { name: 'file', value: await makePdf('huge-metadata'), filename: 'a.pdf', contentType: 'application/pdf' },
    ]);
    const manyParts = multipartBody([
      ...Array.from({ length: 40 }, (_, i) => ({ name: `extra${i}`, value: 'x' })),
      { name: 'file', value: await makePdf('many-parts'), filename: 'b.pdf', contentType: 'application/pdf' },
    ]);
    for (const { body, contentType } of [oversized, manyParts]) {
      const response = await h.app.inject({
        method: 'POST',
        url: '/v1/documents',
        headers: { ...h.asA, 'content-type': contentType },
        payload: body,
      });
      expect(response.statusCode).toBe(body === oversized.body ? 413 : 400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(await counts()).toEqual(before);
  });
});
