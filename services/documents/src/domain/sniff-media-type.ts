import { AppError } from '@vanthu/platform';

export const pdfMediaType = 'application/pdf';

/**
 * Decides the media type from the bytes, never from the client's word. PDF readers accept the
 * `%PDF-` header anywhere in the first 1024 bytes (ISO 32000-1 annex H.3 note), so do we.
 */
export function sniffMediaType(head: Buffer): string {
  const window = head.subarray(0, 1024).toString('latin1');
  if (/%PDF-\d\.\d/.test(window)) return pdfMediaType;
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the file is not a PDF (its content does not start with a %PDF- header)');
}
