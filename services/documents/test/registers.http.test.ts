import { outboxProblems } from './outbox-check';
import { startHarness, directory } from './http-harness';
import type { Harness } from './http-harness';
import { agencyA } from '../../../test/support/identities';
import { documentUpload, multipartBody } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';
import { vietnamDate } from '../src/rules/numbering';

let h: Harness;
let outgoingRegister: string;
let incomingRegister: string;
const year = vietnamDate(new Date()).year;

beforeAll(async () => {
  h = await startHarness('registers');
  expect((await h.post('/v1/organisations/imports', directory, h.directoryAdmin)).statusCode).toBe(200);
  outgoingRegister = (await h.post('/v1/registers', { name: 'Sổ văn bản đi', direction: 'outgoing' })).json().id;
  incomingRegister = (await h.post('/v1/registers', { name: 'Sổ văn bản đến', direction: 'incoming' })).json().id;
});
afterAll(async () => {
  await h.close();
});

const register = (id: string, body: unknown, headers = h.asA) =>
  h.post(`/v1/documents/${id}/registration`, body, headers);
const counter = async (registerId: string) =>
  (
    await h.fixture.pool.query('SELECT last_number FROM number_counters WHERE series_key = $1 AND year = $2', [
      `register:${registerId}`,
      year,
    ])
  ).rows[0]?.last_number as number | undefined;

describe('registers and numbering (NĐ 30/2020 Điều 15)', () => {
  it('numbers a Quyết định 01/QĐ-UBND with its mã định danh, and a công văn {số}/UBND-KGVX', async () => {
    const decision = await h.upload({
      direction: 'outgoing',
      subject: 'Quyết định về việc ban hành quy chế',
      typeCode: 'QĐ',
    });
    const first = await register(decision.id, { registerId: outgoingRegister });
    expect(first.statusCode).toBe(201);
    const { document, warnings } = first.json();
    expect(warnings).toEqual([]);
    expect(document.status).toBe('registered');
    const today = vietnamDate(new Date());
    const ymd = `${today.year}/${String(today.month).padStart(2, '0')}/${String(today.day).padStart(2, '0')}`;
    expect(document.registration).toMatchObject({
      registerId: outgoingRegister,
      registerName: 'Sổ văn bản đi',
      year,
      number: 1,
      numberText: '01',
      notation: '01/QĐ-UBND',
      documentIdentifier: `${agencyA},${ymd},01/QĐ-UBND`,
      registeredBy: 'van-thu-1',
    });
    // Phụ lục VI mục I: the system fills CodeNumber, CodeNotation, IssuedDate and OrganName.
    expect(document.metadata).toMatchObject({
      codeNumber: '01',
      codeNotation: 'QĐ-UBND',
      organName: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
    });
    const fetched = await h.app.inject({ method: 'GET', url: `/v1/documents/${decision.id}`, headers: h.asA });
    expect(fetched.json().registration).toEqual(document.registration);

    const letter = await h.upload({ direction: 'outgoing', subject: 'Về việc triển khai chữ ký số', typeCode: 'CV' });
    const second = (await register(letter.id, { registerId: outgoingRegister })).json();
    expect(second.document.registration.notation).toBe('02/UBND-KGVX');
    const tt = await h.upload({ direction: 'outgoing', subject: 'Tờ trình đề nghị phê duyệt', typeCode: 'TTr' });
    expect((await register(tt.id, { registerId: outgoingRegister })).json().document.registration.notation).toBe(
      '03/TTr-UBND',
    );
  });

  it('gives 50 concurrent requests 50 consecutive numbers, none repeated or skipped', async () => {
    const before = (await counter(outgoingRegister)) ?? 0;
    const documents = [];
    for (let i = 0; i < 50; i += 1)
      documents.push(await h.upload({ direction: 'outgoing', subject: `Kế hoạch số ${i}`, typeCode: 'KH' }));
    const responses = await Promise.all(documents.map((d) => register(d.id, { registerId: outgoingRegister })));
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 201));
    const numbers = responses.map((r) => r.json().document.registration.number as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => before + i + 1));
    const notations = new Set(responses.map((r) => r.json().document.registration.notation));
    expect(notations.size).toBe(50);
  });

  it('writes the số in every field as formatNumber does, across 9 → 10 and 99 → 100 (Phụ lục I.II.3.c)', async () => {
    const series = (
      await h.post('/v1/registers', { name: 'Sổ báo cáo', direction: 'outgoing', typeCodes: ['BC'] })
    ).json().id as string;
    const registered = [];
    for (const preset of [8, 98]) {
      await h.fixture.pool.query(
        `INSERT INTO number_counters (series_key, year, last_number) VALUES ($1, $2, $3)
         ON CONFLICT (series_key, year) DO UPDATE SET last_number = EXCLUDED.last_number`,
        [`register:${series}`, year, preset],
      );
      for (let i = 0; i < 2; i += 1) {
        const report = await h.upload({ direction: 'outgoing', subject: `Báo cáo ${preset + i}`, typeCode: 'BC' });
        registered.push((await register(report.id, { registerId: series })).json().document);
      }
    }
    expect(registered.map((d) => [d.registration.number, d.registration.numberText, d.metadata.codeNumber])).toEqual([
      [9, '09', '09'],
      [10, '10', '10'],
      [99, '99', '99'],
      [100, '100', '100'],
    ]);
    expect(registered.map((d) => d.registration.notation)).toEqual([
      '09/BC-UBND',
      '10/BC-UBND',
      '99/BC-UBND',
      '100/BC-UBND',
    ]);
    for (const d of registered)
      expect(d.registration.documentIdentifier).toMatch(new RegExp(`,${d.registration.notation}$`));
    // The event carries the same number, ký hiệu and identifier as the row, and search finds the document by them.
    const { rows } = await h.fixture.pool.query(
      `SELECT data FROM outbox WHERE event_type = 'vn.vanthu.document.registered.v1' AND data ->> 'registerId' = $1
        ORDER BY position`,
      [series],
    );
    expect(rows.map((r) => [r.data.number, r.data.notation, r.data.documentIdentifier])).toEqual(
      registered.map((d) => [d.registration.number, d.registration.notation, d.registration.documentIdentifier]),
    );
    const found = await h.app.inject({ method: 'GET', url: '/v1/documents?q=100%2Fbc-ubnd', headers: h.asA });
    expect(found.json().items.map((item: { id: string }) => item.id)).toContain(registered[3].id);
  });

  it('does not burn a number when the registration fails after taking it', async () => {
    const doomed = await h.upload({ direction: 'outgoing', subject: 'Sẽ thất bại', typeCode: 'BC' });
    // A failure after the number is taken, inside the same transaction (as a crash would be).
    await h.fixture.pool.query(`CREATE FUNCTION fail_registration() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.document_id = '${doomed.id}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await h.fixture.pool.query(
      'CREATE TRIGGER fail_registration BEFORE INSERT ON registrations FOR EACH ROW EXECUTE FUNCTION fail_registration()',
    );
    const before = (await counter(outgoingRegister)) ?? 0;
    const failed = await register(doomed.id, { registerId: outgoingRegister });
    expect(failed.statusCode).toBe(500);
    expect(failed.json().code).toBe('INTERNAL');
    expect(await counter(outgoingRegister)).toBe(before);
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/documents/${doomed.id}`, headers: h.asA })).json(),
    ).toMatchObject({ status: 'draft', registration: null });
    const next = await h.upload({ direction: 'outgoing', subject: 'Tiếp theo', typeCode: 'BC' });
    expect((await register(next.id, { registerId: outgoingRegister })).json().document.registration.number).toBe(
      before + 1,
    );
    await h.fixture.pool.query('DROP TRIGGER fail_registration ON registrations; DROP FUNCTION fail_registration()');
  });

  it('refuses to register twice, into the wrong register, without a type or in another agency', async () => {
    const doc = await h.upload({ direction: 'outgoing', subject: 'Thông báo', typeCode: 'TB' });
    expect((await register(doc.id, { registerId: incomingRegister })).json()).toMatchObject({
      status: 422,
      code: 'UNPROCESSABLE',
    });
    expect((await register(doc.id, { registerId: outgoingRegister }, h.asB)).statusCode).toBe(404);
    expect((await register(doc.id, { registerId: outgoingRegister })).statusCode).toBe(201);
    expect((await register(doc.id, { registerId: outgoingRegister })).json()).toMatchObject({
      status: 409,
      code: 'CONFLICT',
    });
    const untyped = await h.upload({ direction: 'outgoing', subject: 'Không có loại' });
    const missing = (await register(untyped.id, { registerId: outgoingRegister })).json();
    expect(missing).toMatchObject({
      status: 400,
      errors: [{ field: 'body.typeCode', message: 'required for this document' }],
    });
    const unknown = (await register(untyped.id, { registerId: outgoingRegister, typeCode: 'XYZ' })).json();
    expect(unknown).toMatchObject({ status: 400, code: 'INVALID_METADATA', errors: [{ field: 'body.typeCode' }] });
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/documents/${untyped.id}`, headers: h.asA })).json().status,
    ).toBe('draft');
  });

  it('gives incoming documents số đến and warns of a duplicate identifier or số/ký hiệu from the same issuer', async () => {
    const incoming = {
      direction: 'incoming',
      subject: 'Công văn về việc báo cáo',
      typeCode: 'CV',
      sender: { organId: '000.00.31.H56', organName: 'Sở Nội vụ' },
      codeNumber: '125',
      codeNotation: 'SNV-VP',
      issuedDate: '2026-03-02',
    };
    const first = (await register((await h.upload(incoming)).id, { registerId: incomingRegister })).json();
    expect(first.warnings).toEqual([]);
    expect(first.document.registration).toMatchObject({
      number: 1,
      numberText: '01',
      notation: '125/SNV-VP',
      documentIdentifier: '000.00.31.H56,2026/03/02,125/SNV-VP',
    });
    expect(first.document.metadata).toMatchObject({ arrivalNumber: 1 });
    const again = (await register((await h.upload(incoming)).id, { registerId: incomingRegister })).json();
    expect(again.document.registration.number).toBe(2);
    expect(again.warnings).toEqual([
      expect.objectContaining({ code: 'duplicate-identifier', documentId: first.document.id }),
    ]);
    const sameNumberOtherDate = (
      await register((await h.upload({ ...incoming, issuedDate: '2026-03-03' })).id, { registerId: incomingRegister })
    ).json();
    expect(sameNumberOtherDate.warnings.map((w: { code: string }) => w.code)).toEqual([
      'duplicate-number-notation-issuer',
      'duplicate-number-notation-issuer',
    ]);
    const incomplete = await h.upload({ direction: 'incoming', subject: 'Thiếu số ký hiệu' });
    const refused = (await register(incomplete.id, { registerId: incomingRegister })).json();
    expect(refused).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
    expect(refused.errors.map((e: { field: string }) => e.field)).toEqual([
      'metadata.codeNumber',
      'metadata.codeNotation',
      'metadata.issuedDate',
      'metadata.sender',
    ]);
  });
});

describe('separate series and metadata corrections', () => {
  const patch = (id: string, body: unknown, headers = h.asA) =>
    h.app.inject({ method: 'PATCH', url: `/v1/documents/${id}/metadata`, headers, payload: body as object });

  it('keeps a register restricted to its types as its own series', async () => {
    const resolutions = (
      await h.post('/v1/registers', { name: 'Sổ nghị quyết', direction: 'outgoing', typeCodes: ['NQ'] })
    ).json();
    expect(resolutions.typeCodes).toEqual(['NQ']);
    const report = await h.upload({ direction: 'outgoing', subject: 'Báo cáo', typeCode: 'BC' });
    expect((await register(report.id, { registerId: resolutions.id })).json()).toMatchObject({
      status: 422,
      errors: [{ field: 'body.registerId' }],
    });
    const resolution = await h.upload({ direction: 'outgoing', subject: 'Nghị quyết', typeCode: 'NQ' });
    expect((await register(resolution.id, { registerId: resolutions.id })).json().document.registration).toMatchObject({
      number: 1,
      notation: '01/NQ-UBND',
      registerName: 'Sổ nghị quyết',
    });
    expect(
      (await h.post('/v1/registers', { name: 'Sổ lạ', direction: 'outgoing', typeCodes: ['ZZ'] })).json(),
    ).toMatchObject({ status: 400, errors: [{ field: 'body.typeCodes.0' }] });
  });

  it('refuses a second series that would repeat a số/ký hiệu within the year, burning no number (Điều 15.1)', async () => {
    const overlapping = (await h.post('/v1/registers', { name: 'Sổ đi thứ hai', direction: 'outgoing' })).json();
    const decision = await h.upload({ direction: 'outgoing', subject: 'Quyết định trùng số', typeCode: 'QĐ' });
    const refused = (await register(decision.id, { registerId: overlapping.id })).json();
    expect(refused).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(refused.detail).toContain('01/QĐ-UBND');
    expect(await counter(overlapping.id)).toBeUndefined();
  });

  it('corrects a draft’s metadata, fixes identifying fields once registered, and refuses bad fields', async () => {
    const doc = await h.upload({ direction: 'outgoing', subject: 'Dự thảo ban đầu', typeCode: 'TB' });
    const corrected = await patch(doc.id, {
      subject: 'Thông báo kết luận của Chủ tịch',
      urgency: 'urgent',
      signer: { fullName: 'Lê Hoàng Cường' },
    });
    expect(corrected.json()).toMatchObject({
      subject: 'Thông báo kết luận của Chủ tịch',
      urgency: 'urgent',
      metadata: { signer: { fullName: 'Lê Hoàng Cường' } },
    });
    const found = await h.app.inject({
      method: 'GET',
      url: `/v1/documents?q=${encodeURIComponent('ket luan chu tich le hoang cuong')}`,
      headers: h.asA,
    });
    expect(found.json().items.map((i: { id: string }) => i.id)).toEqual([doc.id]);
    expect((await patch(doc.id, { subject: 'x'.repeat(501) })).json()).toMatchObject({
      status: 400,
      errors: [{ field: 'body.subject' }],
    });
    expect((await patch(doc.id, { direction: 'incoming' })).json()).toMatchObject({
      status: 400,
      errors: [{ field: 'body.direction', message: 'unknown field' }],
    });
    expect((await patch(doc.id, {})).statusCode).toBe(400);
    expect((await patch(doc.id, { subject: 'Của người khác' }, h.asB)).statusCode).toBe(404);
    await register(doc.id, { registerId: outgoingRegister });
    expect((await patch(doc.id, { typeCode: 'QĐ' })).json()).toMatchObject({
      status: 409,
      errors: [{ field: 'body.typeCode' }],
    });
    expect((await patch(doc.id, { description: 'Bổ sung' })).statusCode).toBe(200);
  });
});

describe('issue and recall (NĐ 30/2020 Điều 18; Phụ lục VI mục III.8)', () => {
  async function addVersion(id: string, basedOnVersion: number) {
    const { body, contentType } = multipartBody([
      { name: 'metadata', value: JSON.stringify({ kind: 'signature', basedOnVersion }) },
      {
        name: 'file',
        value: await makePdf(`signed-${id}-${basedOnVersion}`),
        filename: 'signed.pdf',
        contentType: 'application/pdf',
      },
    ]);
    return h.app.inject({
      method: 'POST',
      url: `/v1/documents/${id}/versions`,
      headers: { ...h.asA, 'content-type': contentType },
      payload: body,
    });
  }

  it('moves draft → registered → issued → recalled; a recalled document refuses new versions', async () => {
    const doc = await h.upload({ direction: 'outgoing', subject: 'Chỉ thị về an toàn thông tin', typeCode: 'CT' });
    expect((await h.post(`/v1/documents/${doc.id}/issue`, {})).json()).toMatchObject({ status: 409, code: 'CONFLICT' });
    await register(doc.id, { registerId: outgoingRegister });
    expect((await addVersion(doc.id, 1)).statusCode).toBe(201);
    const issued = await h.post(`/v1/documents/${doc.id}/issue`, {});
    expect(issued.json()).toMatchObject({ status: 'issued', currentVersion: 2 });
    const recalled = await h.post(`/v1/documents/${doc.id}/recall`, { reason: 'Sai thẩm quyền ban hành' });
    expect(recalled.statusCode).toBe(200);
    expect(recalled.json()).toMatchObject({
      status: 'recalled',
      recall: { reason: 'Sai thẩm quyền ban hành', recalledBy: 'van-thu-1', origin: 'own' },
    });
    const refused = await addVersion(doc.id, 2);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/recalled/);
    expect((await h.post(`/v1/documents/${doc.id}/recall`, { reason: 'lần hai' })).statusCode).toBe(409);
    const frozen = await h.app.inject({
      method: 'PATCH',
      url: `/v1/documents/${doc.id}/metadata`,
      headers: h.asA,
      payload: { description: 'sửa sau thu hồi' },
    });
    expect(frozen.json()).toMatchObject({ status: 409, code: 'CONFLICT' });
    const events = await h.fixture.pool.query(
      'SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY position',
      [doc.id],
    );
    expect(events.rows.map((r) => r.event_type)).toEqual([
      'vn.vanthu.document.created.v1',
      'vn.vanthu.document.registered.v1',
      'vn.vanthu.document.version.added.v1',
      'vn.vanthu.document.issued.v1',
      'vn.vanthu.document.recalled.v1',
    ]);
  });

  it('marks an incoming document its issuer recalled as revoked, keeping it for audit', async () => {
    const doc = await h.upload({
      direction: 'incoming',
      subject: 'Văn bản bị thu hồi',
      sender: { organId: '000.00.31.H56' },
      codeNumber: '7',
      codeNotation: 'QĐ-SNV',
      issuedDate: '2026-01-05',
    });
    const revoked = await h.post(`/v1/documents/${doc.id}/recall`, {
      reason: 'Cơ quan ban hành thu hồi',
      origin: 'issuer',
    });
    expect(revoked.json()).toMatchObject({ status: 'revoked', recall: { origin: 'issuer' } });
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/documents/${doc.id}/content`, headers: h.asA })).statusCode,
    ).toBe(200);
  });
});

describe('organisation directory', () => {
  it('imports a CSV directory and refuses a bad line by number, importing nothing', async () => {
    const csv = [
      'organisationCode,organisationName,organisationAbbreviation,parentCode,unitCode,unitName,unitAbbreviation',
      '000.00.32.H56,"Sở Giáo dục và Đào tạo, tỉnh",SGDĐT,,vp,Văn phòng,VP',
      '000.00.32.H56,"Sở Giáo dục và Đào tạo, tỉnh",SGDĐT,,ktkd,Phòng Khảo thí,KTKĐ',
    ].join('\n');
    const imported = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations/imports',
      headers: { ...h.directoryAdmin, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imported.json()).toEqual({ organisations: 1, units: 2, people: 0 });
    const organisation = (
      await h.app.inject({ method: 'GET', url: '/v1/organisations/000.00.32.H56', headers: h.asA })
    ).json();
    expect(organisation).toMatchObject({ name: 'Sở Giáo dục và Đào tạo, tỉnh', abbreviation: 'SGDĐT' });
    expect(organisation.units.map((u: { abbreviation: string }) => u.abbreviation)).toEqual(['KTKĐ', 'VP']);

    const bad = `${csv}\n000.00.33.H56,Sở Y tế,sở y tế,,,,`;
    const refused = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations/imports',
      headers: { ...h.directoryAdmin, 'content-type': 'text/csv' },
      payload: bad.replace('000.00.32.H56', '000.00.34.H56'),
    });
    expect(refused.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.json().errors[0].field).toMatch(/^line 4/);
    expect(
      (await h.app.inject({ method: 'GET', url: '/v1/organisations/000.00.34.H56', headers: h.asA })).statusCode,
    ).toBe(404);
  });

  it('lets only administrators import', async () => {
    expect((await h.post('/v1/organisations/imports', directory)).json()).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
  });

  it('lists the 29 administrative types and the 3 copy kinds', async () => {
    const { items } = (await h.app.inject({ method: 'GET', url: '/v1/document-types', headers: h.asA })).json();
    expect(items.filter((t: { kind: string }) => t.kind === 'administrative')).toHaveLength(29);
    expect(
      items.filter((t: { kind: string }) => t.kind === 'copy').map((t: { abbreviation: string }) => t.abbreviation),
    ).toEqual(['SY', 'TrS', 'SL']);
  });
});

describe('form policy (QĐ 648/QĐ-UBND Phụ lục I–III; docs/domain/directives.md, Lục Nam)', () => {
  it('defaults to the seed’s lists, refuses electronic outgoing drafts of paper-only types, and takes agency overrides', async () => {
    const policy = (await h.app.inject({ method: 'GET', url: '/v1/document-types/form-policy', headers: h.asA })).json()
      .items as { typeCode: string; form: string; source: string }[];
    const formOf = (code: string) => policy.find((p) => p.typeCode === code)?.form;
    expect([formOf('BC'), formOf('QĐ'), formOf('BB'), formOf('GGT')]).toEqual([
      'electronic',
      'electronic-and-paper',
      'paper',
      'paper',
    ]);
    expect(policy).toHaveLength(29);
    const decision = await h.upload({ direction: 'outgoing', subject: 'Quyết định', typeCode: 'QĐ' });
    expect(decision.metadata).toMatchObject({ deliveryForm: 'electronic-and-paper' });
    const count = async () => (await h.fixture.pool.query('SELECT count(*) AS n FROM documents')).rows[0].n as number;
    const before = await count();
    const { body, contentType } = documentUpload(await makePdf('bien-ban'), {
      direction: 'outgoing',
      subject: 'Biên bản họp',
      typeCode: 'BB',
    });
    const refused = await h.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...h.asA, 'content-type': contentType },
      payload: body,
    });
    expect(refused.json()).toMatchObject({
      status: 422,
      code: 'UNPROCESSABLE',
      errors: [{ field: 'metadata.typeCode', message: 'paper-only type' }],
    });
    expect(await count()).toBe(before);
    // Incoming paper-only documents are still recorded (received on paper, digitised).
    expect(
      (await h.upload({ direction: 'incoming', subject: 'Biên bản nhận được', typeCode: 'BB' })).metadata,
    ).toMatchObject({ deliveryForm: 'paper' });

    expect(
      (
        await h.app.inject({
          method: 'PUT',
          url: '/v1/document-types/form-policy',
          headers: h.asA,
          payload: { entries: [{ typeCode: 'BB', form: 'electronic' }] },
        })
      ).statusCode,
    ).toBe(403);
    const bad = await h.app.inject({
      method: 'PUT',
      url: '/v1/document-types/form-policy',
      headers: h.adminA,
      payload: {
        entries: [
          { typeCode: 'BB', form: 'electronic' },
          { typeCode: 'ZZ', form: 'paper' },
        ],
      },
    });
    expect(bad.json()).toMatchObject({ status: 400, errors: [{ field: 'body.entries.1.typeCode' }] });
    const updated = await h.app.inject({
      method: 'PUT',
      url: '/v1/document-types/form-policy',
      headers: h.adminA,
      payload: { entries: [{ typeCode: 'BB', form: 'electronic' }] },
    });
    expect(updated.json().items.find((p: { typeCode: string }) => p.typeCode === 'BB')).toMatchObject({
      form: 'electronic',
      source: 'agency',
    });
    expect(
      (await h.upload({ direction: 'outgoing', subject: 'Biên bản điện tử', typeCode: 'BB' })).metadata,
    ).toMatchObject({ deliveryForm: 'electronic' });
  });
});

describe('metadata refusals', () => {
  it('refuses state secrets, unknown types and over-long subjects, storing nothing', async () => {
    const count = async () => (await h.fixture.pool.query('SELECT count(*) AS n FROM documents')).rows[0].n as number;
    const before = await count();
    const send = async (metadata: unknown) => {
      const { body, contentType } = documentUpload(await makePdf('refused'), metadata);
      return h.app.inject({
        method: 'POST',
        url: '/v1/documents',
        headers: { ...h.asA, 'content-type': contentType },
        payload: body,
      });
    };
    const secret = await send({ direction: 'outgoing', subject: 'Tài liệu mật', secrecy: 'top-secret' });
    expect(secret.json()).toMatchObject({
      status: 422,
      code: 'UNPROCESSABLE',
      errors: [{ field: 'metadata.secrecy' }],
    });
    const unknownType = await send({ direction: 'outgoing', subject: 'Loại lạ', typeCode: 'ZZ' });
    expect(unknownType.json()).toMatchObject({
      status: 400,
      code: 'INVALID_METADATA',
      errors: [{ field: 'metadata.typeCode' }],
    });
    const long = await send({ direction: 'outgoing', subject: 'Đ'.repeat(501) });
    expect(long.json()).toMatchObject({
      status: 400,
      code: 'INVALID_METADATA',
      errors: [{ field: 'metadata.subject' }],
    });
    expect(await count()).toBe(before);
  });
});

describe('events', () => {
  it('writes only events that match their JSON Schemas in the contracts package', async () => {
    expect(await outboxProblems(h.fixture.pool)).toEqual([]);
  });
});
