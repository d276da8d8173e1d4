import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../x509/der-reader';
import { hashAlgorithmIdentifier, signatureAlgorithmIdentifier } from './algorithms';
import { explicit, octets, oid, seq, set, setOf, smallInteger, tlv } from './der';
import type { HashName, SignatureScheme } from './algorithms';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
export const OID_SIGNATURE_TIME_STAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';

export function parseCertificate(der: Buffer): pkijs.Certificate {
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1) throw new Error('not DER');
  const certificate = new pkijs.Certificate({ schema: asn.result });
  derCache.set(certificate, Buffer.from(der.subarray(0, asn.offset)));
  return certificate;
}

const derCache = new WeakMap<pkijs.Certificate, Buffer>();
const partsCache = new WeakMap<pkijs.Certificate, { issuer: Buffer; serial: Buffer }>();

/** The certificate's bytes: as parsed (never re-encoded) when it came from DER. */
export function certificateDer(certificate: pkijs.Certificate): Buffer {
  let der = derCache.get(certificate);
  if (!der) {
    der = Buffer.from(certificate.toSchema().toBER(false));
    derCache.set(certificate, der);
  }
  return der;
}

function issuerAndSerial(certificate: pkijs.Certificate): { issuer: Buffer; serial: Buffer } {
  let parts = partsCache.get(certificate);
  if (!parts) {
    parts = {
      issuer: Buffer.from(certificate.issuer.toSchema().toBER(false)),
      serial: Buffer.from(certificate.serialNumber.toBER(false)),
    };
    partsCache.set(certificate, parts);
  }
  return parts;
}

/** PEM file text (one or more certificates) to DER buffers. */
export function pemToDers(pem: string): Buffer[] {
  const out: Buffer[] = [];
  for (const match of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g))
    out.push(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
  return out;
}

/** ESS signing-certificate-v2 (RFC 5035) binding the signer's certificate into the signed attributes. */
function signingCertificateV2(certificate: pkijs.Certificate, hash: HashName): Buffer {
  const { issuer, serial } = issuerAndSerial(certificate);
  const certHash = createHash(hash).update(certificateDer(certificate)).digest();
  // DER omits a DEFAULT value: sha256 is the default hashAlgorithm.
  const algorithm = hash === 'sha256' ? [] : [Buffer.from(hashAlgorithmIdentifier(hash).toSchema().toBER(false))];
  const issuerSerial = seq(seq(explicit(4, issuer)), serial);
  return seq(seq(seq(...algorithm, octets(certHash), issuerSerial)));
}

const attribute = (type: string, value: Buffer): Buffer => seq(oid(type), set(value));

export type SignedAttributes = {
  /** DER of the SET OF attributes: the exact bytes the signer signs (RFC 5652 §5.4). */
  der: Buffer;
};

/** contentType, messageDigest and signing-certificate-v2, sorted as DER requires of a SET OF. */
export function buildSignedAttributes(
  documentDigest: Buffer,
  certificate: pkijs.Certificate,
  hash: HashName,
): SignedAttributes {
  return {
    der: setOf([
      attribute(OID_CONTENT_TYPE, oid(OID_DATA)),
      attribute(OID_MESSAGE_DIGEST, octets(documentDigest)),
      attribute(OID_SIGNING_CERTIFICATE_V2, signingCertificateV2(certificate, hash)),
    ]),
  };
}

/** Parses DER signed attributes back (two-step signing resumes from stored bytes). */
export function parseSignedAttributes(der: Buffer): pkijs.Attribute[] {
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Set)) throw new Error('signed attributes are not a DER SET');
  return asn.result.valueBlock.value.map((v) => new pkijs.Attribute({ schema: v }));
}

export type CmsParts = {
  signedAttributesDer: Buffer;
  signatureValue: Buffer;
  certificate: pkijs.Certificate;
  chain: pkijs.Certificate[];
  hash: HashName;
  scheme: SignatureScheme;
  unsignedAttributes?: pkijs.Attribute[];
};

/** A detached CMS SignedData (RFC 5652) for PAdES: no eContent, one SignerInfo, certificates included. */
export function assembleCms(parts: CmsParts): Buffer {
  const { issuer, serial } = issuerAndSerial(parts.certificate);
  const digestAlgorithm = Buffer.from(hashAlgorithmIdentifier(parts.hash).toSchema().toBER(false));
  const signatureAlgorithm = Buffer.from(
    signatureAlgorithmIdentifier(parts.scheme, parts.hash).toSchema().toBER(false),
  );
  // [0] IMPLICIT: the signed attributes keep their bytes, only the SET tag becomes 0xA0.
  const signedAttrs = Buffer.from(parts.signedAttributesDer);
  signedAttrs[0] = 0xa0;
  const unsigned = parts.unsignedAttributes?.length
    ? [tlv(0xa1, ...parts.unsignedAttributes.map((a) => Buffer.from(a.toSchema().toBER(false))))]
    : [];
  const signerInfo = seq(
    smallInteger(1),
    seq(issuer, serial),
    digestAlgorithm,
    signedAttrs,
    signatureAlgorithm,
    octets(parts.signatureValue),
    ...unsigned,
  );
  const seen = new Set<string>();
  const certificates = [parts.certificate, ...parts.chain].map(certificateDer).filter((d) => {
    const key = d.toString('base64');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const signedData = seq(
    smallInteger(1),
    set(digestAlgorithm),
    seq(oid(OID_DATA)),
    tlv(0xa0, ...certificates),
    set(signerInfo),
  );
  return seq(oid(OID_SIGNED_DATA), explicit(0, signedData));
}

/** The SignerInfo signature value of a CMS (what a B-T time-stamp covers). */
export function parseCms(der: Buffer): { signedData: pkijs.SignedData; signerInfo: pkijs.SignerInfo } {
  const contentInfo = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
  if (contentInfo.contentType !== OID_SIGNED_DATA) throw new Error('not a CMS SignedData');
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo || signedData.signerInfos.length !== 1) throw new Error('a PAdES CMS has exactly one SignerInfo');
  return { signedData, signerInfo };
}
