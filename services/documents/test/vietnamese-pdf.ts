import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { vietnameseFontFiles } from '../src/rules/vietnamese-font';

/** A one-page PDF whose text layer holds `lines` in Vietnamese. */
export async function vietnamesePdf(lines: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(fs.readFileSync(vietnameseFontFiles().regular), { subset: true });
  const page = pdf.addPage([595.28, 841.89]);
  lines.forEach((line, i) => page.drawText(line.normalize('NFC'), { x: 60, y: 780 - i * 20, size: 13, font }));
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}
