import { AppError } from '@vanthu/platform';

export const pdfMediaType = 'application/pdf';
export const zipMediaType = 'application/zip';
export const docxMediaType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Decides the container type from the bytes, never from the client's word. PDF readers accept
 * the `%PDF-` header anywhere in the first 1024 bytes (ISO 32000-1 annex H.3 note), so do we.
 * A zip (local file header `PK\3\4`) is only a candidate DOCX: its directory is inspected next.
 */
export function sniffMediaType(head: Buffer): string {
  const window = head.subarray(0, 1024).toString('latin1');
  if (/%PDF-\d\.\d/.test(window)) return pdfMediaType;
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return zipMediaType;
  throw new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    'the file is neither a PDF (no %PDF- header) nor a DOCX; only PDF and DOCX are accepted',
  );
}
