import { PDFDocument } from 'pdf-lib';
import type { PDFFont } from 'pdf-lib';
import { drawCentred, drawTable, embedFontFiles } from '@vanthu/pdf';
import type { TableColumn } from '@vanthu/pdf';
import { vietnameseFontFiles } from '../rules/vietnamese-font';

export type TableDocument = {
  title: string[];
  subtitle: string[];
  columns: TableColumn[];
  rows: string[][];
  landscape: boolean;
};

const style = { margin: 36, fontSize: 9, lineHeight: 11, cellPadding: 3 };

/** Embeds the Vietnamese-capable serif fonts (subset) into `pdf`. */
export async function embedFonts(pdf: PDFDocument): Promise<{ regular: PDFFont; bold: PDFFont }> {
  return embedFontFiles(pdf, vietnameseFontFiles());
}

/**
 * Draws a titled table over as many pages as it needs, repeating the header row on each page
 * (the Phụ lục IV registers are printed this way). Column widths are fractions of the page width.
 */
export async function renderTablePdf(doc: TableDocument, into?: PDFDocument): Promise<PDFDocument> {
  const pdf = into ?? (await PDFDocument.create());
  const fonts = await embedFonts(pdf);
  const [pageWidth, pageHeight] = doc.landscape ? [841.89, 595.28] : [595.28, 841.89];
  const page = pdf.addPage([pageWidth, pageHeight]);
  let y = pageHeight - style.margin;
  for (const line of doc.title) {
    drawCentred(page, line, fonts.bold, 13, y - 13);
    y -= 18;
  }
  for (const line of doc.subtitle) {
    drawCentred(page, line, fonts.regular, 11, y - 11);
    y -= 15;
  }
  drawTable(pdf, { page, y: y - 6 }, fonts, doc.columns, doc.rows, style);
  return pdf;
}
