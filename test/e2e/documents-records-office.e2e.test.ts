import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient, json } from '../support/gateway-client';
import { multipartBody } from '../support/multipart';
import { makePdf } from '../support/pdfs';
import { agencyA, agencyB } from '../support/identities';
import { eventually } from '../support/wait';
import { makeDocx } from '../../services/documents/test/docx-files';
import { pdfText, qpdfCheck } from '../../services/documents/test/pdf-tools';
import { vietnamesePdf } from '../../services/documents/test/vietnamese-pdf';

// The "done when", through the gateway as an integrator calls it: DOCX drafts come back
// as PDFs qpdf accepts, search finds Vietnamese without accents (also inside PDFs), the PDF
// register reads back with pdftotext, and a document filed in two dossiers exists once.
let stack: TestStack;
let clerk: ReturnType<typeof gatewayClient>;

beforeAll(async () => {
  stack = await startTestStack('docoffice');
  const admin = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'quan-tri', agency: agencyA, roles: ['admin'] }),
  );
  const directory = {
    organisations: [
      {
        code: agencyA,
        name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
        abbreviation: 'UBND',
        units: [{ code: 'vp', name: 'Văn phòng', abbreviation: 'VP' }],
      },
    ],
  };
  expect((await admin.call('POST', '/v1/organisations/imports', json(directory))).status).toBe(200);
  clerk = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu-a', agency: agencyA, roles: ['clerk', 'specialist'] }),
  );
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('the records office through the gateway', () => {
  it('converts a DOCX draft into a PDF version that qpdf accepts', async () => {
    const { body, contentType } = multipartBody([
      {
        name: 'metadata',
        value: JSON.stringify({ direction: 'outgoing', subject: 'Dự thảo tờ trình', typeCode: 'TTr' }),
      },
      {
        name: 'file',
        value: await makeDocx(['Tờ trình về việc đề nghị phê duyệt đề án']),
        filename: 'to-trinh.docx',
        contentType: 'application/octet-stream',
      },
    ]);
    const created = await clerk.call('POST', '/v1/documents', { body, contentType });
    expect(created.status).toBe(201);
    const document = created.body as { id: string; currentVersion: number; versions: { kind: string }[] };
    expect(document.versions.map((v) => v.kind)).toEqual(['upload', 'conversion']);
    const pdf = await clerk.get(`/v1/documents/${document.id}/content`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(qpdfCheck(pdf.raw)).toMatchObject({ status: 0 });
    expect(pdfText(pdf.raw)).toContain('Tờ trình về việc đề nghị phê duyệt đề án');
  }, 120_000);

  it('finds Vietnamese text without accents, in the subject and inside the PDF, only in the caller’s agency', async () => {
    const subject = (
      await clerk.uploadDocument(await makePdf('e2e-search'), {
        direction: 'incoming',
        subject: 'Quyết định về việc thành lập Ban chỉ đạo',
      })
    ).body as { id: string };
    const inPdf = (
      await clerk.uploadDocument(await vietnamesePdf(['Chương trình mục tiêu quốc gia xây dựng nông thôn mới']), {
        direction: 'incoming',
        subject: 'Văn bản đến số 12',
      })
    ).body as { id: string };
    const found = await clerk.get(`/v1/documents?q=${encodeURIComponent('quyet dinh thanh lap')}`);
    expect((found.body as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([subject.id]);
    await eventually(
      async () =>
        (
          (await clerk.get(`/v1/documents?q=${encodeURIComponent('nong thon moi')}`)).body as {
            items: { id: string }[];
          }
        ).items.map((i) => i.id),
      (ids) => ids.length === 1 && ids[0] === inPdf.id,
      30_000,
      'the PDF text to be indexed',
    );
    const other = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-b', agency: agencyB, roles: ['clerk'] }),
    );
    expect(
      ((await other.get(`/v1/documents?q=${encodeURIComponent('quyet dinh')}`)).body as { items: unknown[] }).items,
    ).toEqual([]);
  });

  it('prints the outgoing register as a PDF that pdftotext reads back in Vietnamese', async () => {
    const register = (await clerk.call('POST', '/v1/registers', json({ name: 'Sổ văn bản đi', direction: 'outgoing' })))
      .body as { id: string };
    const decision = (
      await clerk.uploadDocument(await makePdf('e2e-register'), {
        direction: 'outgoing',
        subject: 'Về việc kiện toàn tổ công tác',
        typeCode: 'QĐ',
        signer: { fullName: 'Lê Hoàng Cường' },
      })
    ).body as { id: string };
    const letter = (
      await clerk.uploadDocument(await makePdf('e2e-register-2'), {
        direction: 'outgoing',
        subject: 'Về việc đôn đốc báo cáo',
        typeCode: 'CV',
      })
    ).body as { id: string };
    expect(
      (await clerk.call('POST', `/v1/documents/${decision.id}/registration`, json({ registerId: register.id }))).status,
    ).toBe(201);
    expect(
      (
        await clerk.call(
          'POST',
          `/v1/documents/${letter.id}/registration`,
          json({ registerId: register.id, unitCode: 'vp' }),
        )
      ).status,
    ).toBe(201);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    const exported = await clerk.get(`/v1/registers/${register.id}/export?from=${today}&to=${today}&format=pdf`);
    expect(exported.status).toBe(200);
    expect(qpdfCheck(exported.raw).status).toBe(0);
    const text = pdfText(exported.raw);
    for (const expected of [
      'SỔ ĐĂNG KÝ VĂN BẢN ĐI',
      'Ủy ban nhân dân tỉnh Thử Nghiệm',
      '01/QĐ-UBND',
      '02/UBND-VP',
      'Lê Hoàng Cường',
      'Về việc kiện toàn tổ công tác',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('files one document in two dossiers without copying it', async () => {
    const document = (
      await clerk.uploadDocument(await makePdf('e2e-dossier'), { direction: 'incoming', subject: 'Báo cáo dùng chung' })
    ).body as { id: string };
    const first = (
      await clerk.call(
        'POST',
        '/v1/dossiers',
        json({ fileNotation: '01.VP', title: 'Hồ sơ thứ nhất', maintenance: '5 năm' }),
      )
    ).body as { id: string };
    const second = (
      await clerk.call(
        'POST',
        '/v1/dossiers',
        json({ fileNotation: '02.VP', title: 'Hồ sơ thứ hai', maintenance: 'Vĩnh viễn' }),
      )
    ).body as { id: string };
    for (const dossier of [first, second])
      expect(
        (await clerk.call('POST', `/v1/dossiers/${dossier.id}/documents`, json({ documentId: document.id }))).status,
      ).toBe(201);
    const entries = await Promise.all(
      [first, second].map(
        async (d) =>
          ((await clerk.get(`/v1/dossiers/${d.id}`)).body as { documents: { documentId: string }[] }).documents,
      ),
    );
    expect(entries.map((list) => list.map((e) => e.documentId))).toEqual([[document.id], [document.id]]);
    // Exists once: searching for it gives one document.
    const found = (await clerk.get(`/v1/documents?q=${encodeURIComponent('bao cao dung chung')}`)).body as {
      items: { id: string }[];
    };
    expect(found.items.map((i) => i.id)).toEqual([document.id]);
  });

  it('refuses a state-secret document before storing it, with a clear problem', async () => {
    const pdf = Buffer.concat([await makePdf('e2e-secret', 40)]);
    const refused = await clerk.uploadDocument(pdf, {
      direction: 'incoming',
      subject: 'Tài liệu tối mật',
      secrecy: 'top-secret',
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'UNPROCESSABLE', errors: [{ field: 'metadata.secrecy' }] });
    const found = (await clerk.get(`/v1/documents?q=${encodeURIComponent('toi mat')}&status=draft`)).body as {
      items: unknown[];
    };
    expect(found.items).toEqual([]);
  });
});
