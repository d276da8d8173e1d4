import { DOMParser } from '@xmldom/xmldom';
import type { Element as XmlElement } from '@xmldom/xmldom';
import { AppError, requireRole, withTransaction } from '@vanthu/platform';
import { algorithms, computeEnvelopedSignature, xmldsigNamespace } from '@vanthu/xmldsig';
import type { Canonicalization } from '@vanthu/xmldsig';
import { certificateDer } from '../pades/cms';
import type { SigningContext } from '../context';
import { mapSigningErrors } from './map-signing-errors';
import { resolveSeal } from './resolve-seal';
import { certificateSha256, sha256Hex } from './signing-deps';

export type SignEdxmlInput = { documentId: string; edxml: Buffer; canonicalization?: Canonicalization };
export type SignEdxmlResult = {
  /** The `<Signature>` element, to be placed right after `</edXML:TraceHeaderList>` of the very bytes sent. */
  signatureXml: string;
  signatureAlgorithm: string;
  canonicalization: string;
  certificateSha256: string;
};

const edxmlNamespace = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

type Claims = { fromOrganId: string; documentId: string; attachmentSha256: string[] };

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
  if (child(messageHeader, 'StatusCode')) refuse('a status message is not signed');
  if (!child(header, 'TraceHeaderList')) refuse('there is no TraceHeaderList to place the signature after');
  if (root!.getElementsByTagNameNS(xmldsigNamespace, 'Signature').length > 0) refuse('the message is signed already');
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
      fromOrganId: text(child(child(messageHeader, 'From'), 'OrganId')),
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
 * The key must not sign whatever it is handed, so the message is read and checked first: it is from
 * the caller's agency, its DocumentId is the mã định danh of a document of that agency that was issued
 * (read from documents in the caller's name), and every attachment it carries is a stored version of
 * that document. Only then is its canonical SignedInfo signed.
 */
export async function signEdxml(input: SignEdxmlInput, ctx: SigningContext): Promise<SignEdxmlResult> {
  requireRole(ctx.identity, 'clerk', 'service');
  const deps = ctx.signing;
  const agencyCode = ctx.identity.agencyCode;
  const seal = await withTransaction(deps.pool, (tx) => resolveSeal(tx, agencyCode, deps, ctx.clock()));
  if (!seal) throw new AppError('UNPROCESSABLE', `agency ${agencyCode} has no active organisation seal key`);
  if (seal.scheme !== 'rsa-pkcs1') {
    throw new AppError('UNPROCESSABLE', `edXML is signed with RSA-SHA256; the seal of ${agencyCode} is ${seal.scheme}`);
  }
  const { text: xml, claims } = readClaims(input.edxml);
  if (claims.fromOrganId !== agencyCode) refuse(`From.OrganId ${claims.fromOrganId || '(none)'} is not ${agencyCode}`);
  return mapSigningErrors(async () => {
    const document = await deps.documents.getDocument(ctx.forward, input.documentId);
    const registration = (document.registration ?? {}) as { documentIdentifier?: unknown };
    if (document.agencyCode !== agencyCode) throw new AppError('NOT_FOUND', `document ${input.documentId} not found`);
    if (document.status !== 'issued') refuse(`document ${input.documentId} is ${String(document.status)}, not issued`);
    if (registration.documentIdentifier !== claims.documentId) {
      refuse(`DocumentId ${claims.documentId || '(none)'} is not the mã định danh of document ${input.documentId}`);
    }
    const versions = new Set(document.versions.map((v) => v.sha256));
    if (claims.attachmentSha256.length === 0) refuse('the message carries no attachment');
    if (claims.attachmentSha256.some((sha) => !versions.has(sha))) {
      refuse(`an attachment is not a stored version of document ${input.documentId}`);
    }
    const canonicalization = input.canonicalization ?? 'exclusive';
    const signatureXml = await computeEnvelopedSignature(
      xml,
      {
        certificates: [seal.certificate, ...seal.chain].map((c) => Buffer.from(certificateDer(c))),
        sign: (data) => deps.hsm.sign(seal.keyIdHex, 'rsa-pkcs1', 'sha256', data),
      },
      { afterLocalName: 'TraceHeaderList', canonicalization },
    );
    ctx.logger.info(
      { documentId: input.documentId, edxmlDocumentId: claims.documentId, sha256: sha256Hex(input.edxml) },
      'edXML signed with the organisation seal',
    );
    return {
      signatureXml,
      signatureAlgorithm: algorithms.rsaSha256,
      canonicalization: algorithms[canonicalization],
      certificateSha256: certificateSha256(seal.certificate),
    };
  });
}
