import { createHash } from 'node:crypto';
import type { Cert } from '../x509/certificate';
import { issuerAndSerialOf } from '../x509/certificate';
import { parseSignedDataParts } from '../x509/cms-structure';
import type { SignedDataParts, SignerInfoParts } from '../x509/cms-structure';
import { hashAlgorithmIdentifier, signatureAlgorithmIdentifier } from './algorithms';
import { explicit, octets, oid, seq, set, setOf, smallInteger, tlv } from './der';
import type { HashName, SignatureScheme } from './algorithms';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
export const OID_SIGNATURE_TIME_STAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';

/** ESS signing-certificate-v2 (RFC 5035) binding the signer's certificate into the signed attributes. */
function signingCertificateV2(certificate: Cert, hash: HashName): Buffer {
  const { issuer, serialDer } = issuerAndSerialOf(certificate);
  const certHash = createHash(hash).update(certificate.der).digest();
  // DER omits a DEFAULT value: sha256 is the default hashAlgorithm.
  const algorithm = hash === 'sha256' ? [] : [Buffer.from(hashAlgorithmIdentifier(hash).toSchema().toBER(false))];
  const issuerSerial = seq(seq(explicit(4, issuer)), serialDer);
  return seq(seq(seq(...algorithm, octets(certHash), issuerSerial)));
}

const attribute = (type: string, value: Buffer): Buffer => seq(oid(type), set(value));

export type SignedAttributes = {
  /** DER of the SET OF attributes: the exact bytes the signer signs (RFC 5652 §5.4). */
  der: Buffer;
};

/** contentType, messageDigest and signing-certificate-v2, sorted as DER requires of a SET OF. */
export function buildSignedAttributes(documentDigest: Buffer, certificate: Cert, hash: HashName): SignedAttributes {
  return {
    der: setOf([
      attribute(OID_CONTENT_TYPE, oid(OID_DATA)),
      attribute(OID_MESSAGE_DIGEST, octets(documentDigest)),
      attribute(OID_SIGNING_CERTIFICATE_V2, signingCertificateV2(certificate, hash)),
    ]),
  };
}

export type CmsParts = {
  signedAttributesDer: Buffer;
  signatureValue: Buffer;
  certificate: Cert;
  chain: Cert[];
  hash: HashName;
  scheme: SignatureScheme;
  /** Unsigned attributes, each its DER Attribute (the signature time-stamp of B-T). */
  unsignedAttributes?: Buffer[];
};

/** A detached CMS SignedData (RFC 5652) for PAdES: no eContent, one SignerInfo, certificates included. */
export function assembleCms(parts: CmsParts): Buffer {
  const { issuer, serialDer } = issuerAndSerialOf(parts.certificate);
  const digestAlgorithm = Buffer.from(hashAlgorithmIdentifier(parts.hash).toSchema().toBER(false));
  const signatureAlgorithm = Buffer.from(
    signatureAlgorithmIdentifier(parts.scheme, parts.hash).toSchema().toBER(false),
  );
  // [0] IMPLICIT: the signed attributes keep their bytes, only the SET tag becomes 0xA0.
  const signedAttrs = Buffer.from(parts.signedAttributesDer);
  signedAttrs[0] = 0xa0;
  const unsigned = parts.unsignedAttributes?.length ? [tlv(0xa1, ...parts.unsignedAttributes)] : [];
  const signerInfo = seq(
    smallInteger(1),
    seq(issuer, serialDer),
    digestAlgorithm,
    signedAttrs,
    signatureAlgorithm,
    octets(parts.signatureValue),
    ...unsigned,
  );
  const seen = new Set<string>();
  const certificates = [parts.certificate, ...parts.chain]
    .map((c) => c.der)
    .filter((d) => {
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

/** An unsigned attribute (RFC 5652 §5.3) holding one value, as assembleCms takes it. */
export const unsignedAttribute = (type: string, valueDer: Buffer): Buffer => attribute(type, valueDer);

/** A PAdES CMS read from its bytes: the SignedData and its one SignerInfo (ETSI EN 319 142-1 §5.1). */
export function parseCms(der: Buffer): { signedData: SignedDataParts; signerInfo: SignerInfoParts } {
  const signedData = parseSignedDataParts(der);
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo || signedData.signerInfos.length !== 1) throw new Error('a PAdES CMS has exactly one SignerInfo');
  return { signedData, signerInfo };
}

/** The certificate a SignerInfo names by issuer and serial number, among `certificates`. */
export function signerCertificate(signerInfo: SignerInfoParts, certificates: Cert[]): Cert | undefined {
  const { sid } = signerInfo;
  if (sid.kind !== 'issuer-and-serial') return undefined;
  return certificates.find((c) => {
    const own = issuerAndSerialOf(c);
    return own.serial.equals(sid.serial) && own.issuer.equals(sid.issuer);
  });
}
