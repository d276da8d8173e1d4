import { startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { vietnamesePdf } from './vietnamese-pdf';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('search');
});
afterAll(async () => {
  await h.close();
});

const search = async (query: string, headers = h.asA) => {
  const response = await h.app.inject({ method: 'GET', url: `/v1/documents?${query}`, headers });
  expect(response.statusCode).toBe(200);
  return response.json() as { items: { id: string; subject: string; status: string }[]; nextCursor: string | null };
};
const q = (text: string) => `q=${encodeURIComponent(text)}`;

describe('accent-insensitive search (Phụ lục VI mục III.6)', () => {
  let decision: string;
  let report: string;
  let scanned: string;
  beforeAll(async () => {
    decision = (
      await h.upload({
        direction: 'outgoing',
        subject: 'Quyết định về việc ban hành Quy chế làm việc',
        typeCode: 'QĐ',
        signer: { fullName: 'Trần Thị Bình' },
      })
    ).id;
    report = (
      await h.upload({ direction: 'incoming', subject: 'Báo cáo tình hình đường giao thông nông thôn', typeCode: 'BC' })
    ).id;
    scanned = (
      await h.upload(
        { direction: 'incoming', subject: 'Văn bản đến không rõ trích yếu' },
        h.asA,
        await vietnamesePdf(['Kế hoạch phòng chống lụt bão năm 2026', 'Sở Nông nghiệp và Phát triển nông thôn']),
      )
    ).id;
    await h.upload({ direction: 'outgoing', subject: 'Quyết định của cơ quan khác' }, h.asB);
    h.textIndexer.signal();
    await h.textIndexer.settled();
  });

  it('finds "Quyết định" from "quyet dinh", upper case or decomposed input, and only in the caller’s agency', async () => {
    for (const text of ['quyet dinh', 'QUYẾT ĐỊNH', 'Quyết định'.normalize('NFD'), 'quy che lam viec']) {
      expect((await search(q(text))).items.map((i) => i.id)).toEqual([decision]);
    }
    expect((await search(q('quyet dinh'), h.asB)).items.map((i) => i.subject)).toEqual(['Quyết định của cơ quan khác']);
  });

  it('searches the signer and the text inside the PDF', async () => {
    expect((await search(q('tran thi binh'))).items.map((i) => i.id)).toEqual([decision]);
    expect((await search(q('lut bao'))).items.map((i) => i.id)).toEqual([scanned]);
    expect((await search(q('phat trien nong thon'))).items.map((i) => i.id)).toEqual([scanned]);
    // "nong thon" occurs in one subject and in one PDF's text.
    expect((await search(q('nong thon'))).items.map((i) => i.id).sort()).toEqual([report, scanned].sort());
  });

  it('needs every word, and treats % and _ as text', async () => {
    expect((await search(q('quyet bao'))).items).toEqual([]);
    expect((await search(q('%'))).items).toEqual([]);
    expect((await search(q('_'))).items).toEqual([]);
  });

  it('filters by direction, type and status, and pages with a cursor', async () => {
    expect((await search('direction=incoming')).items.map((i) => i.id).sort()).toEqual([report, scanned].sort());
    expect((await search('typeCode=BC')).items.map((i) => i.id)).toEqual([report]);
    expect((await search('status=issued')).items).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(`limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([scanned, report, decision]);
    const bad = await h.app.inject({ method: 'GET', url: '/v1/documents?cursor=bm9wZQ', headers: h.asA });
    expect(bad.json()).toMatchObject({ status: 400, errors: [{ field: 'querystring.cursor' }] });
  });

  it('filters by register, urgency and Vietnam dates', async () => {
    await h.post(
      '/v1/organisations/imports',
      { organisations: [{ code: '000.00.00.H99', name: 'UBND tỉnh', abbreviation: 'UBND' }] },
      h.adminA,
    );
    const register = (await h.post('/v1/registers', { name: 'Sổ đi', direction: 'outgoing' })).json();
    await h.post(`/v1/documents/${decision}/registration`, { registerId: register.id });
    expect((await search(`registerId=${register.id}`)).items.map((i) => i.id)).toEqual([decision]);
    const urgent = (await h.upload({ direction: 'internal', subject: 'Hỏa tốc', urgency: 'immediate' })).id;
    expect((await search('urgency=immediate')).items.map((i) => i.id)).toEqual([urgent]);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    expect((await search(`from=${today}&to=${today}&${q('hoa toc')}`)).items.map((i) => i.id)).toEqual([urgent]);
    expect((await search(`to=2020-01-01`)).items).toEqual([]);
    expect(
      (await h.app.inject({ method: 'GET', url: '/v1/documents?from=2026-02-30', headers: h.asA })).statusCode,
    ).toBe(400);
  });

  it('hides revoked incoming documents unless asked for them', async () => {
    const revoked = (await h.upload({ direction: 'incoming', subject: 'Công văn đã bị thu hồi' })).id;
    expect(
      (await h.post(`/v1/documents/${revoked}/recall`, { reason: 'Bên gửi thu hồi', origin: 'issuer' })).statusCode,
    ).toBe(200);
    expect((await search(q('thu hoi'))).items).toEqual([]);
    expect((await search(`${q('thu hoi')}&status=revoked`)).items.map((i) => i.id)).toEqual([revoked]);
  });

  it('saves a search per user and runs it again', async () => {
    const saved = await h.post('/v1/searches', {
      name: 'Quyết định',
      criteria: { q: 'quyết định', direction: 'outgoing' },
    });
    expect(saved.statusCode).toBe(201);
    expect((await h.post('/v1/searches', { name: 'Quyết định', criteria: {} })).statusCode).toBe(409);
    const results = await h.app.inject({
      method: 'GET',
      url: `/v1/searches/${saved.json().id}/results`,
      headers: h.asA,
    });
    expect(results.json().items.map((i: { id: string }) => i.id)).toEqual([decision]);
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/searches/${saved.json().id}/results`, headers: h.asB }))
        .statusCode,
    ).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/v1/searches', headers: h.asA })).json().items).toHaveLength(1);
  });
});
