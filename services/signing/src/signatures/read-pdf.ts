import { AppError } from '@vanthu/platform';
import { PdfReader } from '@vanthu/pdf';

/** Parses a PDF to be signed; unparseable or encrypted input is a clear 422, never a crash. */
export function readPdfForSigning(bytes: Buffer): PdfReader {
  let reader: PdfReader;
  try {
    reader = PdfReader.fromBuffer(bytes);
    reader.pages();
  } catch (error) {
    throw new AppError('UNPROCESSABLE', `the document is not a PDF that can be signed: ${(error as Error).message}`, {
      errors: [{ field: 'document', message: 'unparseable PDF' }],
    });
  }
  if (reader.encrypted) {
    throw new AppError('UNPROCESSABLE', 'the document is an encrypted PDF; store a decrypted version before signing', {
      errors: [{ field: 'document', message: 'encrypted PDF' }],
    });
  }
  return reader;
}
