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

const norm = (s: string): string => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('vi');

/** The last run (document order: last page, lowest on the page) containing `anchor`. */
export function findLast(pages: PageText[], anchor: string): TextRun | undefined {
  const wanted = norm(anchor);
  for (let p = pages.length - 1; p >= 0; p -= 1) {
    const hits = (pages[p]?.runs ?? []).filter((r) => norm(r.text).includes(wanted));
    if (hits.length) return hits.sort((a, b) => a.y - b.y)[0];
  }
  return undefined;
}

/** The lowest run in the block that starts at `heading` (same page, left column, below it). */
export function endOfBlock(pages: PageText[], heading: TextRun): TextRun {
  const page = pages[heading.page];
  if (!page) return heading;
  const below = page.runs.filter(
    (r) => r.y < heading.y && r.x >= heading.x - 20 && r.x < page.width / 2 && heading.y - r.y < 300,
  );
  let last = heading;
  // Walk down line by line; a gap of more than two lines ends the block.
  for (const r of below.sort((a, b) => b.y - a.y)) {
    if (last.y - r.y > Math.max(2.5 * (last.height || 12), 30)) break;
    last = r;
  }
  return last;
}
