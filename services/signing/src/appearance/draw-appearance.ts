import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import { PdfReader, pageAsFormXObject } from '@vanthu/pdf';
import type { IncrementalUpdate, PdfRef } from '@vanthu/pdf';

export type AppearanceDrawing = {
  width: number;
  height: number;
  image?: { png: Buffer; x: number; y: number; width: number; height: number };
  lines?: { text: string; x: number; y: number; size: number }[];
};

const fontCache = new Map<string, Buffer>();
const fontBytes = (path: string): Buffer => {
  let bytes = fontCache.get(path);
  if (!bytes) {
    bytes = fs.readFileSync(path);
    fontCache.set(path, bytes);
  }
  return bytes;
};

type MeasuringFont = { unitsPerEm: number; layout(text: string): { advanceWidth: number } };
const measuringFonts = new Map<string, MeasuringFont>();

/** Width of `text` in points, from a parsed font kept for the life of the process. */
export async function textWidth(fontPath: string, text: string, size: number): Promise<number> {
  let font = measuringFonts.get(fontPath);
  if (!font) {
    font = (fontkit as unknown as { create(bytes: Buffer): MeasuringFont }).create(fontBytes(fontPath));
    measuringFonts.set(fontPath, font);
  }
  return (font.layout(text.normalize('NFC')).advanceWidth * size) / font.unitsPerEm;
}

/**
 * Draws the appearance in a scratch pdf-lib document (pdf-lib is fine for drawing; only its
 * save() must never touch the signed file), then brings the page into `update` as a form
 * XObject. Text uses an embedded subset of a Unicode TrueType font so Vietnamese comes out
 * exactly and extracts back as the same text.
 */
export async function drawAppearance(
  update: IncrementalUpdate,
  drawing: AppearanceDrawing,
  fontPath: string,
): Promise<PdfRef> {
  const key = drawingKey(drawing, fontPath);
  let bytes = drawnAppearances.get(key);
  if (bytes) {
    // Most recently used last, so the oldest entry is the one evicted.
    drawnAppearances.delete(key);
  } else {
    bytes = await drawScratchPage(drawing, fontPath);
    if (drawnAppearances.size >= maxDrawnAppearances) drawnAppearances.delete(drawnAppearances.keys().next().value!);
  }
  drawnAppearances.set(key, bytes);
  return pageAsFormXObject(PdfReader.fromBuffer(bytes), update).ref;
}

/**
 * Drawn appearances by what they draw, most recently used last. An agency seals document after document with the
 * same appearance (its seal image, its name, the same lines), and drawing one costs most of a signature's CPU
 * (parsing the TrueType font, shaping, subsetting: bench/signing/results.md); the drawn page is a pure function of
 * the drawing and the font, so the same drawing is drawn once. Bounded: a few MB at most.
 */
const drawnAppearances = new Map<string, Buffer>();
const maxDrawnAppearances = 64;

function drawingKey(drawing: AppearanceDrawing, fontPath: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ fontPath, ...drawing, image: drawing.image && { ...drawing.image, png: undefined } }));
  if (drawing.image) hash.update(drawing.image.png);
  return hash.digest('hex');
}

/** The appearance drawn on the one page of a scratch pdf-lib document, saved. */
async function drawScratchPage(drawing: AppearanceDrawing, fontPath: string): Promise<Buffer> {
  const scratch = await PDFDocument.create();
  // A fresh fontkit font per appearance: sharing one parsed font between pdf-lib documents
  // corrupts later subsets (glyphs used by an earlier appearance go missing), which a test caught.
  scratch.registerFontkit(fontkit);
  const page = scratch.addPage([Math.max(1, drawing.width), Math.max(1, drawing.height)]);
  if (drawing.image) {
    const image = await scratch.embedPng(drawing.image.png);
    page.drawImage(image, {
      x: drawing.image.x,
      y: drawing.image.y,
      width: drawing.image.width,
      height: drawing.image.height,
    });
  }
  if (drawing.lines?.length) {
    const font = await scratch.embedFont(fontBytes(fontPath), { subset: true });
    const covered = new Set(font.getCharacterSet());
    const missing = [...new Set(drawing.lines.flatMap((l) => [...l.text.normalize('NFC')]))].filter(
      (c) => !covered.has(c.codePointAt(0) ?? 0) && c.trim() !== '',
    );
    // A font without the glyphs would draw .notdef boxes: refuse rather than sign wrong text.
    if (missing.length) throw new Error(`the appearance font ${fontPath} has no glyph for ${missing.join(' ')}`);
    for (const line of drawing.lines)
      page.drawText(line.text.normalize('NFC'), { x: line.x, y: line.y, size: line.size, font, color: rgb(0, 0, 0) });
  }
  return Buffer.from(await scratch.save({ useObjectStreams: false }));
}
