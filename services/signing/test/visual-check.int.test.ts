import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PdfReader } from '@vanthu/pdf';
import { IsolatedValidator } from '../src/validation/isolated-validator';
import { renderReportPdf } from '../src/validation/report-pdf';
import { analyseModifications } from '../src/validation/modification-analysis';
import { validatePdf } from '../src/validation/validate-pdf';
import { pagesAt } from '../src/validation/pdf-graph';
import { samePageInputs } from '../src/validation/page-inputs';
import { DEFAULT_VISUAL, checkRendering, toUserSpace } from '../src/validation/visual-check';
import type { Gray } from '../src/validation/visual-check';
import type { ValidationReport } from '../src/validation/report';
import { deceptiveFill, onRotatedPage, permittedFill } from './fixtures/benign/generators';
import { resourcesReplaced, tagged, taggedAttack } from './fixtures/benign/housekeeping';
import { congVan, signAs, validationOptions } from './fixtures/validation-support';
import { fontPath } from './support';

const validate = (bytes: Buffer): Promise<ValidationReport> =>
  validatePdf(bytes, validationOptions({ revocation: { mode: 'online', timeoutMs: 5_000, cacheSeconds: 60 } }));

/** The rendering comparison for the first signature, as if every later change had been classified allowed. */
async function renderedAsIfAllowed(bytes: Buffer, visual = DEFAULT_VISUAL) {
  const reader = PdfReader.fromBuffer(bytes);
  const changes = analyseModifications(reader, null, []).map((c) => ({ ...c, allowed: true }));
  return checkRendering(bytes, reader, 1, changes, visual, new Map<number, Promise<Gray>>());
}

/** Pixels of the report's pages (72 dpi) painted exactly the sketch's translucent red fill (unexplained region). */
/** One region no allowed change explains, located where RED_BOX draws it. */
function expectOnlyTheRedBoxUnexplained(visual: Awaited<ReturnType<typeof renderedAsIfAllowed>>): void {
  const unexplained = visual?.regions.filter((r) => r.explainedBy === null) ?? [];
  expect(unexplained).toHaveLength(1);
  // RED_BOX is `60 500 400 120 re`: x 60..460, y 500..620, within a cell (~6 pt at 50 dpi).
  const [x1, y1, x2, y2] = unexplained[0]?.rect ?? [];
  for (const [got, want] of [
    [x1, 60],
    [y1, 500],
    [x2, 460],
    [y2, 620],
  ])
    expect(Math.abs((got as number) - (want as number))).toBeLessThanOrEqual(8);
}

function pinkPixels(reportPdf: Buffer): { count: number; meanY: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visual-sketch-'));
  fs.writeFileSync(path.join(dir, 'r.pdf'), reportPdf);
  execFileSync('pdftoppm', ['-r', '72', path.join(dir, 'r.pdf'), path.join(dir, 'p')]);
  let count = 0;
  let sumY = 0;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ppm'))) {
    const b = fs.readFileSync(path.join(dir, f));
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(b.toString('latin1', 0, 64));
    const width = Number(header?.[1]);
    const data = b.subarray(header?.[0].length ?? 0);
    for (let i = 0; i + 2 < data.length; i += 3) {
      const near = (v: number, want: number) => Math.abs(v - want) <= 2;
      // 0.25 × rgb(0.8, 0, 0) over white.
      if (near(data[i] as number, 242) && near(data[i + 1] as number, 191) && near(data[i + 2] as number, 191)) {
        count += 1;
        sumY += Math.floor(i / 3 / width);
      }
    }
  }
  return { count, meanY: count ? sumY / count : NaN };
}

describe('the visual check behind the classification (issue 11)', () => {
  it.each([
    ['tagging: structure tree', () => tagged('struct-tree')],
    ['tagging: marked content', () => tagged('marked-content')],
    ['tagging: tab order', () => tagged('tab-order')],
    ['equivalent resources: made indirect', () => resourcesReplaced('made-indirect')],
    ['equivalent resources: fonts indirect', () => resourcesReplaced('fonts-indirect')],
    ['equivalent resources: renumbered', () => resourcesReplaced('renumbered')],
    ['equivalent resources: content recompressed', () => resourcesReplaced('content-recompressed')],
  ])(
    'housekeeping that reaches a page but none of its visible inputs (%s) is decided before rendering',
    async (_name, make) => {
      const report = await validate(await make());
      expect(report.verdict).toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.visual).toEqual({
        pages: [],
        pageBoxes: [],
        regions: [],
        unchangedPages: [1],
        error: null,
      });
      expect(report.signatures[0]?.checks).toContainEqual(
        expect.objectContaining({
          name: 'renders-as-signed',
          passed: true,
          detail: expect.stringMatching(/^page\(s\) 1 draw from the same content, .*\(not rendered\)$/),
        }),
      );
    },
  );

  it.each([
    ['tagging wrap drawing a box', () => taggedAttack('text-added')],
    ['tagging wrap hiding the page in an optional-content layer', () => taggedAttack('hidden-by-layer')],
    ['font dictionary under the structure tree swapped', () => taggedAttack('structure-shared')],
    ['tab order and /Rotate 90', () => taggedAttack('rotated-with-tags')],
    ['equivalent-looking resources with a font swapped', () => resourcesReplaced('font-swapped')],
    ['content recompressed with a box added', () => resourcesReplaced('content-replaced')],
  ])('a housekeeping disguise that changes a visible input (%s) is rendered and refused', async (_name, make) => {
    const report = await validate(await make());
    expect(report.verdict).not.toBe('TOTAL_PASSED');
    const visual = report.signatures[0]?.visual;
    expect(visual?.pages).toEqual([1]);
    expect(visual?.unchangedPages).toEqual([]);
    expect(visual?.regions.some((r) => r.explainedBy === null)).toBe(true);
  });

  it("the pre-check's inputs: the same for tagging, not for a turned page or a changed appearance", async () => {
    const same = async (bytes: Buffer): Promise<boolean> => {
      const reader = PdfReader.fromBuffer(bytes);
      const page = pagesAt(reader, 1)[0] as number;
      // The signed revision is the one before the last update in each of these files.
      return samePageInputs(reader, page, reader.revisions.length - 2, reader.revisions.length - 1);
    };
    expect(await same(await tagged('marked-content'))).toBe(true);
    expect(await same(await resourcesReplaced('renumbered'))).toBe(true);
    expect(await same(await taggedAttack('rotated-with-tags'))).toBe(false);
    // A fill's appearance changed: the widget on page 1 is an input.
    expect(await same(await permittedFill('certified'))).toBe(false);
  });

  it('nothing is rendered when no later change reaches a page (a second invisible signature)', async () => {
    const twice = await signAs(await signAs(await congVan(), 'nguyen-van-an', 'B-B'), 'tran-thi-binh', 'B-B');
    const report = await validate(twice);
    expect(report.verdict).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.visual)).toEqual([null, null]);
  });

  it("a permitted fill's new appearance differs only inside its widget, which explains it", async () => {
    const report = await validate(await permittedFill('certified'));
    expect(report.verdict).toBe('TOTAL_PASSED');
    const visual = report.signatures[0]?.visual;
    expect(visual?.regions.length).toBeGreaterThan(0);
    for (const r of visual?.regions ?? []) {
      expect(r.explainedBy).toMatch(/^form-fill: /);
      // Inside the widget pdf-lib placed at x 60..280, y 90..112 (with a cell of slack).
      expect(r.rect[0]).toBeGreaterThanOrEqual(50);
      expect(r.rect[2]).toBeLessThanOrEqual(290);
    }
  });

  it('a change a rule let through by mistake is still caught: the red box is an unexplained region, located', async () => {
    const visual = await renderedAsIfAllowed(await resourcesReplaced('content-replaced'));
    expectOnlyTheRedBoxUnexplained(visual);
  });

  it('content hidden by optional content shows as regions no allowed change explains', async () => {
    const visual = await renderedAsIfAllowed(await taggedAttack('hidden-by-layer'));
    expect(visual?.regions.filter((r) => r.explainedBy === null).length).toBeGreaterThan(0);
  });

  it('the visible text differing from a fill is refused by the rules and shown by the rendering', async () => {
    const report = await validate(await deceptiveFill('other-text'));
    expect(report.verdict).not.toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.visual?.regions.length).toBeGreaterThan(0);
    expect(report.signatures[0]?.visual?.pageBoxes).toEqual([{ page: 1, box: expect.any(Array), rotate: 0 }]);
    // The PDF report draws the unexplained regions on a sketch of the page, in red.
    expect(pinkPixels(await renderReportPdf(report, fontPath)).count).toBeGreaterThan(20);
  });

  it('the PDF report places a region where it lies on the page, turned as a /Rotate page is shown', async () => {
    const base = await validate(await deceptiveFill('other-text'));
    const at = (rotate: number): ValidationReport => ({
      ...base,
      signatures: base.signatures.map((s) => ({
        ...s,
        visual: {
          pages: [1],
          pageBoxes: [{ page: 1, box: [0, 0, 600, 800], rotate }],
          // The bottom-left corner of the page in user space.
          regions: [{ page: 1, rect: [0, 0, 200, 200], explainedBy: null }],
          unchangedPages: [],
          error: null,
        },
      })),
    });
    const upright = pinkPixels(await renderReportPdf(at(0), fontPath));
    const turned = pinkPixels(await renderReportPdf(at(90), fontPath));
    expect(upright.count).toBeGreaterThan(100);
    expect(turned.count).toBeGreaterThan(100);
    // Upright, the corner is at the bottom of the sketch; a page turned 90° clockwise shows it top-left.
    expect(upright.meanY - turned.meanY).toBeGreaterThan(40);
  });

  it('a renderer over its deadline is stopped and the comparison says it could not be made', async () => {
    const visual = await renderedAsIfAllowed(await permittedFill('certified'), { ...DEFAULT_VISUAL, timeoutMs: 1 });
    expect(visual?.error).toMatch(/could not be rendered/);
  });

  it('runs in the isolated workers, and the PDF report lists the regions and what explains them', async () => {
    const pool = new IsolatedValidator({
      workers: 1,
      parseTimeoutMs: 10_000,
      networkTimeoutMs: 15_000,
      maxHeapMb: 256,
    });
    try {
      const report = await pool.validate(
        await permittedFill('certified'),
        validationOptions({ revocation: { mode: 'online', timeoutMs: 5_000, cacheSeconds: 60 } }),
      );
      expect(report.verdict).toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.visual?.regions[0]?.explainedBy).toMatch(/^form-fill: /);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'visual-report-')), 'report.pdf');
      fs.writeFileSync(file, await renderReportPdf(report, fontPath));
      const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).normalize('NFC');
      expect(text).toMatch(/Đối chiếu hình ảnh trang 1 khi ký và hiện nay: \d+ vùng khác nhau/);
      expect(text).toMatch(/trang 1, vùng \[\d+ \d+ \d+ \d+\] pt: giải thích bởi form-fill/);
    } finally {
      await pool.close();
    }
  });
});

describe('regions on pages turned by /Rotate are mapped back to user space and explained (issue 11)', () => {
  it('the corners of the rendered image are the box corners the turn puts there', () => {
    const image = { width: 80, height: 60 };
    const box: [number, number, number, number] = [10, 20, 110, 100];
    // Upright: top-left is (x0, y1); turned 90° clockwise the image is 80 × 100 points tall, top-left is (x0, y0).
    expect(toUserSpace(0, 0, { width: 100, height: 80 }, box, 0)).toEqual([10, 100]);
    expect(toUserSpace(0, 0, image, box, 90)).toEqual([10, 20]);
    expect(toUserSpace(80, 0, image, box, 90)).toEqual([10, 100]);
    expect(toUserSpace(0, 0, { width: 100, height: 80 }, box, 180)).toEqual([110, 20]);
    expect(toUserSpace(0, 0, image, box, 270)).toEqual([110, 100]);
    expect(toUserSpace(80, 60, image, box, 270)).toEqual([10, 20]);
  });

  it.each([0, 90, 180, 270] as const)(
    'turned %i°: a box drawn after signing is located where the page draws it',
    async (rotate) => {
      const visual = await renderedAsIfAllowed(await onRotatedPage(rotate, 'content-added'));
      expect(visual?.pageBoxes).toEqual([{ page: 1, box: expect.any(Array), rotate }]);
      expectOnlyTheRedBoxUnexplained(visual);
    },
  );

  it.each([90, 180, 270] as const)('turned %i°: a permitted fill and an icon-sized note pass', async (rotate) => {
    for (const variant of ['fill', 'note'] as const) {
      const report = await validate(await onRotatedPage(rotate, variant));
      expect(`${variant}: ${report.verdict}: ${report.verdictReason}`).toMatch(new RegExp(`^${variant}: TOTAL_PASSED`));
      const visual = report.signatures[0]?.visual;
      expect(visual?.regions.length).toBeGreaterThan(0);
      for (const r of visual?.regions ?? [])
        expect(r.explainedBy).toMatch(variant === 'fill' ? /^form-fill: / : /^annotation: /);
    }
  });

  it.each([90, 180, 270] as const)('turned %i°: added content and a deceptive fill are refused', async (rotate) => {
    for (const variant of ['content-added', 'other-text'] as const) {
      const report = await validate(await onRotatedPage(rotate, variant));
      expect(report.verdict).not.toBe('TOTAL_PASSED');
      expect(report.signatures[0]?.visual?.regions.some((r) => r.explainedBy === null)).toBe(true);
    }
  });
});
