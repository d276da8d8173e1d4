import type { WrittenFile } from '@vanthu/platform';
import { inspectDocx } from '../adapters/inspect-docx';
import { inspectPdf } from '../adapters/inspect-pdf';
import { docxMediaType, pdfMediaType, sniffMediaType } from '../rules/sniff-media-type';

/** PDF or DOCX, decided from the bytes and checked before the file may enter the store. */
export async function inspectContent(file: WrittenFile): Promise<string> {
  const container = sniffMediaType(file.head);
  if (container === pdfMediaType) {
    await inspectPdf(file.path, file.tail);
    return pdfMediaType;
  }
  await inspectDocx(file.path, file.sizeBytes);
  return docxMediaType;
}
