import { isZipped, unzipAttachment } from '../edxml/attachments';
import type { EdxmlDocument } from '../edxml/model';

/** The first PDF a message carries, raw or zipped (decided from its bytes, never the declared type). */
export function carriedPdf(document: EdxmlDocument, maxBytes: number): { pdf: Buffer; fileName: string } | undefined {
  for (const attachment of document.attachments) {
    const files = isZipped(attachment.content)
      ? unzipAttachment(attachment.content, maxBytes)
      : [{ name: attachment.name, content: attachment.content }];
    const found = files.find((f) => f.content.subarray(0, 5).toString('latin1') === '%PDF-');
    if (found) {
      return {
        pdf: found.content,
        fileName: found.name.toLowerCase().endsWith('.pdf') ? found.name : `${found.name}.pdf`,
      };
    }
  }
  return undefined;
}
