import { createHash } from 'node:crypto';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Element as XmlElement, Node as XmlNode } from '@xmldom/xmldom';
import {
  EdxmlRefused,
  directoryStore,
  fileChunksAsync,
  memoryStore,
  readEdxmlStream,
  readEdxmlStreamAsync,
  slices,
  verifyEnvelopedSignature,
} from '@vanthu/xmldsig';
import type { StreamedEdxml } from '@vanthu/xmldsig';
import { isZipped, unzipAttachment, unzipAttachmentFile } from './attachments';
import { fromEdxmlDate, fromEdxmlTimestamp } from './formats';
import { edxmlNamespace, edxmlPrefix, isStatusCode } from './model';
import type {
  Business,
  BusinessDocType,
  ConformanceProblem,
  EdxmlAttachment,
  EdxmlDocument,
  MessageHeader,
  Organ,
  ResponseFor,
  StaffInfo,
  StatusMessage,
  TraceHeader,
} from './model';
import { checkEdxmlDocument, checkStatusMessage } from './rules';

export { EdxmlRefused } from '@vanthu/xmldsig';

// Parses what real hubs deliver, leniently where they differ (child order, an unprefixed attachment block,
// dd/MM/yyyy dates, trace headers without OrganId: reported as warnings), and refuses what is not
// well-formed XML, never repairing it. The message is read as a stream (stream-reader.ts): DTDs are refused
// outright, so neither entity expansion nor external entities can happen, and attachments are decoded
// chunk by chunk into memory or into files, so a large message is never held whole.

export type AttachmentInfo = {
  contentId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  zipped: boolean;
  /** The files inside a zipped attachment. */
  entries?: { name: string; size: number; sha256: string }[];
  /** parseEdxmlFile: the file holding the decoded attachment. */
  file?: string;
};

/**
 * The message's signature as found: `valid` says whether an XML-DSig signature verifies over the whole
 * message (integrity with the key in its X509Data; whether that certificate is trusted is checked apart,
 * against the trust store).
 */
export type SignatureInfo = {
  present: boolean;
  namespace?: string;
  valid?: boolean;
  reason?: string;
  signatureAlgorithm?: string;
  canonicalization?: string;
  /** SHA-256 of the signer's certificate (the first of X509Data). */
  certificateSha256?: string;
  /** Set by checkSignatureTrust: the chain to the trust store. */
  trusted?: boolean;
  trustReason?: string;
  /** Set by checkSignatureTrust: the signer's revocation state (OCSP, else CRL) from the signing service. */
  revocation?: 'good' | 'revoked' | 'unknown';
  revokedAt?: string;
};

/**
 * An attachment as parseEdxmlFile leaves it: its bytes in a file, never in memory; a zipped one's entries inflated
 * into files of their own.
 */
export type FiledAttachment = Omit<EdxmlAttachment, 'content'> & {
  file: string;
  unzipped?: { name: string; head: Buffer; file: string }[];
};

type Parsed<A> =
  | {
      kind: 'edoc';
      document: Omit<EdxmlDocument, 'attachments'> & { attachments: A[] };
      attachments: AttachmentInfo[];
      signature: SignatureInfo;
      /** DER of X509Data, the signer's first: for the chain check against the trust store. */
      signatureCertificates: Buffer[];
      problems: ConformanceProblem[];
    }
  | {
      kind: 'status';
      status: StatusMessage;
      signature: SignatureInfo;
      signatureCertificates: Buffer[];
      problems: ConformanceProblem[];
    };

export type ParsedEdxml = Parsed<EdxmlAttachment>;
export type ParsedEdxmlFile = Parsed<FiledAttachment>;

export type ParseOptions = { maxAttachmentBytes?: number; maxDepth?: number };

const xmldsigNamespace = 'http://www.w3.org/2000/09/xmldsig#';
const defaultMaxAttachmentBytes = 100 * 1024 * 1024;

type Report = (rule: string, path: string, message: string, severity?: 'error' | 'warning') => void;

const isElement = (node: XmlNode): node is XmlElement => node.nodeType === 1;

function elementChildren(element: XmlElement): XmlElement[] {
  const result: XmlElement[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) if (isElement(node)) result.push(node);
  return result;
}

/** Children in the QCVN namespace with this local name, in any order and any prefix. */
function all(element: XmlElement | undefined, name: string): XmlElement[] {
  if (!element) return [];
  return elementChildren(element).filter((c) => c.namespaceURI === edxmlNamespace && c.localName === name);
}
const one = (element: XmlElement | undefined, name: string): XmlElement | undefined => all(element, name)[0];

function textOf(element: XmlElement | undefined): string | undefined {
  if (!element) return undefined;
  let text = '';
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 3 || node.nodeType === 4) text += node.nodeValue ?? '';
  }
  return text;
}

/** A field's text; an empty element reads as absent (Bkav senders write an empty DueDate). */
function field(element: XmlElement | undefined, name: string): string | undefined {
  const text = textOf(one(element, name));
  return text === undefined || text.trim() === '' ? undefined : text;
}
const code = (element: XmlElement | undefined, name: string): string | undefined => field(element, name)?.trim();

/** The skeleton of a streamed message (small: no attachment text) as a DOM, with its depth already checked. */
function skeletonRoot(skeleton: string): XmlElement {
  let root: XmlElement | null | undefined;
  try {
    const parser = new DOMParser({
      onError: (level: string, message: string) => {
        // xmldom reports malformed markup as warnings too, so every report refuses the message — except
        // U+FFFD, a legal character that real messages do carry.
        if (level === 'warning' && message.startsWith('Unicode replacement character')) return;
        throw new EdxmlRefused('edxml.well-formed', `not well-formed XML (${level}): ${message}`);
      },
    });
    root = parser.parseFromString(skeleton, 'text/xml').documentElement;
  } catch (error) {
    if (error instanceof EdxmlRefused) throw error;
    throw new EdxmlRefused('edxml.well-formed', `not well-formed XML: ${(error as Error).message}`);
  }
  if (!root) throw new EdxmlRefused('edxml.well-formed', 'the document has no root element');
  return root;
}

function checkPrefixes(envelope: XmlElement, attachmentBlock: XmlElement | undefined, report: Report): void {
  let attachmentsReported = false;
  const walk = (element: XmlElement, path: string, inAttachments: boolean): void => {
    if (element.localName === 'Signature') return; // signatures are never prefixed by the SDKs
    if (element.namespaceURI === edxmlNamespace && element.prefix !== edxmlPrefix) {
      if (inAttachments) {
        if (attachmentsReported) return;
        attachmentsReported = true;
        report(
          'edxml.prefix.attachments',
          path,
          'the attachment block is unprefixed (namespace-equal; the national hub may refuse it)',
          'warning',
        );
      } else {
        report('edxml.prefix', path, `${element.localName} lacks the edXML: prefix the national hub requires`);
      }
    }
    for (const child of elementChildren(element)) walk(child, `${path}/${child.localName}`, inAttachments);
  };
  walk(envelope, 'edXMLEnvelope', false);
  if (attachmentBlock) walk(attachmentBlock, 'AttachmentEncoded', true);
}

function readDate(value: string | undefined, path: string, report: Report, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) report('edxml.required', path, `${path} is required`);
    return undefined;
  }
  const parsed = fromEdxmlDate(value.trim());
  if ('invalid' in parsed) {
    report('edxml.date.format', path, `${path} "${value}" is not a real yyyy/MM/dd date`);
    return undefined;
  }
  if (parsed.form === 'day-first') {
    report('edxml.date.format', path, `${path} "${value}" is dd/MM/yyyy; edXML writes yyyy/MM/dd`, 'warning');
  }
  return parsed.isoDate;
}

function readNumber(value: string | undefined, path: string, report: Report): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) {
    report('edxml.number', path, `${path} "${value}" is not a whole number`);
    return undefined;
  }
  return Number(value.trim());
}

function readOrgan(element: XmlElement | undefined, path: string, report: Report): Organ {
  if (!element) report('edxml.required', path, `${path} is required`);
  const organ: Organ = { organId: code(element, 'OrganId') ?? '' };
  const optional = [
    ['organizationInCharge', 'OrganizationInCharge'],
    ['organName', 'OrganName'],
    ['organAdd', 'OrganAdd'],
    ['email', 'Email'],
    ['telephone', 'Telephone'],
    ['fax', 'Fax'],
    ['website', 'Website'],
  ] as const;
  for (const [key, name] of optional) {
    const value = field(element, name);
    if (value !== undefined) organ[key] = value;
  }
  return organ;
}

function readStaff(element: XmlElement | undefined): StaffInfo | undefined {
  if (!element) return undefined;
  const staff: StaffInfo = {};
  for (const [key, name] of [
    ['department', 'Department'],
    ['staff', 'Staff'],
    ['mobile', 'Mobile'],
    ['email', 'Email'],
  ] as const) {
    const value = field(element, name);
    if (value !== undefined) staff[key] = value;
  }
  return staff;
}

function readResponseFor(element: XmlElement, path: string, report: Report): ResponseFor {
  return {
    organId: code(element, 'OrganId') ?? '',
    code: field(element, 'Code') ?? '',
    promulgationDate: readDate(field(element, 'PromulgationDate'), `${path}.PromulgationDate`, report, true) ?? '',
    documentId: code(element, 'DocumentId') ?? '',
  };
}

function readHeader(mh: XmlElement, report: Report): MessageHeader {
  const header: MessageHeader = {
    from: readOrgan(one(mh, 'From'), 'From', report),
    to: all(mh, 'To').map((to, index) => readOrgan(to, `To[${index}]`, report)),
    documentId: code(mh, 'DocumentId') ?? '',
    code: {
      codeNumber: code(one(mh, 'Code'), 'CodeNumber') ?? '',
      codeNotation: code(one(mh, 'Code'), 'CodeNotation') ?? '',
    },
    promulgationInfo: {
      promulgationDate:
        readDate(
          field(one(mh, 'PromulgationInfo'), 'PromulgationDate'),
          'PromulgationInfo.PromulgationDate',
          report,
          true,
        ) ?? '',
    },
    documentType: { type: code(one(mh, 'DocumentType'), 'Type') ?? '' },
    subject: field(mh, 'Subject') ?? '',
    toPlaces: all(one(mh, 'ToPlaces'), 'Place').map((p) => textOf(p) ?? ''),
    responseFor: all(mh, 'ResponseFor').map((r, index) => readResponseFor(r, `ResponseFor[${index}]`, report)),
  };
  if (!header.documentId) report('edxml.required', 'DocumentId', 'DocumentId is required');
  const place = field(one(mh, 'PromulgationInfo'), 'Place');
  if (place !== undefined) header.promulgationInfo.place = place;
  const typeDetail = code(one(mh, 'DocumentType'), 'TypeDetail');
  if (typeDetail !== undefined) header.documentType.typeDetail = typeDetail;
  const typeName = field(one(mh, 'DocumentType'), 'TypeName');
  if (typeName !== undefined) header.documentType.typeName = typeName;
  const content = field(mh, 'Content');
  if (content !== undefined) header.content = content;
  const signer = one(mh, 'SignerInfo');
  if (signer) {
    header.signerInfo = {};
    for (const [key, name] of [
      ['competence', 'Competence'],
      ['position', 'Position'],
      ['fullName', 'FullName'],
    ] as const) {
      const value = field(signer, name);
      if (value !== undefined) header.signerInfo[key] = value;
    }
  }
  const dueDate = readDate(field(mh, 'DueDate'), 'DueDate', report, false);
  if (dueDate !== undefined) header.dueDate = dueDate;
  const other = one(mh, 'OtherInfo');
  if (other) {
    const info: NonNullable<MessageHeader['otherInfo']> = {
      appendixes: all(one(other, 'Appendixes'), 'Appendix').map((a) => textOf(a) ?? ''),
    };
    const priority = readNumber(code(other, 'Priority'), 'OtherInfo.Priority', report);
    if (priority !== undefined) info.priority = priority;
    const sphere = field(other, 'SphereOfPromulgation');
    if (sphere !== undefined) info.sphereOfPromulgation = sphere;
    const typer = field(other, 'TyperNotation');
    if (typer !== undefined) info.typerNotation = typer;
    const amount = readNumber(code(other, 'PromulgationAmount'), 'OtherInfo.PromulgationAmount', report);
    if (amount !== undefined) info.promulgationAmount = amount;
    const pages = readNumber(code(other, 'PageAmount'), 'OtherInfo.PageAmount', report);
    if (pages !== undefined) info.pageAmount = pages;
    const direction = code(other, 'Direction');
    if (direction !== undefined) {
      if (direction === 'true' || direction === 'false') info.direction = direction === 'true';
      else report('edxml.boolean', 'OtherInfo.Direction', `Direction "${direction}" is not true or false`);
    }
    header.otherInfo = info;
  }
  const steering = code(mh, 'SteeringType');
  if (steering !== undefined) header.steeringType = steering;
  return header;
}

function readTrace(list: XmlElement | undefined, report: Report): { traces: TraceHeader[]; business?: Business } {
  const traces = all(list, 'TraceHeader').map((trace, index): TraceHeader => {
    const path = `TraceHeaderList.TraceHeader[${index}]`;
    const organId = code(trace, 'OrganId');
    if (organId === undefined) report('edxml.trace.organ', `${path}.OrganId`, 'trace header has no OrganId', 'warning');
    const raw = code(trace, 'Timestamp');
    const timestamp = raw === undefined ? undefined : fromEdxmlTimestamp(raw);
    if (timestamp === undefined) {
      report('edxml.timestamp.format', `${path}.Timestamp`, `Timestamp "${raw ?? ''}" is not yyyy/MM/dd HH:mm:ss`);
    }
    return organId === undefined ? { timestamp: timestamp ?? '' } : { organId, timestamp: timestamp ?? '' };
  });
  const element = one(list, 'Bussiness');
  if (!element) return { traces };
  const typeText = code(element, 'BussinessDocType') ?? '0';
  if (!/^[0-3]$/.test(typeText)) {
    report(
      'edxml.business.type',
      'TraceHeaderList.Bussiness.BussinessDocType',
      `BussinessDocType "${typeText}" is not 0–3`,
    );
  }
  const business: Business = {
    businessDocType: (/^[0-3]$/.test(typeText) ? Number(typeText) : 0) as BusinessDocType,
    receivers: all(one(one(element, 'BussinessDocumentInfo'), 'ReceiverList'), 'Receiver').map((r) => ({
      organId: code(r, 'OrganId') ?? '',
      receiverType: code(r, 'ReceiverType') === '0' ? 0 : 1,
    })),
    replacements: all(one(element, 'ReplacementInfoList'), 'ReplacementInfo').map((r) => ({
      documentId: code(r, 'DocumentId') ?? '',
      organIds: all(one(r, 'OrganIdList'), 'OrganId').map((o) => (textOf(o) ?? '').trim()),
    })),
  };
  const documentId = code(element, 'DocumentId');
  if (documentId !== undefined) business.documentId = documentId;
  const reason = field(element, 'BussinessDocReason');
  if (reason !== undefined) business.businessDocReason = reason;
  const paper = code(element, 'Paper');
  if (paper !== undefined) business.paper = paper;
  const staff = readStaff(one(element, 'StaffInfo'));
  if (staff) business.staffInfo = staff;
  return { traces, business };
}

/** How the stored bytes of an attachment become the parsed one, in memory or in a file. */
type Keep<R, A> = {
  attachment: (meta: Omit<EdxmlAttachment, 'content'>, stored: R) => A;
  file?: (stored: R) => string;
};

/** A zipped attachment found while reading, whose entries are listed afterwards (in memory, or from its file). */
type Zipped<R, A> = { info: AttachmentInfo; attachment: A; stored: R; path: string };

function readAttachments<R, A>(
  manifest: XmlElement | undefined,
  block: XmlElement | undefined,
  streamed: StreamedEdxml<R>,
  keep: Keep<R, A>,
  report: Report,
  maxBytes: number,
): { attachments: A[]; infos: AttachmentInfo[]; zipped: Zipped<R, A>[] } {
  const stripCid = (value: string | undefined, path: string): string => {
    if (value === undefined) return '';
    if (!value.startsWith('cid:'))
      report('edxml.content-id', path, `ContentId "${value}" lacks the cid: prefix`, 'warning');
    return value.startsWith('cid:') ? value.slice(4) : value;
  };
  const references = all(manifest, 'Reference').map((reference, index) => ({
    contentId: stripCid(code(reference, 'ContentId'), `edXMLManifest.Reference[${index}].ContentId`),
    contentType: code(reference, 'ContentType'),
    name: field(reference, 'AttachmentName'),
  }));
  const attachments: A[] = [];
  const infos: AttachmentInfo[] = [];
  const zipped: Zipped<R, A>[] = [];
  const found = new Set<string>();
  all(block, 'Attachment').forEach((element, index) => {
    const path = `AttachmentEncoded.Attachment[${index}]`;
    const contentId = stripCid(code(element, 'ContentId'), `${path}.ContentId`);
    const reference = references.find((r) => r.contentId === contentId);
    if (!reference) report('edxml.attachment.reference', path, `no manifest Reference has ContentId ${contentId}`);
    const name = field(element, 'AttachmentName') ?? reference?.name ?? '';
    const contentType = code(element, 'ContentType') ?? reference?.contentType ?? 'application/octet-stream';
    if (reference?.contentType && reference.contentType !== contentType) {
      report(
        'edxml.attachment.content-type',
        path,
        'the manifest and the attachment declare different ContentTypes',
        'warning',
      );
    }
    // The base64 was decoded as it streamed; the element holds the markers of the attachment and its text.
    const encoded = one(element, 'ContentTransferEncoded');
    const markers = [...(textOf(encoded) ?? '').matchAll(streamed.markerPattern)].map((m) => Number(m[1]));
    const streamedAttachment = markers.length > 0 ? streamed.attachments[markers[0]!] : undefined;
    if (!streamedAttachment) {
      report(
        'edxml.attachment.base64',
        `${path}.ContentTransferEncoded`,
        'the attachment has no ContentTransferEncoded',
      );
      return;
    }
    if (streamedAttachment.splitOverLines) {
      report('edxml.attachment.base64', path, 'base64 is split over lines', 'warning');
    }
    if (streamedAttachment.problem === 'base64') {
      report('edxml.attachment.base64', `${path}.ContentTransferEncoded`, 'ContentTransferEncoded is not valid base64');
      return;
    }
    if (streamedAttachment.problem === 'size') {
      report('edxml.attachment.size', path, `attachment ${name} is larger than ${maxBytes} bytes`);
      return;
    }
    const meta: Omit<EdxmlAttachment, 'content'> = { contentId, name, contentType };
    const description = field(element, 'Description');
    if (description !== undefined) meta.description = description;
    const stored = streamedAttachment.stored!;
    const attachment = keep.attachment(meta, stored);
    attachments.push(attachment);
    const head = streamedAttachment.head;
    const info: AttachmentInfo = {
      contentId,
      name,
      contentType,
      size: streamedAttachment.size,
      sha256: streamedAttachment.sha256,
      zipped: isZipped(head),
      ...(keep.file ? { file: keep.file(stored) } : {}),
    };
    if (info.zipped) zipped.push({ info, attachment, stored, path });
    infos.push(info);
    found.add(contentId);
  });
  for (const reference of references) {
    if (!found.has(reference.contentId)) {
      report('edxml.attachment.reference', 'edXMLManifest', `Reference ${reference.contentId} has no Attachment`);
    }
  }
  return { attachments, infos, zipped };
}

function readStatus(mh: XmlElement, report: Report): StatusMessage {
  const responseElement = one(mh, 'ResponseFor');
  if (!responseElement) report('edxml.required', 'ResponseFor', 'a status message names the document in ResponseFor');
  const statusCode = code(mh, 'StatusCode') ?? '';
  if (!isStatusCode(statusCode))
    report('edxml.status.code', 'StatusCode', `StatusCode "${statusCode}" is not a known code`);
  const rawTimestamp = code(mh, 'Timestamp');
  const timestamp = rawTimestamp === undefined ? undefined : fromEdxmlTimestamp(rawTimestamp);
  if (timestamp === undefined) {
    report('edxml.timestamp.format', 'Timestamp', `Timestamp "${rawTimestamp ?? ''}" is not yyyy/MM/dd HH:mm:ss`);
  }
  const status: StatusMessage = {
    from: readOrgan(one(mh, 'From'), 'From', report),
    responseFor: responseElement
      ? readResponseFor(responseElement, 'ResponseFor', report)
      : { organId: '', code: '', promulgationDate: '', documentId: '' },
    statusCode: (isStatusCode(statusCode) ? statusCode : '01') as StatusMessage['statusCode'],
    description: field(mh, 'Description') ?? '',
    timestamp: timestamp ?? '',
  };
  const staff = readStaff(one(mh, 'StaffInfo'));
  if (staff) status.staffInfo = staff;
  return status;
}

/**
 * The message's signature: any XML-DSig signature in it, where it sits or not, must verify over the whole
 * message; a Signature element in another namespace (the VNPT samples) cannot be verified and is a warning.
 */
function readSignature<R>(
  head: XmlElement,
  streamed: StreamedEdxml<R>,
  report: Report,
): { signature: SignatureInfo; signatureCertificates: Buffer[] } {
  const signatureElement = elementChildren(head).find((c) => c.localName === 'Signature');
  let signature: SignatureInfo = signatureElement
    ? { present: true, namespace: signatureElement.namespaceURI ?? '' }
    : { present: false };
  let signatureCertificates: Buffer[] = [];
  if (signatureElement && signatureElement.namespaceURI !== xmldsigNamespace) {
    report(
      'edxml.signature.namespace',
      'edXMLHeader.Signature',
      'Signature is not in the XML-DSig namespace; it cannot be verified',
      'warning',
    );
  }
  // Verified over the skeleton: the reference's digest takes each attachment's text in place of its marker.
  const check = streamed.skeleton.includes(xmldsigNamespace)
    ? verifyEnvelopedSignature(streamed.skeleton, { referenceDigest: streamed.digestWithAttachments })
    : { present: false as const };
  if (check.present) {
    signatureCertificates = check.certificates;
    signature = {
      present: true,
      namespace: xmldsigNamespace,
      valid: check.valid,
      signatureAlgorithm: check.signatureAlgorithm,
      canonicalization: check.canonicalization,
      ...(check.certificates[0]
        ? { certificateSha256: createHash('sha256').update(check.certificates[0]).digest('hex') }
        : {}),
      ...(check.reason ? { reason: check.reason } : {}),
    };
    if (!signatureElement || signatureElement.namespaceURI !== xmldsigNamespace) {
      report('edxml.signature.place', 'edXMLHeader.Signature', 'the XML-DSig signature is not in edXMLHeader');
    }
    if (!check.valid)
      report('edxml.signature', 'edXMLHeader.Signature', `the signature does not verify: ${check.reason}`);
  }
  return { signature, signatureCertificates };
}

type Read<R, A> = { parsed: Parsed<A>; zipped: Zipped<R, A>[]; report: Report };

function parseStreamed<R, A>(streamed: StreamedEdxml<R>, keep: Keep<R, A>, options: ParseOptions): Read<R, A> {
  const problems: ConformanceProblem[] = [];
  const report: Report = (rule, path, message, severity = 'error') => problems.push({ rule, path, message, severity });
  if (streamed.bom) {
    report('edxml.encoding.bom', '/', 'UTF-8 with a byte-order mark; edXML is written without one', 'warning');
  }
  const root = skeletonRoot(streamed.skeleton);
  if (root.localName !== 'edXML' || root.namespaceURI !== edxmlNamespace) {
    throw new EdxmlRefused(
      'edxml.namespace',
      `the root is {${root.namespaceURI ?? ''}}${root.localName}, not edXML in ${edxmlNamespace}`,
    );
  }
  const envelope = one(root, 'edXMLEnvelope');
  if (!envelope) throw new EdxmlRefused('edxml.envelope', 'there is no edXMLEnvelope');
  const block = one(root, 'AttachmentEncoded') ?? one(envelope, 'AttachmentEncoded');
  checkPrefixes(envelope, one(root, 'AttachmentEncoded'), report);
  const head = one(envelope, 'edXMLHeader');
  if (!head) throw new EdxmlRefused('edxml.header', 'there is no edXMLHeader');
  const statusWrapper = one(head, 'Status');
  const mh = one(head, 'MessageHeader') ?? statusWrapper;
  if (!mh) throw new EdxmlRefused('edxml.header', 'there is no MessageHeader');
  if (one(mh, 'StatusCode')) {
    if (mh === statusWrapper)
      report('edxml.status.wrapper', 'Status', 'status in edXML:Status instead of MessageHeader', 'warning');
    const status = readStatus(mh, report);
    problems.push(...checkStatusMessage(status).filter((p) => !problems.some((q) => q.path === p.path)));
    const { signature, signatureCertificates } = readSignature(head, streamed, report);
    return { parsed: { kind: 'status', status, signature, signatureCertificates, problems }, zipped: [], report };
  }
  const header = readHeader(mh, report);
  const { traces, business } = readTrace(one(head, 'TraceHeaderList'), report);
  const { attachments, infos, zipped } = readAttachments(
    one(one(envelope, 'edXMLBody'), 'edXMLManifest'),
    block,
    streamed,
    keep,
    report,
    options.maxAttachmentBytes ?? defaultMaxAttachmentBytes,
  );
  const document: Omit<EdxmlDocument, 'attachments'> & { attachments: A[] } = {
    header,
    traceHeaders: traces,
    attachments,
  };
  if (business) document.business = business;
  // Content rules are the builder's; a field already reported while reading is not reported twice.
  for (const problem of checkEdxmlDocument({ ...document, attachments: infos })) {
    if (!problems.some((p) => p.path === problem.path && p.severity === 'error')) problems.push(problem);
  }
  const { signature, signatureCertificates } = readSignature(head, streamed, report);
  return {
    parsed: { kind: 'edoc', document, attachments: infos, signature, signatureCertificates, problems },
    zipped,
    report,
  };
}

const readOptions = (options: ParseOptions) => ({
  maxDepth: options.maxDepth ?? 64,
  maxAttachmentBytes: options.maxAttachmentBytes ?? defaultMaxAttachmentBytes,
  carrierNamespace: edxmlNamespace,
});

const zipProblem = (report: Report, path: string, error: unknown) =>
  report('edxml.attachment.zip', path, `the zipped attachment cannot be read: ${(error as Error).message}`);

/** Parses an edXML document or status message; refuses only what cannot be read, reports every rule broken. */
export function parseEdxml(input: Buffer | string, options: ParseOptions = {}): ParsedEdxml {
  const streamed = readEdxmlStream(slices(input), memoryStore, readOptions(options));
  const { parsed, zipped, report } = parseStreamed(
    streamed,
    { attachment: (meta, stored) => ({ ...meta, content: stored.content }) },
    options,
  );
  // In memory already (a message the size limits of a validation or the sandbox allow), a zip is listed there.
  for (const zip of zipped) {
    try {
      zip.info.entries = unzipAttachment(
        zip.stored.content,
        options.maxAttachmentBytes ?? defaultMaxAttachmentBytes,
      ).map((entry) => ({
        name: entry.name,
        size: entry.content.length,
        sha256: createHash('sha256').update(entry.content).digest('hex'),
      }));
    } catch (error) {
      zipProblem(report, zip.path, error);
    }
  }
  return parsed;
}

/**
 * parseEdxml for a message in a file, of any size: read in chunks as they come from the disk (the event loop turns
 * between two), each attachment decoded into a file of `attachmentDir` (which the caller owns and removes) and
 * hashed as it streams, the signature verified with the attachments' text read back from there. A zipped
 * attachment's entries are inflated from its file into files of that directory (attachment.unzipped), as streams.
 * Memory holds the header, never the message, an attachment nor an entry.
 */
export async function parseEdxmlFile(
  file: string,
  options: ParseOptions & { attachmentDir: string },
): Promise<ParsedEdxmlFile> {
  const streamed = await readEdxmlStreamAsync(
    fileChunksAsync(file),
    directoryStore(options.attachmentDir),
    readOptions(options),
  );
  const { parsed, zipped, report } = parseStreamed<{ file: string }, FiledAttachment>(
    streamed,
    { attachment: (meta, stored) => ({ ...meta, file: stored.file }), file: (stored) => stored.file },
    options,
  );
  for (const zip of zipped) {
    try {
      const entries = await unzipAttachmentFile(
        zip.stored.file,
        options.attachmentDir,
        path.basename(zip.stored.file),
        options.maxAttachmentBytes ?? defaultMaxAttachmentBytes,
      );
      zip.info.entries = entries.map(({ name, size, sha256 }) => ({ name, size, sha256 }));
      zip.attachment.unzipped = entries.map(({ name, head, file: entryFile }) => ({ name, head, file: entryFile }));
    } catch (error) {
      zipProblem(report, zip.path, error);
    }
  }
  return parsed;
}

export const hasErrors = (problems: ConformanceProblem[]): boolean => problems.some((p) => p.severity === 'error');
