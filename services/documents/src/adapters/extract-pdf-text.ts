import fsp from 'node:fs/promises';

type TextItem = { str?: string };
type PdfJs = {
  getDocument: (source: Record<string, unknown>) => {
    promise: Promise<{
      numPages: number;
      getPage: (n: number) => Promise<{ getTextContent: () => Promise<{ items: TextItem[] }> }>;
      destroy: () => Promise<void>;
    }>;
  };
};

let pdfjs: PdfJs | undefined;
// The legacy CommonJS build runs in Node without a worker thread; loaded on first use because
// it prints canvas warnings when loaded.
// Node's import() of this UMD bundle gives its exports as `default` only; jest's transform gives them directly.
async function loadPdfJs(): Promise<PdfJs> {
  if (!pdfjs) {
    const loaded = (await import('pdfjs-dist/legacy/build/pdf.js')) as unknown as PdfJs & { default?: PdfJs };
    pdfjs = typeof loaded.getDocument === 'function' ? loaded : (loaded.default as PdfJs);
  }
  return pdfjs;
}

export type TextLimits = { maxPages: number; maxChars: number };

/** The text of a PDF's first pages, bounded in pages and characters, for the search index. */
export async function extractPdfText(
  file: string,
  limits: TextLimits = { maxPages: 50, maxChars: 200_000 },
): Promise<string> {
  const data = new Uint8Array(await fsp.readFile(file));
  const document = await (
    await loadPdfJs()
  ).getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const parts: string[] = [];
    let length = 0;
    for (let n = 1; n <= Math.min(document.numPages, limits.maxPages) && length < limits.maxChars; n += 1) {
      const page = await document.getPage(n);
      const text = (await page.getTextContent()).items.map((item) => item.str ?? '').join(' ');
      parts.push(text);
      length += text.length;
    }
    return parts.join('\n').slice(0, limits.maxChars);
  } finally {
    await document.destroy();
  }
}
