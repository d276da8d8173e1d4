import { DOMParser } from '@xmldom/xmldom';
import type { Element as XmlElement } from '@xmldom/xmldom';
import { AppError } from '@vanthu/platform';
import { EdxmlRefused, digestOnlyStore, fileChunks, readEdxmlStream, xmldsigNamespace } from '@vanthu/xmldsig';
import type { ReferenceDigest } from '@vanthu/xmldsig';

// What an edXML message to be sealed says about itself, read from its file as a stream: the message is never
// held, whatever its attachments weigh. The streaming reader (packages/xmldsig/src/stream-reader.ts) checks
// well-formedness, refuses a DTD and deep nesting, hashes each attachment's decoded bytes as they pass and keeps a
// small skeleton of everything else; the claims are read from that skeleton, and the reference digest is fed with
// the attachments' text in place of their markers.

export const edxmlNamespace = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

export type Claims = {
  kind: 'document' | 'recall' | 'status';
  fromOrganId: string;
  documentId: string;
  /** The SHA-256 of each attachment's decoded bytes, in document order. */
  attachmentSha256: string[];
  /** A status message's addressee (ResponseFor.OrganId). */
  responseForOrganId?: string;
};

export type EdxmlToSign = {
  /** The message without its attachments' text (markers in its place): what the signature is computed over. */
  skeleton: string;
  claims: Claims;
  /** Feeds the reference digest with the attachments' text where the skeleton holds markers. */
  referenceDigest: ReferenceDigest;
};

// What a status message holds (docs/domain/edxml-facts.md, section "1. What all samples agree on"): nothing else
// is signed in one.
const statusChildren = new Set(['From', 'ResponseFor', 'StaffInfo', 'StatusCode', 'Description', 'Timestamp']);
const statusCodes = new Set(['01', '02', '03', '04', '05', '06', '13', '15', '16']);

export const refuse = (message: string): never => {
  throw new AppError('UNPROCESSABLE', `the edXML cannot be signed: ${message}`, {
    errors: [{ field: 'edxml', message }],
  });
};

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  for (let node = element?.firstChild; node; node = node.nextSibling) {
    const e = node as XmlElement;
    if (node.nodeType === 1 && e.namespaceURI === edxmlNamespace && e.localName === name) return e;
  }
  return undefined;
}
const text = (element: XmlElement | undefined): string => (element?.textContent ?? '').trim();
const elements = (element: XmlElement | undefined): XmlElement[] => {
  const found: XmlElement[] = [];
  for (let node = element?.firstChild; node; node = node.nextSibling)
    if (node.nodeType === 1) found.push(node as XmlElement);
  return found;
};

/** A status message is signed only as one: a MessageHeader with the status fields, no trace, body or attachment. */
function checkStatusShape(root: XmlElement, header: XmlElement, messageHeader: XmlElement): void {
  const envelope = child(root, 'edXMLEnvelope');
  const extra = [
    ...elements(root).filter((e) => e !== envelope),
    ...elements(envelope).filter((e) => e !== header && !(e.localName === 'edXMLBody' && elements(e).length === 0)),
    ...elements(header).filter((e) => e !== messageHeader),
    ...elements(messageHeader).filter((e) => e.namespaceURI !== edxmlNamespace || !statusChildren.has(e.localName!)),
  ];
  if (extra.length > 0) refuse(`a status message holds ${extra[0]!.localName}, which a status message does not carry`);
  if (!statusCodes.has(text(child(messageHeader, 'StatusCode')))) refuse('StatusCode is not a known status code');
  if (!text(child(child(messageHeader, 'ResponseFor'), 'DocumentId'))) refuse('ResponseFor names no DocumentId');
}

/**
 * Reads the message in `file` for signing; the attachments' text is kept under `workDir` (the caller's, removed by
 * it) until the digest is fed. Refuses (422) what is not UTF-8, not well-formed, has a DTD, is signed already, or
 * carries an attachment that is not base64 on one line.
 */
export function readEdxmlToSign(file: string, workDir: string): EdxmlToSign {
  let streamed;
  try {
    streamed = readEdxmlStream(fileChunks(file), digestOnlyStore(workDir), {
      maxDepth: 64,
      maxAttachmentBytes: Number.POSITIVE_INFINITY,
      carrierNamespace: edxmlNamespace,
    });
  } catch (error) {
    if (error instanceof EdxmlRefused) return refuse(error.message);
    throw error;
  }
  let root: XmlElement | null | undefined;
  try {
    root = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(streamed.skeleton, 'text/xml').documentElement;
  } catch (error) {
    return refuse(`not well-formed XML (${(error as Error).message})`);
  }
  if (!root || root.localName !== 'edXML' || root.namespaceURI !== edxmlNamespace) refuse('the root is not edXML');
  const header = child(child(root!, 'edXMLEnvelope'), 'edXMLHeader');
  const messageHeader = child(header, 'MessageHeader');
  if (!messageHeader) return refuse('there is no MessageHeader');
  if (root!.getElementsByTagNameNS(xmldsigNamespace, 'Signature').length > 0) refuse('the message is signed already');
  const result = (claims: Claims): EdxmlToSign => ({
    skeleton: streamed.skeleton,
    claims,
    referenceDigest: streamed.digestWithAttachments,
  });
  const fromOrganId = text(child(child(messageHeader, 'From'), 'OrganId'));
  if (child(messageHeader, 'StatusCode')) {
    checkStatusShape(root!, header!, messageHeader);
    const responseFor = child(messageHeader, 'ResponseFor');
    return result({
      kind: 'status',
      fromOrganId,
      documentId: text(child(responseFor, 'DocumentId')),
      attachmentSha256: [],
      responseForOrganId: text(child(responseFor, 'OrganId')),
    });
  }
  const trace = child(header, 'TraceHeaderList');
  if (!trace) refuse('there is no TraceHeaderList to place the signature after');
  const recall = text(child(child(trace, 'Bussiness'), 'BussinessDocType')) === '1';
  // Every ContentTransferEncoded is an attachment the reader streamed and hashed: one anywhere else would carry
  // bytes that no check below looks at.
  const carriers = root!.getElementsByTagNameNS(edxmlNamespace, 'ContentTransferEncoded').length;
  if (carriers !== streamed.attachments.length) refuse('a ContentTransferEncoded stands outside an Attachment');
  const attachmentSha256 = streamed.attachments.map((attachment) => {
    if (attachment.problem || attachment.splitOverLines) refuse('an attachment is not base64 on one line');
    return attachment.sha256;
  });
  return result({
    kind: recall ? 'recall' : 'document',
    fromOrganId,
    documentId: text(child(messageHeader, 'DocumentId')),
    attachmentSha256,
  });
}
