import fsp from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import { AppError } from '@vanthu/platform';

/**
 * Refuses a truncated or malformed PDF. A complete file ends with `%%EOF` (ISO 32000-1 §7.5.5;
 * incremental updates each end with one, so the last one is at the end), and it must parse
 * into at least one page.
 */
export async function inspectPdf(file: string, tail: Buffer): Promise<void> {
  if (!tail.toString('latin1').includes('%%EOF')) {
    throw new AppError('UNPROCESSABLE', 'the PDF is truncated or malformed: it does not end with an %%EOF marker');
  }
  let pages: number;
  try {
    const pdf = await PDFDocument.load(await fsp.readFile(file), {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: true,
    });
    pages = pdf.getPageCount();
  } catch (error) {
    throw new AppError(
      'UNPROCESSABLE',
      `the PDF is malformed and cannot be read: ${(error as Error).message.slice(0, 200)}`,
      { cause: error },
    );
  }
  if (pages < 1) throw new AppError('UNPROCESSABLE', 'the PDF has no pages');
}
