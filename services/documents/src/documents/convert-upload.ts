import type { BlobStore, StoredBlob } from '@vanthu/platform';
import type { DocxConverter } from '../adapters/docx-converter';
import { inspectPdf } from '../adapters/inspect-pdf';
import { docxMediaType, pdfMediaType } from '../rules/sniff-media-type';
import type { StoredContent } from './create-document';

/**
 * For a DOCX upload, the PDF LibreOffice makes of it, checked like an uploaded PDF and stored
 * before the database transaction; nothing for a PDF. A failed conversion removes the DOCX it
 * stored, so a refused upload leaves nothing behind.
 */
export async function convertUpload(
  blob: StoredBlob,
  content: StoredContent,
  deps: { blobs: BlobStore; converter: DocxConverter },
): Promise<StoredContent | undefined> {
  if (content.mediaType !== docxMediaType) return undefined;
  try {
    const pdf = await deps.converter.convert(deps.blobs.pathOf(blob.sha256));
    const stored = await deps.blobs.putBuffer(pdf, async (file) => {
      await inspectPdf(file.path, file.tail);
      return pdfMediaType;
    });
    const fileName = content.fileName ? `${content.fileName.replace(/\.docx$/i, '')}.pdf` : null;
    return { sha256: stored.sha256, sizeBytes: stored.sizeBytes, mediaType: pdfMediaType, fileName };
  } catch (error) {
    await deps.blobs.discardCreated(blob);
    throw error;
  }
}
