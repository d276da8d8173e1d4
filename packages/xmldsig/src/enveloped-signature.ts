import { X509Certificate, createHash } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Element as XmlElement } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { ErrorFirstCallback } from 'xml-crypto';
import { digestOnlyStore, fileChunks, readEdxmlStream } from './stream-reader';

// Enveloped XML-DSig (W3C XML Signature Syntax and Processing 1.1) over a whole document: one Reference
// with URI="" and the enveloped-signature transform, X509Data carrying the signer's certificate and its
// chain. xml-crypto computes the digests and canonical SignedInfo; the private key stays with the caller
// (an HSM behind the signing service), which only ever signs the canonical SignedInfo it is handed here.

export const xmldsigNamespace = 'http://www.w3.org/2000/09/xmldsig#';

export const algorithms = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  exclusive: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  inclusive: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

export type Canonicalization = 'exclusive' | 'inclusive';

/** The holder of a key: RSASSA-PKCS1-v1_5 with SHA-256 over `data` (the HSM hashes it). */
export type XmlKeySigner = {
  /** DER, the signer's certificate first, then its chain. */
  certificates: Buffer[];
  sign(data: Buffer): Promise<Buffer>;
};

const signatureAlgorithmsAccepted: string[] = [algorithms.rsaSha256, algorithms.rsaSha1];
const digestAlgorithmsAccepted: string[] = [algorithms.sha256, algorithms.sha1];
const canonicalizationsAccepted: string[] = [
  algorithms.exclusive,
  algorithms.inclusive,
  `${algorithms.exclusive}WithComments`,
  `${algorithms.inclusive}#WithComments`,
];

/**
 * How the reference's digest is computed from its canonical form. A streaming reader passes the document
 * with its large text nodes left out (each replaced by a marker it alone knows) and puts them back here,
 * as the digest is fed, so that the whole document never has to be held in memory.
 */
export type ReferenceDigest = (canonical: string, hash: ReturnType<typeof createHash>) => void;

const digestingWith = (algorithm: 'sha1' | 'sha256', uri: string, feed: ReferenceDigest) =>
  class {
    getHash(canonical: string): string {
      const hash = createHash(algorithm);
      feed(canonical, hash);
      return hash.digest('base64');
    }
    getAlgorithmName(): string {
      return uri;
    }
  };

/**
 * The `<Signature>` element for `xml`, to be placed after the first element named `afterLocalName`
 * (spliceSignature). The digest covers the whole document as it is, so the caller splices the element
 * into exactly these bytes. With `referenceDigest`, `xml` is a streaming reader's skeleton and the
 * digest is fed with the text it left out (see ReferenceDigest), so a message of any size is signed
 * without being held.
 */
export async function computeEnvelopedSignature(
  xml: string,
  signer: XmlKeySigner,
  options: { afterLocalName: string; canonicalization?: Canonicalization; referenceDigest?: ReferenceDigest },
): Promise<string> {
  if (signer.certificates.length === 0) throw new Error('the signer has no certificate');
  const c14n = algorithms[options.canonicalization ?? 'exclusive'];
  const keyInfo = `<X509Data>${signer.certificates
    .map((der) => `<X509Certificate>${der.toString('base64')}</X509Certificate>`)
    .join('')}</X509Data>`;
  const sig = new SignedXml({
    // Never used as a key: the algorithm below hands the canonical SignedInfo to the signer.
    privateKey: 'held-by-the-signer',
    signatureAlgorithm: algorithms.rsaSha256,
    canonicalizationAlgorithm: c14n,
    getKeyInfoContent: () => keyInfo,
  });
  class HeldKeyRsaSha256 {
    getSignature(signedInfo: string | Buffer, _key: unknown, callback?: ErrorFirstCallback<string>): string | void {
      if (!callback) throw new Error('the signer is asynchronous');
      signer.sign(Buffer.from(signedInfo)).then(
        (value) => callback(null, value.toString('base64')),
        (error: Error) => callback(error),
      );
    }
    verifySignature(): boolean {
      throw new Error('verification goes through verifyEnvelopedSignature');
    }
    getAlgorithmName(): string {
      return algorithms.rsaSha256;
    }
  }
  sig.SignatureAlgorithms = { [algorithms.rsaSha256]: HeldKeyRsaSha256 as never };
  if (options.referenceDigest) {
    sig.HashAlgorithms = {
      [algorithms.sha256]: digestingWith('sha256', algorithms.sha256, options.referenceDigest),
    } as never;
  }
  sig.addReference({
    xpath: '/*',
    transforms: [algorithms.enveloped, c14n],
    digestAlgorithm: algorithms.sha256,
    uri: '',
    isEmptyUri: true,
  });
  await new Promise<void>((resolve, reject) =>
    sig.computeSignature(
      xml,
      { location: { reference: `//*[local-name(.)='${options.afterLocalName}']`, action: 'after' } },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
  return sig.getSignatureXml();
}

/** `xml` with the signature element right after the first closing tag of `afterLocalName`, bytes elsewhere untouched. */
export function spliceSignature(xml: string, signatureXml: string, afterLocalName: string): string {
  const close = new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${afterLocalName}\\s*>`).exec(xml);
  if (!close) throw new Error(`no closing ${afterLocalName} tag to place the signature after`);
  const at = close.index + close[0].length;
  return `${xml.slice(0, at)}${signatureXml}${xml.slice(at)}`;
}

export type SignatureCheck =
  | { present: false }
  | {
      present: true;
      valid: boolean;
      /** Why it does not verify. */
      reason?: string;
      signatureAlgorithm: string;
      canonicalization: string;
      digestAlgorithm: string;
      /** DER from X509Data, in document order (the signer's first). */
      certificates: Buffer[];
    };

const childElements = (element: XmlElement, localName: string): XmlElement[] => {
  const found: XmlElement[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) {
      const child = node as XmlElement;
      if (child.namespaceURI === xmldsigNamespace && child.localName === localName) found.push(child);
    }
  }
  return found;
};
const attribute = (element: XmlElement | undefined, name: string): string => element?.getAttribute(name) ?? '';

/**
 * Verifies the one XML-DSig signature of `xml`: it must be enveloped over the whole document (one
 * Reference, URI="", enveloped-signature transform), with RSA-SHA256 or RSA-SHA1, and verify with the
 * first certificate of its X509Data. Anything else is reported with the reason; a document without a
 * signature in the XML-DSig namespace is `present: false`. With `referenceDigest`, the reference's
 * canonical form goes through it on its way into the digest (see ReferenceDigest).
 */
export function verifyEnvelopedSignature(
  xml: string,
  options: { referenceDigest?: ReferenceDigest } = {},
): SignatureCheck {
  if (/<!DOCTYPE/i.test(xml)) {
    return {
      present: true,
      valid: false,
      reason: 'a DTD is not allowed',
      signatureAlgorithm: '',
      canonicalization: '',
      digestAlgorithm: '',
      certificates: [],
    };
  }
  const doc = new DOMParser({
    onError: (level: string, message: string) => {
      if (level !== 'warning') throw new Error(`not well-formed XML: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
  const signatures = Array.from(doc.getElementsByTagNameNS(xmldsigNamespace, 'Signature'));
  if (signatures.length === 0) return { present: false };
  const node = signatures[0]!;
  const signedInfo = childElements(node, 'SignedInfo')[0];
  const signatureAlgorithm = attribute(signedInfo && childElements(signedInfo, 'SignatureMethod')[0], 'Algorithm');
  const canonicalization = attribute(signedInfo && childElements(signedInfo, 'CanonicalizationMethod')[0], 'Algorithm');
  const references = signedInfo ? childElements(signedInfo, 'Reference') : [];
  const digestAlgorithm = attribute(references[0] && childElements(references[0], 'DigestMethod')[0], 'Algorithm');
  const certificates = Array.from(node.getElementsByTagNameNS(xmldsigNamespace, 'X509Certificate')).map((c) =>
    Buffer.from((c.textContent ?? '').replace(/\s+/g, ''), 'base64'),
  );
  const result = { present: true as const, signatureAlgorithm, canonicalization, digestAlgorithm, certificates };
  const refuse = (reason: string): SignatureCheck => ({ ...result, valid: false, reason });
  if (signatures.length > 1) return refuse(`${signatures.length} XML-DSig signatures; one is expected`);
  if (!signedInfo) return refuse('the signature has no SignedInfo');
  if (!signatureAlgorithmsAccepted.includes(signatureAlgorithm)) {
    return refuse(`signature algorithm ${signatureAlgorithm || '(none)'} is not RSA-SHA256 or RSA-SHA1`);
  }
  if (!canonicalizationsAccepted.includes(canonicalization)) {
    return refuse(`canonicalization ${canonicalization || '(none)'} is not C14N 1.0 or exclusive C14N`);
  }
  if (references.length !== 1)
    return refuse(`${references.length} references; one over the whole document is expected`);
  const reference = references[0]!;
  if (!reference.hasAttribute('URI') || reference.getAttribute('URI') !== '') {
    return refuse('the reference is not URI="" (the whole document)');
  }
  if (!digestAlgorithmsAccepted.includes(digestAlgorithm)) {
    return refuse(`digest algorithm ${digestAlgorithm || '(none)'} is not SHA-256 or SHA-1`);
  }
  const transforms = childElements(reference, 'Transforms').flatMap((t) =>
    childElements(t, 'Transform').map((e) => attribute(e, 'Algorithm')),
  );
  if (!transforms.includes(algorithms.enveloped))
    return refuse('the reference lacks the enveloped-signature transform');
  const signerCertificate = certificates[0];
  if (!signerCertificate) return refuse('the signature carries no X509Certificate');
  let publicCert: string;
  try {
    publicCert = new X509Certificate(signerCertificate).toString();
  } catch (error) {
    return refuse(`the X509Certificate cannot be read: ${(error as Error).message}`);
  }
  const sig = new SignedXml({ publicCert, getCertFromKeyInfo: () => null });
  if (options.referenceDigest) {
    sig.HashAlgorithms = {
      [algorithms.sha256]: digestingWith('sha256', algorithms.sha256, options.referenceDigest),
      [algorithms.sha1]: digestingWith('sha1', algorithms.sha1, options.referenceDigest),
    } as never;
  }
  try {
    sig.loadSignature(new XMLSerializer().serializeToString(node));
    const valid = sig.checkSignature(xml);
    if (!valid) return refuse('a reference digest does not match: the document was changed after signing');
  } catch (error) {
    const message = (error as Error).message;
    return refuse(
      /digest/i.test(message)
        ? `the document was changed after signing (${message})`
        : `the signature does not verify: ${message}`,
    );
  }
  return { ...result, valid: true };
}

/** How far into a message the closing tag the signature follows may stand: it is in the header, before any attachment. */
const maxSplicePrefixBytes = 16 * 1024 * 1024;

/**
 * spliceSignature over a stream of the message's bytes: everything up to the first closing tag of
 * `afterLocalName` is gathered (the header, small), the signature written after it, and the rest passed on chunk
 * by chunk as it comes, so that a message of any size is signed without being held.
 */
export async function spliceSignatureStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  signatureXml: string,
  afterLocalName: string,
  write: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  const close = new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${afterLocalName}\\s*>`);
  let prefix = Buffer.alloc(0);
  let spliced = false;
  for await (const chunk of chunks) {
    if (spliced) {
      await write(Buffer.from(chunk));
      continue;
    }
    prefix = Buffer.concat([prefix, chunk]);
    // Latin-1 keeps one character per byte, so the match's index is a byte offset; the tag itself is ASCII.
    const found = close.exec(prefix.toString('latin1'));
    if (!found) {
      if (prefix.length > maxSplicePrefixBytes) {
        throw new Error(`no closing ${afterLocalName} tag in the first ${maxSplicePrefixBytes} bytes`);
      }
      continue;
    }
    const at = found.index + found[0].length;
    await write(prefix.subarray(0, at));
    await write(Buffer.from(signatureXml, 'utf8'));
    await write(prefix.subarray(at));
    prefix = Buffer.alloc(0);
    spliced = true;
  }
  if (!spliced) throw new Error(`no closing ${afterLocalName} tag to place the signature after`);
}

/**
 * verifyEnvelopedSignature over a message in a file of any size: read as a stream into its skeleton (the
 * attachments' text kept under `workDir`, which the caller owns and removes), the reference digest fed with that
 * text in place of the markers.
 */
export function verifyEnvelopedSignatureFile(
  file: string,
  workDir: string,
  options: { carrierNamespace: string; maxDepth?: number },
): SignatureCheck {
  const streamed = readEdxmlStream(fileChunks(file), digestOnlyStore(workDir), {
    maxDepth: options.maxDepth ?? 64,
    maxAttachmentBytes: Number.POSITIVE_INFINITY,
    carrierNamespace: options.carrierNamespace,
  });
  return verifyEnvelopedSignature(streamed.skeleton, { referenceDigest: streamed.digestWithAttachments });
}
