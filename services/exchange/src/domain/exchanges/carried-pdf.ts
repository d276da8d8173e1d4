import fs from 'node:fs';
import { isZipped, unzipAttachment } from '../edxml/attachments';
import type { EdxmlDocument } from '../edxml/model';
import type { FiledAttachment } from '../edxml/parse-edxml';

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

/** A carried PDF of a message parsed from its file: the attachment's own file, or, unzipped, its bytes. */
export type CarriedPdfFile = { pdf: { file: string } | Buffer; fileName: string };

const pdfName = (name: string): string => (name.toLowerCase().endsWith('.pdf') ? name : `${name}.pdf`);

function headOf(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(5);
    return head.subarray(0, fs.readSync(fd, head, 0, 5, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * carriedPdf for a message parsed from its file (parseEdxmlFile): a PDF attachment stays in its file, to be
 * uploaded from there as a stream; a zipped one is read and unzipped in memory (bounded by `maxBytes`).
 */
export function carriedPdfFile(
  document: { attachments: FiledAttachment[] },
  maxBytes: number,
): CarriedPdfFile | undefined {
  for (const attachment of document.attachments) {
    const head = headOf(attachment.file);
    if (isZipped(head)) {
      const found = unzipAttachment(fs.readFileSync(attachment.file), maxBytes).find(
        (f) => f.content.subarray(0, 5).toString('latin1') === '%PDF-',
      );
      if (found) return { pdf: found.content, fileName: pdfName(found.name) };
    } else if (head.toString('latin1') === '%PDF-') {
      return { pdf: { file: attachment.file }, fileName: pdfName(attachment.name) };
    }
  }
  return undefined;
}
