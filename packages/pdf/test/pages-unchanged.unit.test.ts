import { PDFDocument, StandardFonts } from 'pdf-lib';
import { IncrementalUpdate, PdfDict, PdfName, PdfReader, PdfStream, isDict, pagesUnchanged } from '../src';
import type { PdfObject, PdfRef } from '../src';
import { addSignatureWidget } from '../../../test/support/pdf-updates';

// What a signature's incremental update may change without changing what its pages draw (the search index keeps the
// text it has), and what it may not.

async function twoPagePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of ['Cong van so 15', 'Noi nhan']) doc.addPage([300, 300]).drawText(text, { x: 20, y: 200, font });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Appends an update made by `change` and returns the reader of the file before and of the file after. */
function update(original: Buffer, change: (u: IncrementalUpdate, reader: PdfReader) => void) {
  const before = PdfReader.fromBuffer(original);
  const u = new IncrementalUpdate(before);
  change(u, before);
  return { before, after: PdfReader.fromBuffer(Buffer.concat([original, u.build().bytes])) };
}

const firstPage = (reader: PdfReader): { ref: PdfRef; dict: PdfDict } => reader.pages()[0] as never;

test('a signature widget on a page, with its own appearance, leaves the pages as they were', async () => {
  const { before, after } = update(await twoPagePdf(), (u, reader) => addSignatureWidget(u, firstPage(reader)));
  expect(pagesUnchanged(before, after)).toBe(true);
});

test('an update that gives a page new content, or redefines a font it draws with, changes the pages', async () => {
  const original = await twoPagePdf();
  const redrawn = update(original, (u, reader) => {
    const page = firstPage(reader);
    const content = u.add(new PdfStream(new PdfDict(), 0, 0, Buffer.from('BT /F1 12 Tf 20 200 Td (Da sua) Tj ET')));
    u.set(page.ref, page.dict.clone().set('Contents', content));
  });
  expect(pagesUnchanged(redrawn.before, redrawn.after)).toBe(false);

  const sameRefNewBytes = update(original, (u, reader) => {
    // pdf-lib writes /Contents as an array of one stream.
    const [contents] = firstPage(reader).dict.get('Contents') as PdfRef[];
    u.set(contents as PdfRef, new PdfStream(new PdfDict(), 0, 0, Buffer.from('BT /F1 12 Tf 20 200 Td (Da sua) Tj ET')));
  });
  expect(pagesUnchanged(sameRefNewBytes.before, sameRefNewBytes.after)).toBe(false);

  const fontRedefined = update(original, (u, reader) => {
    const resources = reader.inherited(firstPage(reader).dict, 'Resources') as PdfObject;
    const fonts = isDict(resources) ? reader.resolveDict(resources.get('Font')) : undefined;
    const fontRef = fonts?.map.values().next().value as PdfRef;
    u.set(fontRef, (reader.resolveDict(fontRef) as PdfDict).clone().set('BaseFont', PdfName.of('Courier')));
  });
  expect(pagesUnchanged(fontRedefined.before, fontRedefined.after)).toBe(false);
});

test('a different number of pages changes the pages', async () => {
  const oneMore = await PDFDocument.load(await twoPagePdf());
  oneMore.addPage([300, 300]);
  const before = PdfReader.fromBuffer(await twoPagePdf());
  expect(pagesUnchanged(before, PdfReader.fromBuffer(Buffer.from(await oneMore.save())))).toBe(false);
});
