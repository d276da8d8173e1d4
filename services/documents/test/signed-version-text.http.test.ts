import { IncrementalUpdate, PdfDict, PdfReader, PdfStream } from '@vanthu/pdf';
import type { PdfRef } from '@vanthu/pdf';
import { multipartBody } from '../../../test/support/multipart';
import { addSignatureWidget } from '../../../test/support/pdf-updates';
import { startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { vietnamesePdf } from './vietnamese-pdf';

// A signature added to a document is an incremental update that leaves its pages as they were: the search index keeps
// the text it has instead of extracting it again. An update that redraws a page is read again, whatever its kind says.

let h: Harness;
beforeAll(async () => {
  h = await startHarness('signed-text');
});
afterAll(async () => {
  await h.close();
});

const found = async (text: string): Promise<string[]> => {
  const response = await h.app.inject({
    method: 'GET',
    url: `/v1/documents?q=${encodeURIComponent(text)}`,
    headers: h.asA,
  });
  return (response.json() as { items: { id: string }[] }).items.map((i) => i.id);
};

async function addSignatureVersion(id: string, basedOnVersion: number, pdf: Buffer): Promise<void> {
  const { body, contentType } = multipartBody([
    { name: 'metadata', value: JSON.stringify({ kind: 'signature', basedOnVersion }) },
    { name: 'file', value: pdf, filename: 'signed.pdf', contentType: 'application/pdf' },
  ]);
  const response = await h.app.inject({
    method: 'POST',
    url: `/v1/documents/${id}/versions`,
    headers: { ...h.asA, 'content-type': contentType },
    payload: body,
  });
  expect(response.statusCode).toBe(201);
  h.textIndexer.signal();
  await h.textIndexer.settled();
}

const indexedVersion = async (id: string): Promise<{ text_version: number; content_text: string }> =>
  (await h.fixture.pool.query('SELECT text_version, content_text FROM documents WHERE id = $1', [id])).rows[0];

/** `original` plus an update made by `change` on its first page. */
function appended(original: Buffer, change: (u: IncrementalUpdate, page: { ref: PdfRef; dict: PdfDict }) => void) {
  const reader = PdfReader.fromBuffer(original);
  const u = new IncrementalUpdate(reader);
  change(u, reader.pages()[0] as { ref: PdfRef; dict: PdfDict });
  return Buffer.concat([original, u.build().bytes]);
}

test('a signed version keeps its text; one that redraws a page is indexed anew', async () => {
  const v1 = await vietnamesePdf(['Kế hoạch phòng chống lụt bão năm 2026']);
  const id = (await h.upload({ direction: 'outgoing', subject: 'Kế hoạch' }, h.asA, v1)).id;
  h.textIndexer.signal();
  await h.textIndexer.settled();
  expect(await found('lut bao')).toEqual([id]);
  const indexed = await indexedVersion(id);
  expect(indexed.text_version).toBe(1);

  // What a signature adds to page 1.
  const v2 = appended(v1, addSignatureWidget);
  await addSignatureVersion(id, 1, v2);
  expect(await indexedVersion(id)).toEqual({ text_version: 2, content_text: indexed.content_text });
  expect(await found('lut bao')).toEqual([id]);

  // Called a signature too, but it gives page 1 a content stream of its own: its text is read from the file again.
  const v3 = appended(v2, (u, page) => {
    const contents = u.add(new PdfStream(new PdfDict(), 0, 0, Buffer.from('BT ET')));
    u.set(page.ref, page.dict.clone().set('Contents', contents));
  });
  await addSignatureVersion(id, 2, v3);
  expect((await indexedVersion(id)).text_version).toBe(3);
  expect(await found('lut bao')).toEqual([]);
});
