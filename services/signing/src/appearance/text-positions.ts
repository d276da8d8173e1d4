type PdfJs = { getDocument(options: Record<string, unknown>): { promise: Promise<PdfJsDocument> } };
let pdfjsModule: PdfJs | undefined;
/** pdfjs-dist 3's CommonJS build, loaded on first use: it prints canvas warnings when loaded (harmless, no rendering here). */
function pdfjs(): PdfJs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  pdfjsModule ??= require('pdfjs-dist/legacy/build/pdf.js') as PdfJs;
  return pdfjsModule;
}

type PdfJsDocument = { numPages: number; getPage(n: number): Promise<PdfJsPage>; destroy(): Promise<void> };
type PdfJsPage = {
  view: number[];
  getTextContent(): Promise<{ items: { str?: string; transform?: number[]; width?: number; height?: number }[] }>;
};

/** A run of text on a page, in PDF user space (origin bottom left). */
export type TextRun = { page: number; text: string; x: number; y: number; width: number; height: number };
export type PageText = { page: number; width: number; height: number; runs: TextRun[] };

/** Text runs of every page with their positions, from pdfjs-dist. */
export async function extractText(pdf: Buffer, maxPages = 50): Promise<PageText[]> {
  const task = pdfjs().getDocument({
    data: new Uint8Array(pdf),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  const document = await task.promise;
  try {
    const pages: PageText[] = [];
    for (let n = 1; n <= Math.min(document.numPages, maxPages); n += 1) {
      const page = await document.getPage(n);
      const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
      const content = await page.getTextContent();
      const runs: TextRun[] = [];
      for (const item of content.items) {
        if (!item.str || !item.transform) continue;
        const [, , , d = 0, e = 0, f = 0] = item.transform;
        runs.push({
          page: n - 1,
          text: item.str.normalize('NFC'),
          x: e,
          y: f,
          width: item.width ?? 0,
          height: item.height || Math.abs(d),
        });
      }
      pages.push({ page: n - 1, width: x1 - x0, height: y1 - y0, runs });
    }
    return pages;
  } finally {
    await document.destroy();
  }
}

/** A rectangle of text found on a page, in PDF user space. */
export type TextBox = { page: number; x: number; y: number; width: number; height: number };

type LineChar = { c: string; x0: number; x1: number };
/** A line rebuilt from the text items that share a baseline, left to right, whatever their spacing. */
export type TextLine = TextBox & { text: string; chars: LineChar[] };

const isMark = (c: string): boolean => /^\p{M}$/u.test(c);

/**
 * Rebuilds the lines of each page: items on one baseline (within a third of the font size, so a
 * 12-point heading and a 14-point position line beside it stay one line) are joined left to right. A
 * justified export splits "Nơi nhận:" into "Nơi", a stretched gap and "nhận:"; a letter-spaced one
 * into single letters; a decomposed one carries combining marks as their own characters. Each
 * character keeps an x estimated from its item, so a match can be located on the page.
 */
export function reconstructLines(pages: PageText[]): TextLine[][] {
  return pages.map((page) => {
    const runs = page.runs.filter((r) => r.text.length > 0).sort((a, b) => b.y - a.y || a.x - b.x);
    const groups: TextRun[][] = [];
    for (const run of runs) {
      const group = groups.find((g) => {
        const first = g[0] as TextRun;
        return Math.abs(first.y - run.y) <= Math.max(1.5, 0.35 * Math.min(first.height || 12, run.height || 12));
      });
      if (group) group.push(run);
      else groups.push([run]);
    }
    return groups.map((group) => {
      group.sort((a, b) => a.x - b.x);
      const chars: LineChar[] = [];
      let lastEnd: number | undefined;
      for (const run of group) {
        const size = run.height || 12;
        if (lastEnd !== undefined && run.x - lastEnd > 0.15 * size && chars.at(-1)?.c !== ' ')
          chars.push({ c: ' ', x0: lastEnd, x1: run.x });
        const text = [...run.text];
        text.forEach((c, i) => {
          const x0 = run.x + (run.width * i) / text.length;
          const x1 = run.x + (run.width * (i + 1)) / text.length;
          const previous = chars.at(-1);
          // A combining mark in its own item composes with the letter before it (NFC).
          if (isMark(c) && previous && (previous.c + c).normalize('NFC').length === 1) {
            previous.c = (previous.c + c).normalize('NFC');
            previous.x1 = Math.max(previous.x1, x1);
          } else chars.push({ c, x0, x1 });
        });
        lastEnd = run.x + run.width;
      }
      const first = chars[0];
      const last = chars.at(-1);
      const height = Math.max(...group.map((r) => r.height || 12));
      return {
        page: page.page,
        x: first?.x0 ?? 0,
        y: Math.min(...group.map((r) => r.y)),
        width: (last?.x1 ?? 0) - (first?.x0 ?? 0),
        height,
        text: chars
          .map((c) => c.c)
          .join('')
          .trim(),
        chars,
      };
    });
  });
}

/** What anchors are compared on: NFC, lower case (Vietnamese rules), no whitespace at all. */
export const searchKey = (s: string): string => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, '');

/** The line's searchable key and, for each of its characters, the line character it came from. */
function keyed(line: TextLine): { key: string; from: number[] } {
  let key = '';
  const from: number[] = [];
  line.chars.forEach((ch, n) => {
    if (/\s/.test(ch.c)) return;
    const k = ch.c.toLocaleLowerCase('vi');
    key += k;
    for (let i = 0; i < k.length; i += 1) from.push(n);
  });
  return { key, from };
}

export type AnchorHit = TextBox & { anchor: string; line: TextLine; atLineStart: boolean };

/**
 * The last place (document order: last page, lowest line, rightmost) where one of `anchors` occurs on
 * a reconstructed line, whitespace-insensitively: "Nơi nhận:", "Nơi nhận :" and "Nơi  nhận:" are one
 * anchor, and "./." is found glued to the last word or alone. With `lineStart`, a hit that begins its
 * line (a heading) wins over one inside running text.
 */
export function findAnchor(
  lines: TextLine[][],
  anchors: string[],
  options: { lineStart?: boolean } = {},
): AnchorHit | undefined {
  const wanted = anchors.map((a) => ({ anchor: a, key: searchKey(a) })).filter((a) => a.key.length > 0);
  let fallback: AnchorHit | undefined;
  for (let p = lines.length - 1; p >= 0; p -= 1) {
    const pageLines = [...(lines[p] ?? [])].sort((a, b) => a.y - b.y);
    for (const line of pageLines) {
      const { key, from } = keyed(line);
      let best: AnchorHit | undefined;
      for (const { anchor, key: k } of wanted) {
        const at = key.lastIndexOf(k);
        if (at < 0) continue;
        const first = line.chars[from[at] as number] as LineChar;
        const last = line.chars[from[at + k.length - 1] as number] as LineChar;
        const hit: AnchorHit = {
          page: line.page,
          x: first.x0,
          y: line.y,
          width: last.x1 - first.x0,
          height: line.height,
          anchor,
          line,
          atLineStart: at === 0 || /^[-–•*\d.)\s]*$/.test(key.slice(0, at)),
        };
        if (!best || hit.x > best.x) best = hit;
      }
      if (!best) continue;
      if (!options.lineStart || best.atLineStart) return best;
      fallback ??= best;
    }
  }
  return fallback;
}

/**
 * Lines that look like a damaged or differently worded anchor (they share one of its words), last
 * first, for the error that says what was found near where an anchor was expected.
 */
export function nearbyLines(lines: TextLine[][], anchors: string[], limit = 3): TextLine[] {
  const words = [
    ...new Set(
      anchors.flatMap((a) =>
        a
          .normalize('NFC')
          .toLocaleLowerCase('vi')
          .split(/[\s:;,]+/)
          .filter((w) => w.length >= 2),
      ),
    ),
  ];
  // Last page first, lowest line first: where an end-of-document anchor would have been.
  const ordered = [...lines]
    .reverse()
    .flatMap((page) => [...page].sort((a, b) => a.y - b.y))
    .filter((l) => l.text.length > 0);
  const similar = ordered.filter((l) => {
    const text = searchKey(l.text);
    return words.some((w) => text.includes(searchKey(w)));
  });
  return (similar.length ? similar : ordered).slice(0, limit);
}

/**
 * The lowest line of the block headed by `heading` (same page, its column, below it): the block ends
 * at a gap of more than two lines.
 */
export function endOfBlock(lines: TextLine[][], heading: TextBox, pageWidth: number): TextBox {
  const page = lines[heading.page] ?? [];
  const below = page
    .flatMap((line) => columnPart(line, heading.x - 20, pageWidth / 2))
    .filter((b) => b.y < heading.y - 1 && heading.y - b.y < 300)
    .sort((a, b) => b.y - a.y);
  let last = heading;
  for (const box of below) {
    if (last.y - box.y > Math.max(2.5 * (last.height || 12), 30)) break;
    last = box;
  }
  return last;
}

/** The part of a line whose characters start within [from, to) (one column of a two-column line). */
export function columnPart(line: TextLine, from: number, to: number): TextBox[] {
  const chars = line.chars.filter((c) => c.x0 >= from && c.x0 < to && !/\s/.test(c.c));
  const first = chars[0];
  const last = chars.at(-1);
  if (!first || !last) return [];
  return [{ page: line.page, x: first.x0, y: line.y, width: last.x1 - first.x0, height: line.height }];
}

/** A line cut where the gap between two characters exceeds `gapFactor` font sizes: the columns of a two-column line. */
export function segments(line: TextLine, gapFactor = 2): (TextBox & { text: string })[] {
  const out: (TextBox & { text: string })[] = [];
  let current: LineChar[] = [];
  const flush = (): void => {
    const chars = current.filter((c) => !/\s/.test(c.c));
    const first = chars[0];
    const last = chars.at(-1);
    if (first && last)
      out.push({
        page: line.page,
        x: first.x0,
        y: line.y,
        width: last.x1 - first.x0,
        height: line.height,
        text: current
          .map((c) => c.c)
          .join('')
          .trim(),
      });
    current = [];
  };
  let previousEnd: number | undefined;
  for (const ch of line.chars) {
    if (/\s/.test(ch.c)) {
      current.push(ch);
      continue;
    }
    if (previousEnd !== undefined && ch.x0 - previousEnd > gapFactor * line.height) flush();
    current.push(ch);
    previousEnd = ch.x1;
  }
  flush();
  return out;
}
