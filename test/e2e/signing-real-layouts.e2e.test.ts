import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient, json } from '../support/gateway-client';
import { gatewayPerson, signTwoStep, uploadSignatureImage } from '../support/gateway-signing';
import { agencyA } from '../support/identities';
import { congVanDocx, libreOfficePdfs } from '../../services/signing/test/fixtures/office-documents';
import { blueSignaturePng, redSealPng } from '../../services/signing/test/fixtures/images';
import { ensureDss, validateWithDss } from '../../infra/src/dss';
import { inkIn, pdfsig, popplerWords, qpdfCheck, render, word } from '../../services/signing/test/support';

// "Done when" of issue 10, through the gateway: a công văn exported by LibreOffice from a DOCX with
// justified text, its "Nơi nhận:" split into separate text items and its signature block crossing a page
// (the name alone at the top of page 2), gets both initials at their anchors, the approval and the seal
// where NĐ 30/2020 Phụ lục I puts them, four signatures valid by pdfsig and by EU DSS; a name that is not
// the certificate holder's never reaches the page. Positions are checked against poppler's word boxes.
let stack: TestStack;
let dir: string;
let pdf: Buffer;
beforeAll(async () => {
  [pdf] = libreOfficePdfs([congVanDocx({ paragraphs: 4, extraLines: 1, headingStyle: 'distributed' })]) as [Buffer];
  stack = await startTestStack('signing');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layouts-e2e-'));
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Client = ReturnType<typeof gatewayClient>;
const post = (client: Client, url: string, body: unknown) => client.call('POST', url, json(body));
const person = (user: string, roles: string[], name: string, pki: string) =>
  gatewayPerson(stack, { user, agency: agencyA, roles, name, pki });

it('a LibreOffice công văn whose signature block crosses a page: initials at their anchors, approval and seal per Phụ lục I, four valid signatures, the certificate holder printed', async () => {
  const input = path.join(dir, 'input.pdf');
  fs.writeFileSync(input, pdf);
  const inputWords = popplerWords(input);
  // The layout under test: the heading in separate words, PHÓ CHỦ TỊCH ends page 1, the name opens page 2.
  expect(inputWords.some((w) => w.text === 'Nơi')).toBe(true);
  const position = word(inputWords, (w) => w.text === 'PHÓ', 'PHÓ');
  const name = word(inputWords, (w) => w.text === 'An', 'An');
  expect([position.page, name.page]).toEqual([0, 1]);

  const clerk = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu-a', agency: agencyA, roles: ['clerk'] }),
  );
  const admin = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'quan-tri-a', agency: agencyA, roles: ['admin'] }),
  );
  // The directory abbreviates the unit leader's name; the certificate spells it in full.
  const unitLeader = await person('cuong', ['unit-leader'], 'Lê H. Cường', 'le-hoang-cuong');
  const checker = await person('binh', ['format-checker'], 'Trần Thị Bình', 'tran-thi-binh');
  const leader = await person('an', ['agency-leader'], 'Nguyễn Văn An', 'nguyen-van-an');
  const created = await clerk.uploadDocument(pdf, { direction: 'outgoing', subject: 'Về việc triển khai chữ ký số' });
  expect(created.status).toBe(201);
  const documentId = (created.body as { id: string }).id;
  expect((await uploadSignatureImage(clerk, redSealPng(), { kind: 'seal', widthMm: 36 })).status).toBe(201);
  expect((await uploadSignatureImage(leader.client, blueSignaturePng(), { kind: 'signature' })).status).toBe(201);
  for (const p of [unitLeader, checker, leader]) {
    const registered = await post(p.client, '/v1/certificates', { certificate: fs.readFileSync(p.certPath, 'utf8') });
    expect(registered.status).toBe(201);
    expect((await post(admin, `/v1/certificates/${(registered.body as { id: string }).id}/activate`, {})).status).toBe(
      200,
    );
  }

  // A client cannot choose whose name is printed.
  const forged = await post(checker.client, '/v1/signing-sessions', {
    kind: 'initial',
    step: 'format',
    signerName: 'Nguyễn Văn An',
    documents: [{ documentId }],
  });
  expect(forged.status).toBe(422);
  expect((forged.body as { errors: { field: string }[] }).errors[0]?.field).toBe('signerName');

  await signTwoStep(unitLeader, documentId, { kind: 'initial', step: 'content' }, { level: 'B-B' });
  await signTwoStep(
    checker,
    documentId,
    { kind: 'initial', step: 'format', signerName: 'TRẦN THỊ BÌNH' },
    { level: 'B-B' },
  );
  await signTwoStep(leader, documentId, { kind: 'approval', authorityPrefix: 'KT.' }, { level: 'B-B' });
  const sealed = await post(clerk, `/v1/documents/${documentId}/signatures`, { kind: 'issue', level: 'B-LT' });
  expect(sealed.status).toBe(201);

  const content = await clerk.get(`/v1/documents/${documentId}/content`);
  const file = path.join(dir, 'signed.pdf');
  fs.writeFileSync(file, content.raw);
  const sigs = pdfsig(file);
  expect(sigs).toHaveLength(4);
  expect(sigs.every((s) => s.valid)).toBe(true);
  expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);

  type Rect = { page: number; x: number; y: number; width: number; height: number };
  const signatures = (await clerk.get(`/v1/documents/${documentId}/signatures`)).body as {
    kind: string;
    appearance: Rect;
  }[];
  expect(signatures.map((s) => s.kind)).toEqual(['initial', 'initial', 'approval', 'issue']);
  const [content1, format, approval, seal] = signatures.map((s) => s.appearance) as [Rect, Rect, Rect, Rect];
  // The content initial right after "./." on its line; the format initial under the last recipient.
  const mark = word(inputWords, (w) => w.text.endsWith('./.'), '"./."');
  expect(content1.page).toBe(mark.page);
  expect(content1.x).toBeGreaterThanOrEqual(mark.x1);
  expect(content1.x - mark.x1).toBeLessThan(12);
  expect(content1.y).toBeLessThan(mark.y0);
  expect(content1.y + content1.height).toBeGreaterThan(mark.y1);
  const lastRecipient = word(inputWords, (w) => w.text === 'KGVX.', 'KGVX.');
  expect(format.page).toBe(lastRecipient.page);
  expect(format.y + format.height).toBeLessThanOrEqual(lastRecipient.y0 + 1);
  expect(lastRecipient.y0 - (format.y + format.height)).toBeLessThan(12);
  // The approval under the position lines on page 1 (the name moved on), the seal over its left third there.
  expect(approval.page).toBe(0);
  expect(approval.y + approval.height).toBeLessThanOrEqual(position.y0 + 0.5);
  expect(Math.abs(approval.x + approval.width / 2 - (name.x0 + name.x1) / 2)).toBeLessThan(60);
  expect(seal.page).toBe(0);
  expect(seal.x + seal.width).toBeCloseTo(approval.x + approval.width / 3, 3);
  const png = render(file, 1);
  const h = 841.89;
  expect(
    inkIn(png, h, { ...approval, x: approval.x + approval.width / 3 + 2, width: (approval.width * 2) / 3 - 2 }).blue,
  ).toBeGreaterThan(50);
  expect(inkIn(png, h, { ...approval, width: approval.width / 3 }).red).toBeGreaterThan(50);
  // The printed initials name the certificate holders, not the directory's spelling or the client's.
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).normalize('NFC');
  expect(text).toContain('Lê Hoàng Cường');
  expect(text).not.toContain('Lê H. Cường');
  expect(text).toContain('Trần Thị Bình');
  expect(text).not.toContain('TRẦN THỊ BÌNH');

  // EU DSS, an independent validator, with only the test root as trust anchor.
  const dss = await validateWithDss(await ensureDss(), file, stack.infra.pki.rootCert);
  expect(dss.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED']);
  expect(dss.map((s) => s.format)).toEqual([
    'PAdES-BASELINE-B',
    'PAdES-BASELINE-B',
    'PAdES-BASELINE-B',
    'PAdES-BASELINE-LT',
  ]);
  expect(dss.map((s) => s.signedBy.normalize('NFC'))).toEqual([
    'Lê Hoàng Cường',
    'Trần Thị Bình',
    'Nguyễn Văn An',
    'UBND tỉnh Thử Nghiệm',
  ]);
}, 420_000);
