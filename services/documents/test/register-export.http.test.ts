import ExcelJS from 'exceljs';
import { startHarness, directory } from './http-harness';
import type { Harness } from './http-harness';
import { pdfText, qpdfCheck } from './pdf-tools';
import type { LightMyRequestResponse } from 'fastify';
import { vietnamIsoDate } from '../src/rules/numbering';

let h: Harness;
let outgoing: string;
let incoming: string;
// The export's range is the Vietnam dates the registrations actually got (a run may cross midnight in Vietnam,
// 17:00 UTC), never the date the test file happened to be loaded on.
let from: string;
let to: string;
let arrivalDay: string;
const vn = (isoDate: string) => isoDate.split('-').reverse().join('/');

/** Every set-up step must succeed; a refused one (a 503 under load, say) fails here with its problem body. */
function expectStatus(response: LightMyRequestResponse, status: number, what: string): LightMyRequestResponse {
  if (response.statusCode !== status) throw new Error(`${what}: ${response.statusCode} ${response.body}`);
  return response;
}

beforeAll(async () => {
  h = await startHarness('regexport');
  expectStatus(await h.post('/v1/organisations/imports', directory, h.directoryAdmin), 200, 'directory import');
  const openRegister = async (name: string, direction: string) =>
    expectStatus(await h.post('/v1/registers', { name, direction }), 201, `register ${name}`).json<{ id: string }>().id;
  outgoing = await openRegister('Sổ văn bản đi', 'outgoing');
  incoming = await openRegister('Sổ văn bản đến', 'incoming');
  const register = async (documentId: string, registerId: string) =>
    vietnamIsoDate(
      new Date(
        expectStatus(
          await h.post(`/v1/documents/${documentId}/registration`, { registerId }),
          201,
          `registration of ${documentId}`,
        ).json<{ document: { registration: { registeredAt: string } } }>().document.registration.registeredAt,
      ),
    );
  const decision = await h.upload({
    direction: 'outgoing',
    subject: 'Về việc phòng chống lụt bão',
    typeCode: 'QĐ',
    signer: { position: 'Chủ tịch', fullName: 'Nguyễn Văn An' },
    to: [{ organId: '000.00.31.H56', organName: 'Sở Nội vụ' }],
    issuedAmount: 5,
  });
  from = await register(decision.id, outgoing);
  const letter = await h.upload({ direction: 'outgoing', subject: 'Về việc đôn đốc', typeCode: 'CV' });
  await register(letter.id, outgoing);
  const received = await h.upload({
    direction: 'incoming',
    subject: 'Đề nghị cử cán bộ',
    sender: { organId: '000.00.31.H56', organName: 'Sở Nội vụ' },
    codeNumber: '88',
    codeNotation: 'SNV-TCCB',
    issuedDate: '2026-02-10',
    toPlaces: 'Phòng Tổ chức',
    dueDate: '2026-12-31',
  });
  arrivalDay = await register(received.id, incoming);
  to = arrivalDay;
});
afterAll(async () => {
  await h.close();
});

const exportRegister = (id: string, query: string) =>
  h.app.inject({ method: 'GET', url: `/v1/registers/${id}/export?${query}`, headers: h.asA });

describe('registers as documents (NĐ 30/2020 Phụ lục IV)', () => {
  it('prints the outgoing register as a PDF whose text pdftotext reads back exactly', async () => {
    const response = await exportRegister(outgoing, `from=${from}&to=${to}&format=pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(qpdfCheck(response.rawPayload).status).toBe(0);
    const text = pdfText(response.rawPayload);
    for (const expected of [
      'SỔ ĐĂNG KÝ VĂN BẢN ĐI',
      'Ủy ban nhân dân tỉnh Thử Nghiệm',
      `Từ ngày ${vn(from)} đến ngày ${vn(to)}`,
      // Header cells that fit one line (wrapped ones interleave in pdftotext's reading order).
      'Tên loại và trích yếu nội dung văn bản',
      'Nơi nhận văn bản',
      'Người ký',
      '01/QĐ-UBND',
      '02/UBND-KGVX',
      'Nguyễn Văn An',
      'Sở Nội vụ',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/Quyết định: Về việc phòng chống lụt bão/);
  });

  it('exports the incoming register and the handling tracker as XLSX with the Phụ lục IV columns', async () => {
    const read = async (query: string) => {
      const response = await exportRegister(incoming, query);
      expect(response.statusCode).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      const rows: string[][] = [];
      sheet.eachRow((row) =>
        rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))),
      );
      return rows;
    };
    const register = await read(`from=${from}&to=${to}&format=xlsx`);
    expect(register[0]).toEqual(['SỔ ĐĂNG KÝ VĂN BẢN ĐẾN']);
    const header = register.find((row) => row[0] === 'Ngày đến');
    expect(header).toEqual([
      'Ngày đến',
      'Số đến',
      'Tác giả',
      'Số, ký hiệu văn bản',
      'Ngày tháng văn bản',
      'Tên loại và trích yếu nội dung văn bản',
      'Đơn vị hoặc người nhận',
      'Ngày chuyển',
      'Ký nhận',
      'Ghi chú',
    ]);
    expect(register[register.length - 1]).toEqual([
      vn(arrivalDay),
      '01',
      'Sở Nội vụ',
      '88/SNV-TCCB',
      '10/02/2026',
      'Đề nghị cử cán bộ',
      'Phòng Tổ chức',
      '',
      '',
      '',
    ]);

    const tracker = await read(`from=${from}&to=${to}&format=xlsx&layout=handling-tracker`);
    expect(tracker[0]).toEqual(['SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN']);
    expect(tracker.find((row) => row[0] === 'Số đến')).toHaveLength(7);
    expect(tracker[tracker.length - 1]?.[3]).toBe('31/12/2026');
  });

  it('returns an empty register for a range without entries, and refuses bad ranges and other agencies', async () => {
    const empty = pdfText((await exportRegister(outgoing, 'from=2020-01-01&to=2020-01-31&format=pdf')).rawPayload);
    expect(empty).toContain('SỔ ĐĂNG KÝ VĂN BẢN ĐI');
    expect(empty).not.toContain('01/QĐ-UBND');
    expect((await exportRegister(outgoing, `from=${from}&to=2020-01-01&format=pdf`)).json()).toMatchObject({
      status: 400,
    });
    expect((await exportRegister(outgoing, `from=${from}&to=${to}&format=docx`)).json()).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(
      (await exportRegister(outgoing, `from=${from}&to=${to}&format=pdf&layout=handling-tracker`)).json(),
    ).toMatchObject({ status: 422 });
    const other = await h.app.inject({
      method: 'GET',
      url: `/v1/registers/${outgoing}/export?from=${from}&to=${to}&format=pdf`,
      headers: h.asB,
    });
    expect(other.statusCode).toBe(404);
  });
});
