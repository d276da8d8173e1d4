import { PDFDocument, rgb } from 'pdf-lib';
import { embedFonts } from './pdf-table';

export type CopyMark = { lines: string[] };

/**
 * Stamps the copy's form, number and place/date at the top right of the first page (NĐ 30/2020
 * Phụ lục I Phần II: the copy block; ô 14 for electronic copies), on the selected pages of the source.
 */
export async function renderCopy(source: Buffer, pages: number[] | undefined, mark: CopyMark): Promise<Buffer> {
  const original = await PDFDocument.load(source, { ignoreEncryption: true });
  const indices = pages ? pages.map((p) => p - 1) : original.getPageIndices();
  const pdf = await PDFDocument.create();
  for (const page of await pdf.copyPages(original, indices)) pdf.addPage(page);
  const fonts = await embedFonts(pdf);
  const first = pdf.getPage(0);
  const { width, height } = first.getSize();
  mark.lines.forEach((line, i) => {
    const font = i === 0 ? fonts.bold : fonts.regular;
    const size = i === 0 ? 11 : 10;
    const textWidth = font.widthOfTextAtSize(line, size);
    first.drawText(line, { x: width - 24 - textWidth, y: height - 24 - (i + 1) * 13, size, font, color: rgb(0, 0, 0) });
  });
  pdf.setProducer('vanthu');
  return Buffer.from(await pdf.save());
}
