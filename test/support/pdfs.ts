import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A small, valid multi-page PDF whose bytes differ with `seed`, so content addressing can be observed. */
export async function makePdf(seed: string, pages = 2): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.setCreationDate(new Date('2026-01-01T00:00:00Z'));
  pdf.setModificationDate(new Date('2026-01-01T00:00:00Z'));
  pdf.setProducer('vanthu tests');
  const font = await pdf.embedFont(StandardFonts.TimesRoman);
  for (let i = 0; i < pages; i += 1) {
    const page = pdf.addPage([595.28, 841.89]);
    page.drawText(`UY BAN NHAN DAN TINH THU NGHIEM - ${seed} - trang ${i + 1}`, { x: 60, y: 780, size: 13, font });
  }
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}
