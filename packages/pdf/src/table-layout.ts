import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { rgb } from 'pdf-lib';
import type { PDFDocument, PDFFont, PDFPage } from 'pdf-lib';

// Tables printed into new PDFs (documents' Phụ lục IV registers and dossier lists, reporting's monthly
// reports) are laid out here once. New files are written with pdf-lib; this package's own writer is for
// incremental updates of existing files, which tables never need.

export type TableColumn = { header: string; width: number };
export type TableFonts = { regular: PDFFont; bold: PDFFont };
export type TableStyle = { margin: number; fontSize: number; lineHeight: number; cellPadding: number };
export type TableCursor = { page: PDFPage; y: number };

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

/** Embeds a regular and a bold TrueType font (subset) into `pdf`. */
export async function embedFontFiles(pdf: PDFDocument, files: { regular: string; bold: string }): Promise<TableFonts> {
  pdf.registerFontkit(fontkit);
  return {
    regular: await pdf.embedFont(fs.readFileSync(files.regular), { subset: true }),
    bold: await pdf.embedFont(fs.readFileSync(files.bold), { subset: true }),
  };
}

/**
 * Draws a bordered table from `start` down, across as many pages (of the first page's size) as it
 * needs, repeating the header row on each new page. Column widths are fractions of the width
 * between the margins. Returns where the table ended.
 */
export function drawTable(
  pdf: PDFDocument,
  start: TableCursor,
  fonts: TableFonts,
  columns: TableColumn[],
  rows: string[][],
  style: TableStyle,
): TableCursor {
  const { width: pageWidth, height: pageHeight } = start.page.getSize();
  const { margin, fontSize, lineHeight, cellPadding } = style;
  const total = columns.reduce((sum, c) => sum + c.width, 0);
  const widths = columns.map((c) => (c.width / total) * (pageWidth - 2 * margin));
  let { page, y } = start;
  const drawRow = (cells: string[], font: PDFFont): void => {
    const wrapped = cells.map((cell, i) => wrapText(cell, font, fontSize, (widths[i] ?? 0) - 2 * cellPadding));
    const height = Math.max(1, ...wrapped.map((lines) => lines.length)) * lineHeight + 2 * cellPadding;
    if (y - height < margin) {
      page = pdf.addPage([pageWidth, pageHeight]);
      y = pageHeight - margin;
      if (font !== fonts.bold)
        drawRow(
          columns.map((c) => c.header),
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
    columns.map((c) => c.header),
    fonts.bold,
  );
  for (const row of rows) drawRow(row, fonts.regular);
  return { page, y };
}

/** Draws `text` centred between `left` and `right` at baseline `y`. */
export function drawCentred(
  page: PDFPage,
  text: string,
  font: PDFFont,
  size: number,
  y: number,
  left = 0,
  right = page.getSize().width,
): void {
  const width = font.widthOfTextAtSize(text, size);
  page.drawText(text, { x: left + (right - left - width) / 2, y, size, font });
}
