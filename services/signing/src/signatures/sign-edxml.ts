import { DOMParser } from '@xmldom/xmldom';
import type { Element as XmlElement } from '@xmldom/xmldom';
import { AppError, requireRole, withTransaction } from '@vanthu/platform';
import { algorithms, computeEnvelopedSignature, xmldsigNamespace } from '@vanthu/xmldsig';
import type { Canonicalization } from '@vanthu/xmldsig';
import type { SigningContext } from '../context';
import { mapSigningErrors } from './map-signing-errors';
import { resolveSeal } from '../signing-keys/resolve-seal';
import { sha256Hex } from './signing-deps';

export type SignEdxmlInput = { documentId?: string; edxml: Buffer; canonicalization?: Canonicalization };
export type SignEdxmlResult = {
  /**
   * The `<Signature>` element, to be placed right after `</edXML:TraceHeaderList>` of the very bytes sent
   * (after `</edXML:MessageHeader>` for a status message, which has no TraceHeaderList).
   */
  signatureXml: string;
  /** What was signed: an edXML document (new, update, replacement), a recall, or a status message. */
  kind: 'document' | 'recall' | 'status';
  signatureAlgorithm: string;
  canonicalization: string;
  certificateSha256: string;
};

const edxmlNamespace = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

type Claims = {
  kind: 'document' | 'recall' | 'status';
  fromOrganId: string;
  documentId: string;
  attachmentSha256: string[];
  /** A status message's addressee (ResponseFor.OrganId). */
  responseForOrganId?: string;
};

// What a status message holds (docs/domain/edxml-facts.md "Status message"): nothing else is signed in one.
const statusChildren = new Set(['From', 'ResponseFor', 'StaffInfo', 'StatusCode', 'Description', 'Timestamp']);
const statusCodes = new Set(['01', '02', '03', '04', '05', '06', '13', '15', '16']);

const refuse = (message: string): never => {
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

/** What the message says about itself: who sends it, which document, which attachments. */
function readClaims(edxml: Buffer): { text: string; claims: Claims } {
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(edxml);
  } catch {
    return refuse('not UTF-8');
  }
  if (/<!DOCTYPE/i.test(xml)) refuse('a DTD is not allowed');
  let root: XmlElement | null | undefined;
  try {
    root = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml').documentElement;
  } catch (error) {
    return refuse(`not well-formed XML (${(error as Error).message})`);
  }
  if (!root || root.localName !== 'edXML' || root.namespaceURI !== edxmlNamespace) refuse('the root is not edXML');
  const header = child(child(root!, 'edXMLEnvelope'), 'edXMLHeader');
  const messageHeader = child(header, 'MessageHeader');
  if (!messageHeader) return refuse('there is no MessageHeader');
  if (root!.getElementsByTagNameNS(xmldsigNamespace, 'Signature').length > 0) refuse('the message is signed already');
  const fromOrganId = text(child(child(messageHeader, 'From'), 'OrganId'));
  if (child(messageHeader, 'StatusCode')) {
    checkStatusShape(root!, header!, messageHeader);
    const responseFor = child(messageHeader, 'ResponseFor');
    return {
      text: xml,
      claims: {
        kind: 'status',
        fromOrganId,
        documentId: text(child(responseFor, 'DocumentId')),
        attachmentSha256: [],
        responseForOrganId: text(child(responseFor, 'OrganId')),
      },
    };
  }
  const trace = child(header, 'TraceHeaderList');
  if (!trace) refuse('there is no TraceHeaderList to place the signature after');
  const recall = text(child(child(trace, 'Bussiness'), 'BussinessDocType')) === '1';
  const attachmentSha256 = Array.from(root!.getElementsByTagNameNS(edxmlNamespace, 'ContentTransferEncoded')).map(
    (e) => {
      const base64 = text(e);
      const bytes = Buffer.from(base64, 'base64');
      if (bytes.toString('base64') !== base64) refuse('an attachment is not base64 on one line');
      return sha256Hex(bytes);
    },
  );
  return {
    text: xml,
    claims: {
      kind: recall ? 'recall' : 'document',
      fromOrganId,
      documentId: text(child(messageHeader, 'DocumentId')),
      attachmentSha256,
    },
  };
}

/**
 * The organisation's enveloped XML-DSig over an edXML message (QCVN 102:2016 edXMLHeader.Signature;
 * docs/domain/edxml-facts.md "Signature"), with the agency's seal key in the HSM: RSA-SHA256, one
 * Reference URI="" with the enveloped-signature transform, X509Data with the chain.
 *
 * The key must not sign whatever it is handed, so the message is read and checked first. It is always
 * from the caller's agency, and then, by what it is:
 * - a document (new, update, replacement): its DocumentId is the mã định danh of a document of that
 *   agency that was issued (read from documents in the caller's name), and every attachment it carries is
 *   a stored version of that document;
 * - a recall (BussinessDocType 1): the same document, recalled by its agency, and no attachment;
 * - a status message: only its fields (no trace, body or attachment), a known StatusCode, addressed to
 *   another agency, asked by a service: statuses follow events and are never typed by a person (issue 13).
 * Only then is its canonical SignedInfo signed.
 */
export async function signEdxml(input: SignEdxmlInput, ctx: SigningContext): Promise<SignEdxmlResult> {
  requireRole(ctx.identity, 'clerk', 'service');
  const deps = ctx.signing;
  const agencyCode = ctx.identity.agencyCode;
  const { text: xml, claims } = readClaims(input.edxml);
  if (claims.kind === 'status') requireRole(ctx.identity, 'service');
  const seal = await withTransaction(deps.pool, (tx) => resolveSeal(tx, agencyCode, deps, ctx.clock()));
  if (!seal) throw new AppError('UNPROCESSABLE', `agency ${agencyCode} has no active organisation seal key`);
  if (seal.scheme !== 'rsa-pkcs1') {
    throw new AppError('UNPROCESSABLE', `edXML is signed with RSA-SHA256; the seal of ${agencyCode} is ${seal.scheme}`);
  }
  if (claims.fromOrganId !== agencyCode) refuse(`From.OrganId ${claims.fromOrganId || '(none)'} is not ${agencyCode}`);
  if (claims.kind === 'status' && (!claims.responseForOrganId || claims.responseForOrganId === agencyCode)) {
    refuse('a status message answers another agency (ResponseFor.OrganId)');
  }
  return mapSigningErrors(async () => {
    if (claims.kind !== 'status') await checkCarriedDocument(input, claims, agencyCode, ctx);
    const canonicalization = input.canonicalization ?? 'exclusive';
    const signatureXml = await computeEnvelopedSignature(
      xml,
      {
        certificates: [seal.certificate, ...seal.chain].map((c) => c.der),
        sign: (data) => deps.hsm.sign(seal.keyIdHex, 'rsa-pkcs1', 'sha256', data),
      },
      { afterLocalName: claims.kind === 'status' ? 'MessageHeader' : 'TraceHeaderList', canonicalization },
    );
    ctx.logger.info(
      {
        kind: claims.kind,
        documentId: input.documentId,
        edxmlDocumentId: claims.documentId,
        sha256: sha256Hex(input.edxml),
      },
      'edXML signed with the organisation seal',
    );
    return {
      signatureXml,
      kind: claims.kind,
      signatureAlgorithm: algorithms.rsaSha256,
      canonicalization: algorithms[canonicalization],
      certificateSha256: seal.certificate.sha256,
    };
  });
}

/** The document a document or recall message carries: the caller's, issued (recalled for a recall), with its mã định danh. */
async function checkCarriedDocument(
  input: SignEdxmlInput,
  claims: Claims,
  agencyCode: string,
  ctx: SigningContext,
): Promise<void> {
  if (!input.documentId) {
    throw new AppError('VALIDATION_FAILED', 'documentId is required for an edXML document or recall', {
      errors: [{ field: 'body.documentId', message: 'required unless the message is a status message' }],
    });
  }
  const document = await ctx.signing.documents.getDocument(ctx.forward, input.documentId);
  const registration = (document.registration ?? {}) as { documentIdentifier?: unknown };
  if (document.agencyCode !== agencyCode) throw new AppError('NOT_FOUND', `document ${input.documentId} not found`);
  const expected = claims.kind === 'recall' ? 'recalled' : 'issued';
  if (document.status !== expected) {
    refuse(`document ${input.documentId} is ${String(document.status)}, not ${expected}`);
  }
  if (registration.documentIdentifier !== claims.documentId) {
    refuse(`DocumentId ${claims.documentId || '(none)'} is not the mã định danh of document ${input.documentId}`);
  }
  if (claims.kind === 'recall') {
    if (claims.attachmentSha256.length > 0) refuse('a recall carries no attachment');
    return;
  }
  const versions = new Set(document.versions.map((v) => v.sha256));
  if (claims.attachmentSha256.length === 0) refuse('the message carries no attachment');
  if (claims.attachmentSha256.some((sha) => !versions.has(sha))) {
    refuse(`an attachment is not a stored version of document ${input.documentId}`);
  }
}
