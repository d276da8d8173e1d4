import { PdfDict, PdfName, PdfStream } from '@vanthu/pdf';
import type { IncrementalUpdate, PdfRef } from '@vanthu/pdf';

/**
 * Adds to `update` what a signature adds to a page (ISO 32000-1 §12.7.4.5): a signature field's widget with an
 * appearance of its own, and the page's /Annots naming it. The page's content and resources stay as they were.
 */
export function addSignatureWidget(update: IncrementalUpdate, page: { ref: PdfRef; dict: PdfDict }): PdfRef {
  const appearance = new PdfStream(
    new PdfDict().set('Type', PdfName.of('XObject')).set('Subtype', PdfName.of('Form')).set('BBox', [0, 0, 100, 40]),
    0,
    0,
    Buffer.from('BT /F1 8 Tf (Nguyen Van An) Tj ET'),
  );
  const widget = update.add(
    new PdfDict()
      .set('Type', PdfName.of('Annot'))
      .set('Subtype', PdfName.of('Widget'))
      .set('FT', PdfName.of('Sig'))
      .set('Rect', [20, 20, 120, 60])
      .set('P', page.ref)
      .set('AP', new PdfDict().set('N', update.add(appearance))),
  );
  update.set(page.ref, page.dict.clone().set('Annots', [widget]));
  return widget;
}
