import { PDFDocument } from 'pdf-lib';
import { IncrementalUpdate, PdfReader, isStream } from '@vanthu/pdf';
import type { PdfRef } from '@vanthu/pdf';
import { drawAppearance } from '../src/appearance/draw-appearance';
import type { AppearanceDrawing } from '../src/appearance/draw-appearance';
import { redSealPng } from './fixtures/images';
import { fontPath } from './support';

// An agency seals one document after another with the same appearance: it is drawn once and reused, and what a
// signature gets is exactly what drawing it afresh gives.

async function blankPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The content stream of the form XObject the appearance becomes in a fresh update of a blank file. */
async function drawn(drawing: AppearanceDrawing): Promise<{ content: Buffer }> {
  const blank = await blankPdf();
  const reader = PdfReader.fromBuffer(blank);
  const update = new IncrementalUpdate(reader);
  const ref: PdfRef = await drawAppearance(update, drawing, fontPath);
  const after = PdfReader.fromBuffer(Buffer.concat([blank, update.build().bytes]));
  const form = after.getObject(ref);
  if (!isStream(form)) throw new Error('the appearance is not a stream');
  return { content: after.streamData(form) };
}

const sealImage = redSealPng(80);
const seal = (name: string): AppearanceDrawing => ({
  width: 160,
  height: 60,
  image: { png: sealImage, x: 0, y: 0, width: 60, height: 60 },
  lines: [
    { text: name, x: 64, y: 36, size: 9 },
    { text: 'Ngày ký: 01/12/2026', x: 64, y: 20, size: 8 },
  ],
});

test('the same drawing gives the same appearance, a different one its own, whatever was drawn in between', async () => {
  const first = await drawn(seal('Ủy ban nhân dân tỉnh Thử Nghiệm'));
  const other = await drawn(seal('Sở Khoa học và Công nghệ'));
  const again = await drawn(seal('Ủy ban nhân dân tỉnh Thử Nghiệm'));
  expect(again.content.equals(first.content)).toBe(true);
  expect(other.content.equals(first.content)).toBe(false);
  // A different image is a different appearance even with the same lines.
  const drawing = seal('Ủy ban nhân dân tỉnh Thử Nghiệm');
  const otherImage = await drawn({ ...drawing, image: { ...drawing.image!, width: 50 } });
  expect(otherImage.content.equals(first.content)).toBe(false);
});
