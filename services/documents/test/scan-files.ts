import {
  PDFDocument,
  PDFName,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
} from 'pdf-lib';

/**
 * An A4 "scan": each page carries one image at `dpi`, in colour (DeviceRGB) or grey (DeviceGray),
 * placed at 100 % scale. The image stream is written directly (Flate), as scanners write them.
 */
export async function makeScan(options: { dpi: number; colour: boolean; pages?: number }): Promise<Buffer> {
  const [width, height] = [595.28, 841.89];
  const px = Math.round((width / 72) * options.dpi);
  const py = Math.round((height / 72) * options.dpi);
  const channels = options.colour ? 3 : 1;
  const pixels = Buffer.alloc(px * py * channels);
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = 180 + (i % 61);
  const pdf = await PDFDocument.create();
  const image = pdf.context.register(
    pdf.context.flateStream(pixels, {
      Type: 'XObject',
      Subtype: 'Image',
      Width: px,
      Height: py,
      ColorSpace: options.colour ? 'DeviceRGB' : 'DeviceGray',
      BitsPerComponent: 8,
    }),
  );
  for (let p = 0; p < (options.pages ?? 1); p += 1) {
    const page = pdf.addPage([width, height]);
    page.node.setXObject(PDFName.of('Scan'), image);
    page.pushOperators(
      pushGraphicsState(),
      concatTransformationMatrix(width, 0, 0, height, 0, 0),
      drawObject('Scan'),
      popGraphicsState(),
    );
  }
  return Buffer.from(await pdf.save());
}
