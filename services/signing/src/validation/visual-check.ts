// The visual check behind the change classification (issue 11): every change after a signature
// that reaches what a page shows is also checked by rendering the page as of the signed
// revision and as of the final file with poppler's pdftoppm, in a child process under the
// worker's time and memory limits. Regions that differ must lie inside what an allowed change
// explains (a later signature's own appearance, an icon-sized note, a permitted fill's widget).
// Before rendering, a page whose visible inputs are equal as signed and as now (structural
// pre-check) is not rendered: tagging and housekeeping reach pages without changing what they draw.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { isArray, isName, isNumber, isRef } from '@vanthu/pdf';
import type { PdfDict, PdfObject, PdfReader } from '@vanthu/pdf';
import { sameDocumentInputs, samePageInputs } from './page-inputs';
import { dictOf, pagesAt, reachable, refNums } from './pdf-graph';
import type { RevisionChange, VisualRegion, VisualReport } from './report';

export type VisualOptions = {
  /** Per rendering (one page of one revision); the kernel also stops it after this much CPU time. */
  timeoutMs: number;
  /** Address-space limit of the renderer. */
  maxMb: number;
  dpi: number;
  /** Pages rendered per signature at most; beyond that the check says it stopped. */
  maxPages: number;
  /** The structural pre-check: pages drawn from equal inputs are not rendered (off only to measure what it saves). */
  precheck: boolean;
};

export const DEFAULT_VISUAL: VisualOptions = { timeoutMs: 5_000, maxMb: 512, dpi: 50, maxPages: 8, precheck: true };

/** Changes whose own region explains itself or that draw nothing (signatures have their rectangles; DSS and metadata are not drawn). */
const NOT_DRAWN = new Set(['signature', 'dss', 'document-timestamp', 'metadata']);
/** Classes whose objects' rectangles explain a difference inside them. */
const EXPLAINING = new Set(['signature', 'annotation', 'form-fill']);
const GRAY_TOLERANCE = 40;
const CELL = 4;
const PRLIMIT = '/usr/bin/prlimit';

export type Gray = { width: number; height: number; data: Buffer };
type Rect = [number, number, number, number];

/** One page of `pdf` rendered in gray at `dpi`, in a child process with a deadline, CPU and memory limits. */
function renderPage(pdf: Buffer, page: number, o: VisualOptions): Promise<Gray> {
  const args = ['-cropbox', '-gray', '-r', String(o.dpi), '-f', String(page), '-l', String(page), '-'];
  const limits = [`--as=${o.maxMb * 1024 * 1024}`, `--cpu=${Math.max(1, Math.ceil(o.timeoutMs / 1000))}`, '--'];
  const [cmd, argv] = fs.existsSync(PRLIMIT) ? [PRLIMIT, [...limits, 'pdftoppm', ...args]] : ['pdftoppm', args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'ignore'], timeout: o.timeoutMs, killSignal: 'SIGKILL' });
    const chunks: Buffer[] = [];
    let size = 0;
    const cap = 64 * 1024 * 1024;
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > cap) child.kill('SIGKILL');
      else chunks.push(c);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0)
        return reject(new Error(signal ? `the renderer was stopped (${signal})` : `the renderer failed (${code})`));
      try {
        resolve(parsePgm(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
    child.stdin.end(pdf);
  });
}

function parsePgm(b: Buffer): Gray {
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(b.toString('latin1', 0, 64));
  if (!header) throw new Error('the renderer wrote no image');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const data = b.subarray(header[0].length, header[0].length + width * height);
  if (data.length !== width * height) throw new Error('the rendered image is truncated');
  return { width, height, data };
}

/** Bounding boxes (pixels) of the areas where two renderings differ, cells joined when they touch. */
function differingBoxes(a: Gray, b: Gray): Rect[] {
  const cols = Math.ceil(a.width / CELL);
  const rows = Math.ceil(a.height / CELL);
  const hot = new Uint8Array(cols * rows);
  for (let y = 0; y < a.height; y += 1)
    for (let x = 0; x < a.width; x += 1) {
      const i = y * a.width + x;
      if (Math.abs((a.data[i] as number) - (b.data[i] as number)) > GRAY_TOLERANCE)
        hot[Math.floor(y / CELL) * cols + Math.floor(x / CELL)] = 1;
    }
  const boxes: Rect[] = [];
  const stack: number[] = [];
  for (let start = 0; start < hot.length; start += 1) {
    if (hot[start] !== 1) continue;
    hot[start] = 2;
    stack.push(start);
    const box: Rect = [cols, rows, 0, 0];
    while (stack.length) {
      const c = stack.pop() as number;
      const cx = c % cols;
      const cy = Math.floor(c / cols);
      box[0] = Math.min(box[0], cx);
      box[1] = Math.min(box[1], cy);
      box[2] = Math.max(box[2], cx + 1);
      box[3] = Math.max(box[3], cy + 1);
      for (let dy = -1; dy <= 1; dy += 1)
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = cx + dx;
          const ny = cy + dy;
          const n = ny * cols + nx;
          if (nx >= 0 && ny >= 0 && nx < cols && ny < rows && hot[n] === 1) {
            hot[n] = 2;
            stack.push(n);
          }
        }
    }
    boxes.push([box[0] * CELL, box[1] * CELL, Math.min(box[2] * CELL, a.width), Math.min(box[3] * CELL, a.height)]);
  }
  return boxes;
}

const numbers = (o: PdfObject | undefined): number[] | null =>
  isArray(o) && o.length === 4 && o.every(isNumber) ? (o as number[]) : null;

const normal = (r: number[]): Rect => [
  Math.min(r[0] as number, r[2] as number),
  Math.min(r[1] as number, r[3] as number),
  Math.max(r[0] as number, r[2] as number),
  Math.max(r[1] as number, r[3] as number),
];

/** The page's visible box (CropBox, else MediaBox, inherited) and rotation, as of the last revision. */
function pageBox(reader: PdfReader, pageNum: number, rev: number): { box: Rect; rotate: number } {
  let node = dictOf(reader.objectAtRevision(pageNum, rev));
  let crop: number[] | null = null;
  let media: number[] | null = null;
  let rotate: number | null = null;
  for (let depth = 0; node && depth < 32; depth += 1) {
    crop ??= numbers(reader.resolve(node.get('CropBox')));
    media ??= numbers(reader.resolve(node.get('MediaBox')));
    const r = node.get('Rotate');
    if (rotate === null && isNumber(r)) rotate = r;
    const parent = node.get('Parent');
    node = isRef(parent) ? dictOf(reader.objectAtRevision(parent.num, rev)) : undefined;
  }
  // /Rotate is a multiple of 90 (ISO 32000-1 Table 30); anything else is taken to the quarter turn below it.
  const quarter = Math.floor(((((rotate ?? 0) % 360) + 360) % 360) / 90) * 90;
  return { box: normal(crop ?? media ?? [0, 0, 612, 792]), rotate: quarter };
}

/** Annotation flag NoRotate (ISO 32000-1 §12.5.3, Table 165, bit 5). */
const NO_ROTATE = 16;

/**
 * Where an annotation paints on a page shown turned by `rotate`: its /Rect, unless it does not
 * turn with the page (the NoRotate flag; renderers, poppler and Acrobat among them, treat notes,
 * /Text, so too), when it stays upright on screen, pinned at its rectangle's upper-left corner
 * (ISO 32000-1 §12.5.3, Figure 78), and so covers user space turned about that corner.
 */
function paintedRect(annotation: PdfDict | undefined, rect: Rect, rotate: number): Rect {
  const flags = annotation?.get('F');
  const noRotate = isName(annotation?.get('Subtype'), 'Text') || (isNumber(flags) && (flags & NO_ROTATE) !== 0);
  if (!noRotate || rotate === 0) return rect;
  const [x0, , x1, y1] = rect;
  const w = x1 - x0;
  const h = y1 - rect[1];
  // The screen's right and down in user space: 90 → +y and +x, 180 → −x and +y, 270 → −y and −x.
  if (rotate === 90) return [x0, y1, x0 + h, y1 + w];
  if (rotate === 180) return [x0 - w, y1, x0, y1 + h];
  return [x0 - h, y1 - w, x0, y1];
}

/** What explains a difference on a page: the rectangles of allowed later signatures, notes and filled fields on it. */
function explainers(
  reader: PdfReader,
  pageNum: number,
  changes: RevisionChange[],
  rotate: number,
): { rect: Rect; by: string }[] {
  const last = reader.revisions.length - 1;
  const page = dictOf(reader.objectAtRevision(pageNum, last));
  const annotsEntry = page?.get('Annots');
  const onPage = new Set(refNums(isRef(annotsEntry) ? reader.objectAtRevision(annotsEntry.num, last) : annotsEntry));
  const out: { rect: Rect; by: string }[] = [];
  for (const c of changes) {
    if (!c.allowed || !EXPLAINING.has(c.classification)) continue;
    const d = dictOf(reader.objectAtRevision(c.object, last));
    const kidsEntry = d?.get('Kids');
    const kids = refNums(isRef(kidsEntry) ? reader.objectAtRevision(kidsEntry.num, last) : kidsEntry);
    for (const n of [c.object, ...kids]) {
      if (!onPage.has(n)) continue;
      const annotation = dictOf(reader.objectAtRevision(n, last));
      const rect = numbers(reader.resolve(annotation?.get('Rect')));
      if (rect)
        out.push({ rect: paintedRect(annotation, normal(rect), rotate), by: `${c.classification}: ${c.detail}` });
    }
  }
  return out;
}

/** Pages (1-based, with their object numbers) whose drawing reaches one of `objects` in the last revision. */
function affectedPages(reader: PdfReader, objects: Set<number>): { index: number; num: number }[] {
  const last = reader.revisions.length - 1;
  const out: { index: number; num: number }[] = [];
  pagesAt(reader, last).forEach((num, i) => {
    if (objects.has(num)) out.push({ index: i + 1, num });
    else {
      const reach = reachable(reader, reader.objectAtRevision(num, last), last, 20_000);
      if ([...objects].some((o) => reach.has(o))) out.push({ index: i + 1, num });
    }
  });
  return out;
}

/**
 * Renders, for the signature of revision `signedRevision`, every page a later change reaches,
 * as signed and as it is now, and lists the regions that differ with what explains each; pages
 * whose inputs are structurally equal in both are listed as unchanged instead of rendered. Null
 * when nothing after the signature reaches a page (nothing to compare).
 */
export async function checkRendering(
  bytes: Buffer,
  reader: PdfReader,
  signedRevision: number,
  changes: RevisionChange[],
  options: VisualOptions,
  finalPages: Map<number, Promise<Gray>>,
): Promise<VisualReport | null> {
  const after = changes.filter((c) => c.revision > signedRevision);
  const drawn = new Set(after.filter((c) => !NOT_DRAWN.has(c.classification)).map((c) => c.object));
  if (drawn.size === 0) return null;
  const last = reader.revisions.length - 1;
  const signedPages = pagesAt(reader, signedRevision);
  const reached = affectedPages(reader, drawn).filter((p) => signedPages[p.index - 1] === p.num);
  if (reached.length === 0) return null;
  const unchangedPages: number[] = [];
  const report: VisualReport = { pages: [], pageBoxes: [], regions: [], unchangedPages, error: null };
  // The structural pre-check: a page drawn from equal inputs as signed and as now is not rendered.
  const sameDocument = options.precheck && sameDocumentInputs(reader, signedRevision, last);
  const pages = reached.filter((p) => {
    const same = sameDocument && samePageInputs(reader, p.num, signedRevision, last);
    if (same) unchangedPages.push(p.index);
    return !same;
  });
  if (pages.length === 0) return report;
  const signed = bytes.subarray(0, reader.revisions[signedRevision]?.endOffset ?? bytes.length);
  try {
    for (const p of pages.slice(0, options.maxPages)) {
      let final = finalPages.get(p.index);
      if (!final) {
        final = renderPage(bytes, p.index, options);
        finalPages.set(p.index, final);
      }
      const [before, now] = await Promise.all([renderPage(signed, p.index, options), final]);
      report.pages.push(p.index);
      const { box, rotate } = pageBox(reader, p.num, last);
      report.pageBoxes.push({ page: p.index, box, rotate });
      const explaining = explainers(reader, p.num, after, rotate);
      const differs: Rect[] =
        before.width !== now.width || before.height !== now.height
          ? [[0, 0, now.width, now.height]]
          : differingBoxes(before, now);
      for (const px of differs) report.regions.push(region(p.index, px, now, box, rotate, explaining, options.dpi));
    }
    if (pages.length > options.maxPages)
      report.error = `${pages.length} pages reached by later changes; the first ${options.maxPages} were rendered`;
  } catch (error) {
    report.error = `the pages could not be rendered to compare: ${(error as Error).message}`;
  }
  return report;
}

/**
 * A point of the rendered image (pixels from its top-left corner) in default user space. The
 * renderer shows the visible box turned clockwise by /Rotate (ISO 32000-1 §8.3.2.3, Table 30),
 * so the image's top-left corner is the box's top-left (0), bottom-left (90), bottom-right (180)
 * or top-right (270) corner, and the image's axes run along the box's in that turn.
 */
export function toUserSpace(
  px: number,
  py: number,
  image: { width: number; height: number },
  box: Rect,
  rotate: number,
): [number, number] {
  const [x0, y0, x1, y1] = box;
  const upright = rotate % 180 === 0;
  // Points per pixel along the image's width and height.
  const sw = (upright ? x1 - x0 : y1 - y0) / image.width;
  const sh = (upright ? y1 - y0 : x1 - x0) / image.height;
  if (rotate === 90) return [x0 + py * sh, y0 + px * sw];
  if (rotate === 180) return [x1 - px * sw, y0 + py * sh];
  if (rotate === 270) return [x1 - py * sh, y1 - px * sw];
  return [x0 + px * sw, y1 - py * sh];
}

/** A differing pixel box as a rectangle in page space (points), with the allowed change that explains it, if any. */
function region(
  page: number,
  px: Rect,
  image: Gray,
  box: Rect,
  rotate: number,
  explaining: { rect: Rect; by: string }[],
  dpi: number,
): VisualRegion {
  const [ax, ay] = toUserSpace(px[0], px[1], image, box, rotate);
  const [bx, by2] = toUserSpace(px[2], px[3], image, box, rotate);
  const rect: Rect = [
    Math.floor(Math.min(ax, bx)),
    Math.floor(Math.min(ay, by2)),
    Math.ceil(Math.max(ax, bx)),
    Math.ceil(Math.max(ay, by2)),
  ];
  // A cell's width of slack for anti-aliasing at the rectangle's edge.
  const slack = (CELL * 72) / dpi + 1;
  const by = explaining.find(
    (e) =>
      rect[0] >= e.rect[0] - slack &&
      rect[1] >= e.rect[1] - slack &&
      rect[2] <= e.rect[2] + slack &&
      rect[3] <= e.rect[3] + slack,
  )?.by;
  return { page, rect, explainedBy: by ?? null };
}
