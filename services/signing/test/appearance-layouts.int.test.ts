import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { AppError } from '@vanthu/platform';
import { PdfReader } from '@vanthu/pdf';
import { AnchorNotFoundError, defaultAnchors, planAppearance } from '../src/appearance/place-appearance';
import type { AppearanceRequest, Rect } from '../src/appearance/place-appearance';
import { signPdf } from '../src/pades/pades-engine';
import { blueSignaturePng, redSealPng } from './fixtures/images';
import { congVanDocx, libreOfficePdfs, wordStylePdf } from './fixtures/office-documents';
import { fontPath, inkIn, padesSettings, pdfsig, personSigner, popplerWords, qpdfCheck, render, word } from './support';

// Automatic placement on documents made the way agencies make them (LibreOffice from a DOCX with
// justified text, a Word-style export, a signature block that crosses a page), checked against
// poppler's own word boxes (pdftotext -bbox), not against our text extraction.

let dir: string;
let docs: Record<'distributed' | 'spaced' | 'nameMoved' | 'positionSplit', Buffer>;
const now = new Date('2026-12-01T03:04:05Z');
const write = (name: string, bytes: Buffer): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layouts-'));
  const [distributed, spaced, nameMoved, positionSplit] = libreOfficePdfs([
    // "Nơi" and "nhận:" become separate text items with a stretched gap between them.
    congVanDocx({ headingStyle: 'distributed' }),
    // Letter-spaced "N ơ i n h ậ n", the colon in another style after a space, "./." standing alone.
    congVanDocx({ headingStyle: 'spaced', recipientsHeading: 'Nơi nhận :', endMark: 'alone' }),
    // The position lines end page 1; the signer's name stands alone at the top of page 2.
    congVanDocx({ paragraphs: 4, extraLines: 1 }),
    // "PHÓ CHỦ TỊCH" moves to page 2 with the name; "TM. …" and "KT. CHỦ TỊCH" stay on page 1.
    congVanDocx({ paragraphs: 4, extraLines: 5 }),
  ]) as [Buffer, Buffer, Buffer, Buffer];
  docs = { distributed, spaced, nameMoved, positionSplit };
}, 180_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const initial = (step: 'content' | 'format', extra: Partial<AppearanceRequest> = {}): AppearanceRequest =>
  ({
    kind: 'initial',
    step,
    signerName: step === 'content' ? 'Lê Hoàng Cường' : 'Trần Thị Bình',
    time: now,
    anchors: defaultAnchors,
    ...extra,
  }) as AppearanceRequest;

/** The initial after "./." starts right of the mark, on its line; the format initial sits under the last recipient. */
function expectInitialsAtAnchors(file: string, content: Rect, format: Rect): void {
  const words = popplerWords(file);
  const mark = word(words, (w) => w.text.endsWith('./.'), '"./."');
  expect(content.page).toBe(mark.page);
  const oneLine = content.height < 20;
  if (oneLine) expect(content.y + content.height).toBeLessThanOrEqual(mark.y0 + 2);
  else {
    expect(content.x).toBeGreaterThanOrEqual(mark.x1);
    expect(content.x - mark.x1).toBeLessThan(12);
    // The box straddles the mark's line.
    expect(content.y).toBeLessThan(mark.y0);
    expect(content.y + content.height).toBeGreaterThan(mark.y1);
  }
  const lastRecipient = word(words, (w) => w.text === 'KGVX.', 'KGVX.');
  expect(format.page).toBe(lastRecipient.page);
  expect(format.y + format.height).toBeLessThanOrEqual(lastRecipient.y0 + 1);
  expect(lastRecipient.y0 - (format.y + format.height)).toBeLessThan(12);
  expect(format.x).toBeLessThan(lastRecipient.x0);
}

describe('anchors on reconstructed lines', () => {
  it.each([
    ['distributed "Nơi" … "nhận:" (LibreOffice, justified)', 'distributed'],
    ['letter-spaced "Nơi nhận :" with "./." alone (LibreOffice)', 'spaced'],
  ] as const)('finds both initial anchors on %s', async (_name, key) => {
    const pdf = docs[key];
    const file = write(`${key}.pdf`, pdf);
    // The precondition the defect needed: poppler sees the heading as separate words.
    const words = popplerWords(file);
    expect(words.some((w) => w.text === 'Nơi')).toBe(true);
    const content = await planAppearance(pdf, initial('content'), fontPath);
    const format = await planAppearance(pdf, initial('format'), fontPath);
    expectInitialsAtAnchors(file, content.rect, format.rect);
  });

  it('finds them on a Word-style export (one item per word, decomposed Unicode, colon in another font)', async () => {
    const pdf = await wordStylePdf({ recipientsHeading: 'Nơi nhận:' });
    const file = write('word.pdf', pdf);
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).not.toContain('Nơi nhận'.normalize('NFC'));
    const content = await planAppearance(pdf, initial('content'), fontPath);
    const format = await planAppearance(pdf, initial('format'), fontPath);
    const words = popplerWords(file);
    const mark = word(words, (w) => w.text.endsWith('./.'), '"./."');
    expect(content.rect.page).toBe(0);
    expect(Math.abs(content.rect.y + content.rect.height / 2 - (mark.y0 + mark.y1) / 2)).toBeLessThan(20);
    const lastRecipient = word(words, (w) => w.text === 'KGVX.', 'KGVX.');
    expect(format.rect.y + format.rect.height).toBeLessThanOrEqual(lastRecipient.y0 + 1);
  });

  it('says which anchors it looked for and what it found nearby', async () => {
    const pdf = await wordStylePdf({ recipientsHeading: 'Nơi gửi:' });
    const error = await planAppearance(pdf, initial('format'), fontPath).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AnchorNotFoundError);
    const problem = error as AnchorNotFoundError;
    expect(problem.status).toBe(422);
    expect(problem.lookedFor).toEqual(['Nơi nhận']);
    expect(problem.nearby[0]?.text).toMatch(/^Nơi gửi\s*:/);
    expect(problem.message).toContain('"Nơi nhận"');
    expect(problem.message).toContain('Nơi gửi');
    expect(problem.errors?.some((e) => e.field === 'rect')).toBe(true);
  });
});

describe('explicit rectangles, for every kind, inside the page box', () => {
  const signatureImage = blueSignaturePng();
  const seal = redSealPng();
  const rect: Rect = { page: 0, x: 100, y: 100, width: 120, height: 40 };
  const requests: AppearanceRequest[] = [
    initial('content', { rect }),
    initial('format', { rect }),
    {
      kind: 'approval',
      image: signatureImage,
      imageSize: { width: 300, height: 120 },
      signerName: 'Không Có Tên',
      rect,
    },
    { kind: 'issue', image: seal, imageSize: { width: 400, height: 400 }, widthMm: 36, approvalRect: rect, rect },
    { kind: 'attachment', text: '12/UBND-KGVX, 2026-12-01T10:04:05+07:00', rect },
    { kind: 'copy', text: 'SAO Y, UBND tỉnh Thử Nghiệm, 2026-12-01T10:04:05+07:00', rect },
    { kind: 'digitisation', image: seal, imageSize: { width: 400, height: 400 }, widthMm: 36, rect },
  ];
  it.each(requests.map((r) => [r.kind === 'initial' ? `initial ${r.step}` : r.kind, r] as const))(
    '%s: the given rectangle is used, one off the page is refused',
    async (_kind, request) => {
      // A Word-style page without the names or anchors: automatic placement would fail for most kinds.
      const pdf = await wordStylePdf({ recipientsHeading: 'Nơi gửi:', signerName: 'Người Khác' });
      expect((await planAppearance(pdf, request, fontPath)).rect).toEqual(rect);
      for (const bad of [
        { ...rect, page: 1 },
        { ...rect, x: 500 },
        { ...rect, y: -5 },
        { ...rect, y: 820 },
      ]) {
        const error = await planAppearance(pdf, { ...request, rect: bad } as AppearanceRequest, fontPath).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).status).toBe(422);
        expect((error as AppError).errors?.[0]?.field).toBe('rect');
      }
    },
  );
});

describe('a signature block that crosses a page, signed four times', () => {
  it.each([
    ['name alone at the top of page 2: approval under the position lines on page 1', 'nameMoved', 0],
    ['PHÓ CHỦ TỊCH and the name on page 2: approval between them on page 2', 'positionSplit', 1],
  ] as const)('%s; seal over its left third; pdfsig valid', async (_name, key, approvalPage) => {
    let bytes = docs[key];
    const before = write(`${key}-input.pdf`, bytes);
    const words = popplerWords(before);
    const name = word(words, (w) => w.text === 'An', 'An');
    const position = word(words, (w) => w.text === 'PHÓ', 'PHÓ');
    // The layout under test: the name opens page 2; PHÓ CHỦ TỊCH is on the expected page.
    expect(name.page).toBe(1);
    expect(position.page).toBe(approvalPage);
    const settings = padesSettings();
    const sign = async (person: string, request: AppearanceRequest): Promise<Rect> => {
      const plan = await planAppearance(bytes, request, fontPath);
      bytes = Buffer.concat([
        bytes,
        await signPdf(PdfReader.fromBuffer(bytes), personSigner(person), {}, 'B-B', settings, plan.builder),
      ]);
      return plan.rect;
    };
    await sign('le-hoang-cuong', initial('content', { image: png(), imageSize: { width: 300, height: 120 } }));
    await sign('tran-thi-binh', initial('format'));
    const approval = await sign('nguyen-van-an', {
      kind: 'approval',
      image: png(),
      imageSize: { width: 300, height: 120 },
      signerName: 'Nguyễn Văn An',
    });
    expect(approval.page).toBe(approvalPage);
    // Under PHÓ CHỦ TỊCH, and on page 2 above the name.
    expect(approval.y + approval.height).toBeLessThanOrEqual(position.y0 + 0.5);
    if (approvalPage === 1) expect(approval.y).toBeGreaterThanOrEqual(name.y1);
    else expect(approval.y).toBeGreaterThanOrEqual(28);
    const centre = approval.x + approval.width / 2;
    expect(Math.abs(centre - (name.x0 + name.x1) / 2)).toBeLessThan(60);
    // The seal is signed by the personal test key here: the placement is what is under test.
    const sealRect = await sign('nguyen-van-an', {
      kind: 'issue',
      image: redSealPng(),
      imageSize: { width: 400, height: 400 },
      widthMm: 36,
      approvalRect: approval,
    });
    expect(sealRect.page).toBe(approval.page);
    expect(sealRect.x + sealRect.width).toBeCloseTo(approval.x + approval.width / 3, 3);
    const file = write(`${key}-signed.pdf`, bytes);
    const sigs = pdfsig(file);
    expect(sigs).toHaveLength(4);
    expect(sigs.every((s) => s.valid)).toBe(true);
    expect(sigs[3]?.total).toBe(true);
    qpdfCheck(file);
    const rendered = render(file, approval.page + 1);
    const pageHeight = 841.89;
    const rightTwoThirds = {
      x: approval.x + approval.width / 3 + 2,
      y: approval.y,
      width: (approval.width * 2) / 3 - 2,
      height: approval.height,
    };
    expect(inkIn(rendered, pageHeight, rightTwoThirds).blue).toBeGreaterThan(50);
    const leftThird = { x: approval.x, y: approval.y, width: approval.width / 3, height: approval.height };
    expect(inkIn(rendered, pageHeight, leftThird).red).toBeGreaterThan(50);
  });
});

const png = (): Buffer => blueSignaturePng();
