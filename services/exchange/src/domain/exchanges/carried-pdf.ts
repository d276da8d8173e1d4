import fs from 'node:fs';
import type { FiledAttachment } from '../edxml/parse-edxml';

/** A carried PDF of a message parsed from its file: the attachment's own file, or the file its zip entry went to. */
export type CarriedPdfFile = { pdf: { file: string }; fileName: string };

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
 * carriedPdf for a message parsed from its file (parseEdxmlFile): a PDF attachment stays in its file, and a zipped
 * one's PDF entry in the file parseEdxmlFile inflated it into, to be uploaded from there as a stream.
 */
export function carriedPdfFile(document: { attachments: FiledAttachment[] }): CarriedPdfFile | undefined {
  for (const attachment of document.attachments) {
    if (attachment.unzipped) {
      const found = attachment.unzipped.find((entry) => entry.head.subarray(0, 5).toString('latin1') === '%PDF-');
      if (found) return { pdf: { file: found.file }, fileName: pdfName(found.name) };
    } else if (headOf(attachment.file).toString('latin1') === '%PDF-') {
      return { pdf: { file: attachment.file }, fileName: pdfName(attachment.name) };
    }
  }
  return undefined;
}
