import fsp from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import type { BlobStore } from '@vanthu/platform';

/** Pages of a stored PDF (0 for anything else): PageAmount and PageTotal are filled by the system (Phụ lục VI). */
export async function countPdfPages(blobs: BlobStore, sha256: string, mediaType: string): Promise<number> {
  if (mediaType !== 'application/pdf') return 0;
  const pdf = await PDFDocument.load(await fsp.readFile(blobs.pathOf(sha256)), {
    ignoreEncryption: true,
    updateMetadata: false,
  });
  return pdf.getPageCount();
}
