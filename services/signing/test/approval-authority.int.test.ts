import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PdfReader } from '@vanthu/pdf';
import { planAppearance } from '../src/appearance/place-appearance';
import type { AppearanceRequest, Rect } from '../src/appearance/place-appearance';
import { signPdf } from '../src/pades/pades-engine';
import { blueSignaturePng } from './fixtures/images';
import { congVanDocx, libreOfficePdfs, wordStylePdf } from './fixtures/office-documents';
import { fontPath, inkIn, padesSettings, pdfsig, personSigner, qpdfCheck, render } from './support';

// The authority the approval is recorded under (TM., Q., KT., TL., TUQ.; NĐ 30/2020 Phụ lục I.II.7.b) is printed by the
// approval stamp itself, above the signature image, as box 7b stands above box 7c. Read back by poppler (pdftotext on
// the stamp's rectangle only), not by our own text extraction.

let dir: string;
let libreOffice: Buffer;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authority-'));
  [libreOffice] = libreOfficePdfs([congVanDocx()]) as [Buffer];
}, 180_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const approval = (extra: Partial<Extract<AppearanceRequest, { kind: 'approval' }>> = {}): AppearanceRequest => ({
  kind: 'approval',
  image: blueSignaturePng(),
  imageSize: { width: 300, height: 120 },
  signerName: 'Nguyễn Văn An',
  ...extra,
});

/** Signs with the approval appearance, writes the file and checks it with pdfsig and qpdf. */
async function signed(name: string, pdf: Buffer, request: AppearanceRequest): Promise<{ file: string; rect: Rect }> {
  const plan = await planAppearance(pdf, request, fontPath);
  const bytes = Buffer.concat([
    pdf,
    await signPdf(PdfReader.fromBuffer(pdf), personSigner('nguyen-van-an'), {}, 'B-B', padesSettings(), plan.builder),
  ]);
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, bytes);
  const sigs = pdfsig(file);
  expect(sigs).toHaveLength(1);
  expect(sigs[0]?.valid).toBe(true);
  expect(sigs[0]?.total).toBe(true);
  qpdfCheck(file);
  return { file, rect: plan.rect };
}

/** The text poppler finds inside a rectangle (PDF points, origin bottom left) of one page, cropped inward. */
function textIn(file: string, rect: Rect, pageHeight = 841.89): string {
  const x = Math.ceil(rect.x);
  const y = Math.ceil(pageHeight - rect.y - rect.height);
  const w = Math.floor(rect.x + rect.width) - x;
  const h = Math.floor(pageHeight - rect.y) - y;
  const page = String(rect.page + 1);
  const args = ['-f', page, '-l', page, '-x', String(x), '-y', String(y), '-W', String(w), '-H', String(h)];
  return execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' })
    .replace(/\f/g, '')
    .trim();
}

describe('the approval stamp prints its authority line', () => {
  it('KT.: the block\'s own "KT. CHỦ TỊCH" above the image, inside the stamp; without a prefix, no text', async () => {
    const withPrefix = await signed('kt', libreOffice, approval({ authorityPrefix: 'KT.' }));
    expect(textIn(withPrefix.file, withPrefix.rect)).toBe('KT. CHỦ TỊCH');
    // The image is still there, under the line: blue ink in the lower part of the stamp.
    const png = render(withPrefix.file, withPrefix.rect.page + 1);
    const lower = { ...withPrefix.rect, height: withPrefix.rect.height - 12 };
    expect(inkIn(png, 841.89, lower).blue).toBeGreaterThan(50);
    // The same approval without a prefix prints only the image.
    const without = await signed('none', libreOffice, approval());
    expect(textIn(without.file, without.rect)).toBe('');
    // Reserving the line did not move the stamp off its place between the position lines and the name.
    expect(
      Math.abs(withPrefix.rect.x + withPrefix.rect.width / 2 - (without.rect.x + without.rect.width / 2)),
    ).toBeLessThan(1);
  });

  it('TM. on a Word-style export (decomposed text, one item per word): "TM. ỦY BAN NHÂN DÂN"', async () => {
    const pdf = await wordStylePdf();
    const { file, rect } = await signed('tm', pdf, approval({ authorityPrefix: 'TM.' }));
    expect(textIn(file, rect)).toBe('TM. ỦY BAN NHÂN DÂN');
  });

  it('an explicit rectangle keeps its size; a prefix the block does not type is printed with the position asked', async () => {
    const pdf = await wordStylePdf({ signerName: 'Người Khác' });
    const rect: Rect = { page: 0, x: 330, y: 120, width: 110, height: 50 };
    const request = approval({ authorityPrefix: 'TUQ.', positionText: 'CHÁNH VĂN PHÒNG', rect });
    const done = await signed('tuq', pdf, request);
    expect(done.rect).toEqual(rect);
    expect(textIn(done.file, rect)).toBe('TUQ. CHÁNH VĂN PHÒNG');
    // Without positionText, the prefix alone.
    const bare = await signed('tuq-bare', pdf, approval({ authorityPrefix: 'TUQ.', rect }));
    expect(textIn(bare.file, rect)).toBe('TUQ.');
  });
});
