import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import { vietnameseFontFiles } from '../rules/vietnamese-font';

export type TableColumn = { header: string; width: number };
export type TableDocument = {
  title: string[];
  subtitle: string[];
  columns: TableColumn[];
  rows: string[][];
  landscape: boolean;
};

const margin = 36;
const fontSize = 9;
const lineHeight = 11;
const cellPadding = 3;

/** Splits text into lines that fit `width` at `size`, breaking at spaces and, for long words, inside them. */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.normalize('NFC').split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut -= 1;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** Embeds the Vietnamese-capable serif fonts (subset) into `pdf`. */
export async function embedFonts(pdf: PDFDocument): Promise<{ regular: PDFFont; bold: PDFFont }> {
  pdf.registerFontkit(fontkit);
  const files = vietnameseFontFiles();
  return {
    regular: await pdf.embedFont(fs.readFileSync(files.regular), { subset: true }),
    bold: await pdf.embedFont(fs.readFileSync(files.bold), { subset: true }),
  };
}

/**
 * Draws a titled table over as many pages as it needs, repeating the header row on each page
 * (the Phụ lục IV registers are printed this way). Column widths are fractions of the page width.
 */
export async function renderTablePdf(doc: TableDocument, into?: PDFDocument): Promise<PDFDocument> {
  const pdf = into ?? (await PDFDocument.create());
  const fonts = await embedFonts(pdf);
  const [pageWidth, pageHeight] = doc.landscape ? [841.89, 595.28] : [595.28, 841.89];
  const usable = pageWidth - 2 * margin;
  const total = doc.columns.reduce((sum, c) => sum + c.width, 0);
  const widths = doc.columns.map((c) => (c.width / total) * usable);

  let page: PDFPage = pdf.addPage([pageWidth, pageHeight]);
  let y = pageHeight - margin;
  for (const line of doc.title) {
    const width = fonts.bold.widthOfTextAtSize(line, 13);
    page.drawText(line, { x: (pageWidth - width) / 2, y: y - 13, size: 13, font: fonts.bold });
    y -= 18;
  }
  for (const line of doc.subtitle) {
    const width = fonts.regular.widthOfTextAtSize(line, 11);
    page.drawText(line, { x: (pageWidth - width) / 2, y: y - 11, size: 11, font: fonts.regular });
    y -= 15;
  }
  y -= 6;

  const drawRow = (cells: string[], font: PDFFont): void => {
    const wrapped = cells.map((cell, i) => wrapText(cell, font, fontSize, (widths[i] ?? 0) - 2 * cellPadding));
    const height = Math.max(1, ...wrapped.map((lines) => lines.length)) * lineHeight + 2 * cellPadding;
    if (y - height < margin) {
      page = pdf.addPage([pageWidth, pageHeight]);
      y = pageHeight - margin;
      if (font !== fonts.bold)
        drawRow(
          doc.columns.map((c) => c.header),
          fonts.bold,
        );
    }
    let x = margin;
    wrapped.forEach((lines, i) => {
      const width = widths[i] ?? 0;
      page.drawRectangle({ x, y: y - height, width, height, borderColor: rgb(0, 0, 0), borderWidth: 0.5 });
      lines.forEach((text, n) =>
        page.drawText(text, {
          x: x + cellPadding,
          y: y - cellPadding - (n + 1) * lineHeight + 2,
          size: fontSize,
          font,
        }),
      );
      x += width;
    });
    y -= height;
  };

  drawRow(
    doc.columns.map((c) => c.header),
    fonts.bold,
  );
  for (const row of doc.rows) drawRow(row, fonts.regular);
  return pdf;
}
