import {
  AsnError,
  childrenOf,
  contentBytes,
  elementBytes,
  expectTag,
  octetString,
  oidText,
  readTlv,
} from './der-reader';
import type { Tlv } from './der-reader';

// The parts of a CMS SignedData (RFC 5652 §5) that validation reads, taken straight from the
// bytes. Signed bytes (the signed attributes, the encapsulated TSTInfo) and certificates keep
// their exact encodings: nothing is re-encoded, so what is verified is what was signed.

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

export type AlgorithmIdentifier = { oid: string; parameters: Buffer | null };
/** An attribute's values as their own DER elements (each readable with readTlv at offset 0). */
export type CmsAttribute = { type: string; values: { tag: number; der: Buffer; content: Buffer }[] };
export type SignerIdentifier =
  { kind: 'issuer-and-serial'; issuer: Buffer; serial: Buffer } | { kind: 'subject-key-identifier'; keyId: Buffer };

export type SignerInfoParts = {
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmIdentifier;
  /** The signed attributes re-tagged as the SET they are signed as (RFC 5652 §5.4). */
  signedAttrsDer: Buffer | null;
  signedAttrs: CmsAttribute[] | null;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Buffer;
  unsignedAttrs: CmsAttribute[] | null;
};

export type SignedDataParts = {
  eContentType: string;
  eContent: Buffer | null;
  certificates: Buffer[];
  signerInfos: SignerInfoParts[];
};

export function algorithmIdentifier(buf: Buffer, t: Tlv | undefined, what: string): AlgorithmIdentifier {
  const [id, params] = childrenOf(buf, expectTag(t, 0x30, what));
  return {
    oid: oidText(buf, expectTag(id, 0x06, what)),
    parameters: params && params.tag !== 0x05 ? elementBytes(buf, params) : null,
  };
}

function attributes(buf: Buffer, field: Tlv): CmsAttribute[] {
  return childrenOf(buf, field).map((attr) => {
    const [type, values] = childrenOf(buf, expectTag(attr, 0x30, 'attribute'));
    return {
      type: oidText(buf, expectTag(type, 0x06, 'attribute type')),
      values: childrenOf(buf, expectTag(values, 0x31, 'attribute values')).map((v) => ({
        tag: v.tag,
        der: elementBytes(buf, v),
        content: contentBytes(buf, v),
      })),
    };
  });
}

function signerIdentifier(buf: Buffer, t: Tlv | undefined): SignerIdentifier {
  if (t?.tag === 0x80) return { kind: 'subject-key-identifier', keyId: contentBytes(buf, t) };
  const [issuer, serial] = childrenOf(buf, expectTag(t, 0x30, 'signer identifier'));
  return {
    kind: 'issuer-and-serial',
    issuer: elementBytes(buf, expectTag(issuer, 0x30, 'signer issuer')),
    serial: contentBytes(buf, expectTag(serial, 0x02, 'signer serial number')),
  };
}

function signerInfo(buf: Buffer, t: Tlv): SignerInfoParts {
  const parts = childrenOf(buf, expectTag(t, 0x30, 'SignerInfo'));
  let i = 0;
  expectTag(parts[i++], 0x02, 'SignerInfo version');
  const sid = signerIdentifier(buf, parts[i++]);
  const digestAlgorithm = algorithmIdentifier(buf, parts[i++], 'digest algorithm');
  let signedAttrsDer: Buffer | null = null;
  let signedAttrs: CmsAttribute[] | null = null;
  if (parts[i]?.tag === 0xa0) {
    const field = parts[i++] as Tlv;
    signedAttrs = attributes(buf, field);
    signedAttrsDer = Buffer.from(elementBytes(buf, field));
    signedAttrsDer[0] = 0x31;
  }
  const signatureAlgorithm = algorithmIdentifier(buf, parts[i++], 'signature algorithm');
  const signatureField = parts[i++];
  if (!signatureField) throw new AsnError('SignerInfo has no signature value');
  const signature = octetString(buf, signatureField);
  const unsignedAttrs = parts[i]?.tag === 0xa1 ? attributes(buf, parts[i++] as Tlv) : null;
  if (i !== parts.length) throw new AsnError('SignerInfo has unexpected fields');
  return { sid, digestAlgorithm, signedAttrsDer, signedAttrs, signatureAlgorithm, signature, unsignedAttrs };
}

/**
 * A ContentInfo holding SignedData. PDF /Contents is zero-padded to its reserved size, so only
 * the first element is read; throws AsnError for anything that is not this shape.
 */
export function parseSignedDataParts(bytes: Buffer): SignedDataParts {
  const contentInfo = readTlv(bytes, 0);
  const [type, explicit] = childrenOf(bytes, expectTag(contentInfo, 0x30, 'ContentInfo'));
  if (oidText(bytes, expectTag(type, 0x06, 'content type')) !== OID_SIGNED_DATA)
    throw new AsnError('the CMS is not SignedData');
  const [signedData] = childrenOf(bytes, expectTag(explicit, 0xa0, 'SignedData wrapper'));
  const fields = childrenOf(bytes, expectTag(signedData, 0x30, 'SignedData'));
  expectTag(fields[0], 0x02, 'SignedData version');
  expectTag(fields[1], 0x31, 'digest algorithms');
  const [eType, eWrapper] = childrenOf(bytes, expectTag(fields[2], 0x30, 'encapsulated content info'));
  const eContentType = oidText(bytes, expectTag(eType, 0x06, 'encapsulated content type'));
  let eContent: Buffer | null = null;
  if (eWrapper) {
    const [inner] = childrenOf(bytes, expectTag(eWrapper, 0xa0, 'encapsulated content'));
    if (!inner) throw new AsnError('the encapsulated content is empty');
    eContent = octetString(bytes, inner);
  }
  let at = 3;
  const certificates: Buffer[] = [];
  if (fields[at]?.tag === 0xa0) {
    // Only X.509 certificates (SEQUENCE); attribute and other certificate choices are ignored.
    for (const c of childrenOf(bytes, fields[at] as Tlv)) if (c.tag === 0x30) certificates.push(elementBytes(bytes, c));
    at += 1;
  }
  if (fields[at]?.tag === 0xa1) at += 1;
  const infos = expectTag(fields[at], 0x31, 'signer infos');
  if (at !== fields.length - 1) throw new AsnError('SignedData has unexpected fields');
  return {
    eContentType,
    eContent,
    certificates,
    signerInfos: childrenOf(bytes, infos).map((t) => signerInfo(bytes, t)),
  };
}

/** A DER SET OF Attribute on its own: the signed attributes two-step signing stores and resumes from. */
export function parseAttributeSet(der: Buffer): CmsAttribute[] {
  const field = expectTag(readTlv(der, 0), 0x31, 'signed attributes');
  if (field.end !== der.length) throw new AsnError('bytes follow the signed attributes');
  return attributes(der, field);
}
