import { outboxProblems } from './outbox-check';
import { startHarness, directory } from './http-harness';
import type { Harness } from './http-harness';
import { vietnamesePdf } from './vietnamese-pdf';
import { pdfPageCount, pdfText, qpdfCheck } from './pdf-tools';
import { vietnamDate } from '../src/rules/numbering';
import { multipartBody } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';
import { makeScan } from './scan-files';

let h: Harness;
let source: { id: string };
beforeAll(async () => {
  h = await startHarness('copies');
  await h.post('/v1/organisations/imports', directory, h.directoryAdmin);
  const pdf = await vietnamesePdf(['Quyết định về việc khen thưởng']);
  source = await h.upload({ direction: 'outgoing', subject: 'Quyết định khen thưởng', typeCode: 'QĐ' }, h.asA, pdf);
});
afterAll(async () => {
  await h.close();
});

const content = async (id: string) =>
  (await h.app.inject({ method: 'GET', url: `/v1/documents/${id}/content`, headers: h.asA })).rawPayload;

describe('copies (NĐ 30/2020 Điều 25–27)', () => {
  it('numbers sao y, sao lục and trích sao in one yearly series and records the source', async () => {
    const year = vietnamDate(new Date()).year;
    const sy = await h.post('/v1/copies', { sourceDocumentId: source.id, kind: 'SY', form: 'electronic' });
    expect(sy.statusCode).toBe(201);
    expect(sy.json()).toMatchObject({
      typeCode: 'SY',
      metadata: {
        copy: { kind: 'SY', number: 1, notation: '01/SY-UBND', year, sourceDocumentId: source.id, sourceVersion: 1 },
      },
    });
    const syPdf = await content(sy.json().id);
    expect(qpdfCheck(syPdf).status).toBe(0);
    const text = pdfText(syPdf);
    expect(text).toContain('SAO Y');
    expect(text).toContain('Số: 01/SY-UBND');
    expect(text).toContain('Quyết định về việc khen thưởng');

    const sl = await h.post('/v1/copies', { sourceDocumentId: sy.json().id, kind: 'SL', form: 'electronic' });
    expect(sl.json().metadata.copy).toMatchObject({
      number: 2,
      notation: '02/SL-UBND',
      sourceDocumentId: sy.json().id,
    });

    const paper = await h.post('/v1/copies', { sourceDocumentId: source.id, kind: 'SY', form: 'paper' });
    expect(pdfText(await content(paper.json().id))).toContain('SAO Y BẢN GỐC VĂN BẢN ĐIỆN TỬ');
    expect(paper.json().metadata.copy.notation).toBe('03/SY-UBND');

    const copies = await h.fixture.pool.query('SELECT number, source_document_id FROM copies ORDER BY number');
    expect(copies.rows.map((r) => r.number)).toEqual([1, 2, 3]);
    const events = await h.fixture.pool.query(
      `SELECT count(*) AS n FROM outbox WHERE event_type = 'vn.vanthu.copy.made.v1'`,
    );
    expect(events.rows[0].n).toBe(3);
  });

  it('extracts the named pages for a trích sao and refuses pages that do not exist without using a number', async () => {
    const onePage = await h.upload(
      { direction: 'incoming', subject: 'Một trang' },
      h.asA,
      await vietnamesePdf(['trang một']),
    );
    const before = (await h.fixture.pool.query('SELECT max(number) AS n FROM copies')).rows[0].n as number;
    const bad = await h.post('/v1/copies', {
      sourceDocumentId: onePage.id,
      kind: 'TrS',
      form: 'electronic',
      pages: [5],
    });
    expect(bad.json()).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
    const good = await h.post('/v1/copies', {
      sourceDocumentId: onePage.id,
      kind: 'TrS',
      form: 'electronic',
      pages: [1],
    });
    expect(good.json().metadata.copy.number).toBe(before + 1);
    expect(pdfPageCount(await content(good.json().id))).toBe(1);
  });

  it('refuses a sao lục of something that is not a sao y, and another agency’s document', async () => {
    expect(
      (await h.post('/v1/copies', { sourceDocumentId: source.id, kind: 'SL', form: 'electronic' })).json(),
    ).toMatchObject({ status: 422, errors: [{ field: 'body.sourceDocumentId' }] });
    expect(
      (await h.post('/v1/copies', { sourceDocumentId: source.id, kind: 'SY', form: 'electronic' }, h.asB)).statusCode,
    ).toBe(404);
    expect(
      (await h.post('/v1/copies', { sourceDocumentId: source.id, kind: 'TrS', form: 'electronic' })).json(),
    ).toMatchObject({ status: 400, errors: [{ field: 'body.pages' }] });
  });
});

describe('digitised copies (paper → electronic)', () => {
  const scan = async (file: Buffer, metadata: unknown) => {
    const { body, contentType } = multipartBody([
      { name: 'metadata', value: JSON.stringify(metadata) },
      { name: 'file', value: file, filename: 'scan.pdf', contentType: 'application/pdf' },
    ]);
    return h.app.inject({
      method: 'POST',
      url: '/v1/copies/scans',
      headers: { ...h.asA, 'content-type': contentType },
      payload: body,
    });
  };

  it('numbers the scan in the copy series and records the paper original', async () => {
    const last = (await h.fixture.pool.query('SELECT max(number) AS n FROM copies')).rows[0].n as number;
    const response = await scan(await makeScan({ dpi: 200, colour: true, pages: 2 }), {
      subject: 'Quyết định 12/QĐ-UBND bản giấy',
      sourceDescription: '12/QĐ-UBND ngày 05/01/2026 của UBND huyện',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      typeCode: 'SY',
      metadata: {
        copy: {
          form: 'digitised',
          number: last + 1,
          sourceDocumentId: null,
          sourceDescription: '12/QĐ-UBND ngày 05/01/2026 của UBND huyện',
        },
      },
    });
  });

  it('refuses scans below PDF 1.4, 200 dpi or colour, a PDF that is no scan, and one without a named original, keeping the series intact', async () => {
    const last = (await h.fixture.pool.query('SELECT max(number) AS n FROM copies')).rows[0].n as number;
    const good = await makeScan({ dpi: 200, colour: true });
    const old = Buffer.from(good.toString('latin1').replace('%PDF-1.7', '%PDF-1.3'), 'latin1');
    const refusal = async (file: Buffer, pattern: RegExp) => {
      const response = (await scan(file, { subject: 'Bản quét', sourceDescription: 'Bản giấy' })).json();
      expect(response).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
      expect(response.detail).toMatch(pattern);
    };
    await refusal(old, /1\.4/);
    await refusal(await makeScan({ dpi: 150, colour: true }), /149 dpi|150 dpi/);
    await refusal(await makeScan({ dpi: 300, colour: false }), /grey/);
    await refusal(await makePdf('not-a-scan'), /scanned image/);
    expect((await scan(await makeScan({ dpi: 200, colour: true }), { subject: 'Không nguồn' })).json()).toMatchObject({
      status: 400,
      code: 'INVALID_METADATA',
    });
    expect((await h.fixture.pool.query('SELECT max(number) AS n FROM copies')).rows[0].n).toBe(last);
  });
});

describe('events', () => {
  it('writes only events that match their JSON Schemas in the contracts package', async () => {
    expect(await outboxProblems(h.fixture.pool)).toEqual([]);
  });
});
