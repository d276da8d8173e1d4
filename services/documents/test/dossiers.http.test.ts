import { outboxProblems } from './outbox-check';
import { startHarness, directory } from './http-harness';
import type { Harness } from './http-harness';
import { makePdf } from '../../../test/support/pdfs';
import { vietnamesePdf } from './vietnamese-pdf';
import { pdfAttachment, pdfPageCount, pdfText, qpdfCheck } from './pdf-tools';
import { agencyA } from '../../../test/support/identities';
import { vietnamDate } from '../src/rules/numbering';
import { remindHandovers } from '../src/dossiers/remind-handovers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('dossiers');
  await h.post('/v1/organisations/imports', directory, h.directoryAdmin);
});
afterAll(async () => {
  await h.close();
});

const newDossier = (fileNotation: string, title = 'Hồ sơ xây dựng Quy chế làm việc năm 2026') =>
  h.post('/v1/dossiers', { fileNotation, title, maintenance: '10 năm' });
const add = (dossierId: string, documentId: string, headers = h.asA) =>
  h.post(`/v1/dossiers/${dossierId}/documents`, { documentId }, headers);

describe('dossiers (hồ sơ công việc, NĐ 30/2020 Điều 28–31)', () => {
  it('files one document in two dossiers without copying it, with ordinals per dossier', async () => {
    const first = (await newDossier('01.VP')).json();
    const year = vietnamDate(new Date()).year;
    expect(first).toMatchObject({
      fileCode: `${agencyA}.${year}.01.VP`,
      status: 'open',
      docTotal: 0,
      maintenance: '10 năm',
    });
    const second = (await newDossier('02.VP', 'Hồ sơ chuyển đổi số')).json();
    const shared = await h.upload(
      { direction: 'outgoing', subject: 'Kế hoạch chuyển đổi số', typeCode: 'KH' },
      h.asA,
      await makePdf('shared', 3),
    );
    const other = await h.upload(
      { direction: 'incoming', subject: 'Báo cáo kết quả' },
      h.asA,
      await makePdf('other', 2),
    );
    expect((await add(first.id, other.id)).json().documents.map((d: { ordinal: number }) => d.ordinal)).toEqual([1]);
    const inFirst = (await add(first.id, shared.id)).json();
    expect(inFirst.documents.map((d: { documentId: string; ordinal: number }) => [d.documentId, d.ordinal])).toEqual([
      [other.id, 1],
      [shared.id, 2],
    ]);
    expect(inFirst).toMatchObject({ docTotal: 2, pageTotal: 5 });
    const inSecond = (await add(second.id, shared.id)).json();
    expect(inSecond.documents).toEqual([expect.objectContaining({ documentId: shared.id, ordinal: 1, pages: 3 })]);
    // Exists once: one document row, one version row, one blob.
    const rows = await h.fixture.pool.query(
      'SELECT (SELECT count(*) FROM documents WHERE subject = $1) AS documents, (SELECT count(*) FROM dossier_documents WHERE document_id = $2) AS filings',
      ['Kế hoạch chuyển đổi số', shared.id],
    );
    expect(rows.rows[0]).toEqual({ documents: 1, filings: 2 });
    expect((await add(first.id, shared.id)).json()).toMatchObject({ status: 409, code: 'CONFLICT' });
    // The document shows where it is filed: FileCode and DocOrdinal (Phụ lục VI mục I.1–2).
    const fetched = (await h.app.inject({ method: 'GET', url: `/v1/documents/${shared.id}`, headers: h.asA })).json();
    expect(fetched.dossiers).toEqual([
      { dossierId: first.id, fileCode: first.fileCode, ordinal: 2 },
      { dossierId: second.id, fileCode: second.fileCode, ordinal: 1 },
    ]);
    expect(fetched.metadata.pageAmount).toBe(3);
    const events = await h.fixture.pool.query(
      `SELECT count(*) AS n FROM outbox WHERE event_type = 'vn.vanthu.dossier.document.added.v1'`,
    );
    expect(events.rows[0].n).toBe(3);
  });

  it('keeps agencies apart: another agency’s dossier is 404 and its documents cannot be filed', async () => {
    const mine = (await newDossier('03.VP')).json();
    expect((await h.app.inject({ method: 'GET', url: `/v1/dossiers/${mine.id}`, headers: h.asB })).statusCode).toBe(
      404,
    );
    const theirs = await h.upload({ direction: 'incoming', subject: 'Của cơ quan B' }, h.asB);
    expect((await add(mine.id, theirs.id)).json()).toMatchObject({
      status: 422,
      errors: [{ field: 'body.documentId' }],
    });
    const own = await h.upload({ direction: 'incoming', subject: 'Của A' });
    expect((await add(mine.id, own.id, h.asB)).json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(
      (await h.fixture.pool.query('SELECT count(*) AS n FROM dossier_documents WHERE dossier_id = $1', [mine.id]))
        .rows[0].n,
    ).toBe(0);
  });

  it('closes a dossier, sets hand-over due one year later and lists it for the 30-day reminder', async () => {
    const dossier = (await newDossier('04.VP')).json();
    const closed = (await h.post(`/v1/dossiers/${dossier.id}/close`, {})).json();
    expect(closed.status).toBe('closed');
    const end = new Date(`${closed.endDate}T00:00:00Z`);
    const due = new Date(Date.UTC(end.getUTCFullYear() + 1, end.getUTCMonth(), end.getUTCDate()))
      .toISOString()
      .slice(0, 10);
    expect(closed.handoverDue).toBe(due);
    expect(closed.handoverReminderFrom).toBe(
      new Date(Date.parse(`${due}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10),
    );
    expect(
      (await add(dossier.id, (await h.upload({ direction: 'internal', subject: 'Muộn' })).id)).json(),
    ).toMatchObject({ status: 409 });
    const soon = (
      await h.app.inject({ method: 'GET', url: '/v1/dossiers?handoverDueWithinDays=30', headers: h.asA })
    ).json().items;
    expect(soon).toEqual([]);
    const withinYear = (
      await h.app.inject({ method: 'GET', url: '/v1/dossiers?handoverDueWithinDays=366', headers: h.asA })
    ).json().items;
    expect(withinYear.map((d: { id: string }) => d.id)).toEqual([dossier.id]);
    expect(
      (await h.post('/v1/dossiers', { fileNotation: 'has space', title: 'x', maintenance: 'x' })).json(),
    ).toMatchObject({ status: 400, errors: [{ field: 'body.fileNotation' }] });
    expect((await newDossier('04.VP')).statusCode).toBe(409);
  });

  it('announces each dossier once, 30 days before its hand-over falls due', async () => {
    const dossier = (await newDossier('06.VP')).json();
    const closed = (await h.post(`/v1/dossiers/${dossier.id}/close`, {})).json();
    const due = Date.parse(`${closed.handoverDue}T00:00:00+07:00`);
    const deps = { pool: h.fixture.pool, topicPrefix: 'test.', source: '/vanthu/documents' };
    const announced = async () =>
      (
        await h.fixture.pool.query(
          `SELECT data FROM outbox WHERE event_type = 'vn.vanthu.dossier.handover.due.v1' AND message_key = $1`,
          [dossier.id],
        )
      ).rows;
    await remindHandovers({ now: new Date(due - 31 * 86_400_000) }, deps);
    expect(await announced()).toEqual([]);
    await remindHandovers({ now: new Date(due - 30 * 86_400_000) }, deps);
    await remindHandovers({ now: new Date(due - 29 * 86_400_000) }, deps);
    const events = await announced();
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({
      fileCode: dossier.fileCode,
      handoverDue: closed.handoverDue,
      title: dossier.title,
    });
  });

  it('exports the dossier as one PDF: table of contents, documents in order, metadata attached', async () => {
    const dossier = (await newDossier('05.PCLB-Đ', 'Hồ sơ phòng chống lụt bão')).json();
    const a = await h.upload(
      { direction: 'incoming', subject: 'Công điện về ứng phó bão số 5' },
      h.asA,
      await vietnamesePdf(['Công điện khẩn: ứng phó bão số 5']),
    );
    const b = await h.upload(
      { direction: 'incoming', subject: 'Báo cáo thiệt hại sau bão' },
      h.asA,
      await vietnamesePdf(['Báo cáo thiệt hại', 'trang hai']),
    );
    await add(dossier.id, a.id);
    await add(dossier.id, b.id);
    const response = await h.app.inject({ method: 'GET', url: `/v1/dossiers/${dossier.id}/export`, headers: h.asA });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="${dossier.fileCode.replace('Đ', 'D')}.pdf"; filename*=UTF-8''${encodeURIComponent(`${dossier.fileCode}.pdf`)}`,
    );
    const bytes = response.rawPayload;
    expect(qpdfCheck(bytes).status).toBe(0);
    expect(pdfPageCount(bytes)).toBe(3);
    const text = pdfText(bytes);
    expect(text).toContain('MỤC LỤC VĂN BẢN');
    expect(text).toContain('Hồ sơ phòng chống lụt bão');
    // The table of contents gives each document's first page (tờ số).
    expect(text).toMatch(/Công điện về ứng phó bão số 5 2 .*Báo cáo thiệt hại sau bão 3/);
    expect(pdfText(bytes, 2)).toContain('Công điện khẩn: ứng phó bão số 5');
    expect(pdfText(bytes, 3)).toContain('Báo cáo thiệt hại trang hai');
    const metadata = JSON.parse(pdfAttachment(bytes, 'metadata.json'));
    expect(metadata.dossier.fileCode).toBe(dossier.fileCode);
    expect(metadata.documents.map((d: { documentId: string; ordinal: number }) => [d.ordinal, d.documentId])).toEqual([
      [1, a.id],
      [2, b.id],
    ]);
    expect(pdfAttachment(bytes, 'metadata.xml')).toContain('<subject>Công điện về ứng phó bão số 5</subject>');
  });
});

describe('events', () => {
  it('writes only events that match their JSON Schemas in the contracts package', async () => {
    expect(await outboxProblems(h.fixture.pool)).toEqual([]);
  });
});
