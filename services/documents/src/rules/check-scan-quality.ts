import type { PDFDocument, PDFNumber } from 'pdf-lib';
import { PDFDict, PDFName, PDFRawStream, PDFRef, PDFArray } from 'pdf-lib';
import { AppError } from '@vanthu/platform';

export type ScanQuality = { pages: number; minDpi: number; colour: boolean };

const minimumDpi = 200;

/** Pixels per inch of the largest image on each page, and whether every such image is in colour. */
export function measureScan(pdf: PDFDocument): ScanQuality {
  let minDpi = Number.POSITIVE_INFINITY;
  let colour = true;
  for (const page of pdf.getPages()) {
    const { width, height } = page.getSize();
    const xObjects = page.node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    let best: { w: number; h: number; colour: boolean } | undefined;
    for (const [, ref] of xObjects?.entries() ?? []) {
      const object = ref instanceof PDFRef ? pdf.context.lookup(ref) : ref;
      if (!(object instanceof PDFRawStream) || object.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
      const w = (object.dict.get(PDFName.of('Width')) as PDFNumber | undefined)?.asNumber() ?? 0;
      const h = (object.dict.get(PDFName.of('Height')) as PDFNumber | undefined)?.asNumber() ?? 0;
      const space = object.dict.get(PDFName.of('ColorSpace'));
      const spaceName = space instanceof PDFArray ? space.get(0)?.toString() : space?.toString();
      const isColour =
        spaceName !== '/DeviceGray' &&
        spaceName !== '/CalGray' &&
        object.dict.get(PDFName.of('ImageMask'))?.toString() !== 'true';
      if (!best || w * h > best.w * best.h) best = { w, h, colour: isColour };
    }
    if (!best) return { pages: pdf.getPageCount(), minDpi: 0, colour: false };
    // The image fills the page at 100 % scale: its pixels over the page's size in inches.
    minDpi = Math.min(minDpi, best.w / (width / 72), best.h / (height / 72));
    colour &&= best.colour;
  }
  return { pages: pdf.getPageCount(), minDpi: Number.isFinite(minDpi) ? minDpi : 0, colour };
}

/** NĐ 30/2020 Phụ lục I Phần II: digitised copies are colour, at least 200 dpi, at 100 % scale. */
export function checkScanQuality(pdf: PDFDocument): ScanQuality {
  const quality = measureScan(pdf);
  if (quality.minDpi === 0)
    throw new AppError('UNPROCESSABLE', 'a digitised copy is a scan: every page must carry its scanned image');
  if (quality.minDpi < minimumDpi - 0.5)
    throw new AppError(
      'UNPROCESSABLE',
      `the scan is ${Math.floor(quality.minDpi)} dpi; digitised copies need at least ${minimumDpi} dpi`,
    );
  if (!quality.colour)
    throw new AppError('UNPROCESSABLE', 'the scan is in grey; digitised copies are scanned in colour');
  return quality;
}
