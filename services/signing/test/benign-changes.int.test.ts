import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatePdf } from '../src/validation/validate-pdf';
import type { ValidationReport } from '../src/validation/report';
import {
  deceptiveFill,
  embeddedPdf,
  formResourcesAdded,
  pdfBoxHybrid,
  permittedFill,
} from './fixtures/benign/generators';
import { compositeFill } from './fixtures/benign/composite-fills';
import { simpleFill } from './fixtures/benign/simple-fills';
import { validationOptions } from './fixtures/validation-support';
import { qpdfCheck } from './support';

const validate = (bytes: Buffer): Promise<ValidationReport> =>
  validatePdf(bytes, validationOptions({ revocation: { mode: 'online', timeoutMs: 5_000, cacheSeconds: 60 } }));

/** The file is well-formed for qpdf and every signature passes, with at least one later change listed as allowed. */
async function expectBenign(bytes: Buffer, allowedDetail: RegExp): Promise<ValidationReport> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'benign-')), 'benign.pdf');
  fs.writeFileSync(file, bytes);
  qpdfCheck(file);
  const report = await validate(bytes);
  // The reason travels with the verdict so a failure says which change (or which check) was refused.
  expect(`${report.verdict}: ${report.verdictReason}`).toMatch(/^TOTAL_PASSED: /);
  const changes = report.signatures.flatMap((s) => s.changesAfter);
  expect(changes.some((c) => c.allowed && allowedDetail.test(c.detail))).toBe(true);
  return report;
}

describe('benign later changes from other vendors pass, the change listed as allowed (issue 11)', () => {
  it.each([
    ['direct', 'signature'],
    ['indirect', 'signature'],
    ['extended', 'signature'],
    ['direct', 'timestamp'],
    ['extended', 'timestamp'],
  ] as const)('class 1: /AcroForm /DR fonts and /DA added (%s) before a later %s', async (variant, then) => {
    await expectBenign(await formResourcesAdded(variant, then), /form resources/);
  });

  it.each(['signed-attachment', 'two-attachments', 'qpdf'] as const)(
    'class 4: PDFs attached uncompressed (%s) are not a collision attack',
    async (variant) => {
      const bytes = await embeddedPdf(variant);
      const report = await validate(bytes);
      expect(report.verdict).toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.checks).toContainEqual(
        expect.objectContaining({ name: 'unique-objects', passed: true }),
      );
      // The attachment really holds object headers that collide with the outer file's numbers.
      expect((bytes.toString('latin1').match(/^1 0 obj/gm) ?? []).length).toBeGreaterThan(1);
    },
  );

  it.each(['page-content', 'info', 'page'] as const)(
    'class 5: a PDFBox-style hybrid update redefining the %s while its copied /XRefStm lists the old place',
    async (variant) => {
      const bytes = await pdfBoxHybrid(variant);
      const report = await validate(bytes);
      expect(report.verdict).toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.checks.some((c) => c.name === 'unambiguous-xref' && !c.passed)).toBe(false);
      // Two hybrid sections, the second one's stream the first one's.
      expect(bytes.toString('latin1').match(/\/XRefStm (\d+)/g)).toHaveLength(2);
      expect(new Set(bytes.toString('latin1').match(/\/XRefStm (\d+)/g)).size).toBe(1);
    },
  );

  it.each(['certified', 'approval', 'certified-font-switch'] as const)(
    'class 2: a permitted fill (%s) rewriting the field appearance in place',
    async (kind) => {
      await expectBenign(await permittedFill(kind), /form field ".*" filled/);
    },
  );
});

describe('hostile form fills do not pass (issue 11 item 7)', () => {
  it.each([
    // Rewritten in place with no change to the field at all: no fill explains it.
    ['same-value', /rewritten while its value stayed the same|was redefined/],
    ['other-text', /shows "900000000", not its value "1500000"/],
    ['new-appearance', /rewritten while its value stayed the same/],
  ] as const)('%s', async (variant, detail) => {
    const report = await validate(await deceptiveFill(variant));
    expect(report.verdict).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.changesAfter.some((c) => !c.allowed && detail.test(c.detail))).toBe(true);
  });
});

describe('form fills in a composite font (Type0, Identity-H: how Vietnamese is filled) under DocMDP P2 and FieldMDP (issue 11)', () => {
  it.each(['certified', 'field-lock-other', 'font-added', 'new-appearance'] as const)(
    '%s: a permitted fill passes, its glyphs read back through /ToUnicode as the value',
    async (variant) => {
      const report = await expectBenign(await compositeFill(variant), /^form field "ho_ten" filled$/);
      // The rendering differs only inside the widget, which the fill explains.
      const regions = report.signatures[0]?.visual?.regions ?? [];
      expect(regions.length).toBeGreaterThan(0);
      for (const r of regions) expect(r.explainedBy).toMatch(/^form-fill: /);
    },
  );

  it.each([
    ['other-text', 'TOTAL_FAILED', /shows "TrầnVănBìnhMinh", not its value "NguyễnThịHồngNhung"/],
    ['other-text-new-appearance', 'TOTAL_FAILED', /shows "TrầnVănBìnhMinh", not its value "NguyễnThịHồngNhung"/],
    ['page-content-too', 'TOTAL_FAILED', /an object of the signed revision was redefined/],
    // The program the page's "Người ký:" is drawn with too: not the field's to rewrite.
    ['font-swapped', 'TOTAL_FAILED', /an object of the signed revision was redefined/],
    ['lying-tounicode', 'TOTAL_FAILED', /glyph \d+ draws "7" but \/ToUnicode calls it "1"/],
    ['field-locked', 'TOTAL_FAILED', /field "ho_ten" is locked by a signature \(FieldMDP\)/],
  ] as const)('%s is refused', async (variant, verdict, detail) => {
    const report = await validate(await compositeFill(variant));
    expect(report.verdict).toBe(verdict);
    expect(report.signatures[0]?.changesAfter.some((c) => !c.allowed && detail.test(c.detail))).toBe(true);
    if (variant === 'font-swapped' || variant === 'page-content-too')
      // Outside the widget (y 90..112): the page's own text, or the red box.
      expect(report.signatures[0]?.visual?.regions.some((r) => r.explainedBy === null && r.rect[3] > 120)).toBe(true);
  });
});

describe('form fills in simple fonts (/Helv in WinAnsi, MacRoman, StandardEncoding, /Differences) and CFF programs (issue 11)', () => {
  it.each([
    'helv-winansi',
    'truetype-differences',
    'mac-roman',
    'standard-implicit',
    'type1c-winansi',
    'type1-builtin',
    'cff-composite',
  ] as const)(
    '%s: a permitted fill passes, its bytes read through the encoding and glyph names as the value',
    async (variant) => {
      const report = await expectBenign(await simpleFill(variant), /^form field "so_tien" filled$/);
      const regions = report.signatures[0]?.visual?.regions ?? [];
      expect(regions.length).toBeGreaterThan(0);
      for (const r of regions) expect(r.explainedBy).toMatch(/^form-fill: /);
    },
  );

  it.each([
    ['helv-other-text', 'TOTAL_FAILED', /shows "Café–9\.500€", not its value "Café–1\.500€"/],
    ['helv-same-value', 'TOTAL_FAILED', /rewritten while its value stayed the same/],
    // Read byte by byte as Latin-1 this fill would pass: the encoding says code 49 draws a nine.
    ['differences-lie', 'TOTAL_FAILED', /shows "9500000", not its value "1500000"/],
    ['type1c-missing-glyph', 'TOTAL_FAILED', /the font program has no glyph "uni1EC5" for code 128/],
    ['cff-lying-tounicode', 'TOTAL_FAILED', /glyph \d+ draws "7" but \/ToUnicode calls it "1"/],
    ['type3', 'TOTAL_FAILED', /a Type3 font/],
  ] as const)('%s is refused', async (variant, verdict, detail) => {
    const report = await validate(await simpleFill(variant));
    expect(`${report.verdict}: ${report.verdictReason}`).toMatch(new RegExp(`^${verdict}: `));
    expect(report.signatures[0]?.changesAfter.some((c) => !c.allowed && detail.test(c.detail))).toBe(true);
  });
});
