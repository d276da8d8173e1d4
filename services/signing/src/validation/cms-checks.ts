import { createHash } from 'node:crypto';
import { OID_SIGNATURE_TIME_STAMP_TOKEN } from '../pades/cms';
import { AsnError, childrenOf, expectTag, octetString, readTlv, timeValue } from '../x509/der-reader';
import type { Cert } from '../x509/certificate';
import { issuerAndSerialOf, subjectKeyIdentifierOf, tryCert } from '../x509/certificate';
import { algorithmIdentifier, parseSignedDataParts } from '../x509/cms-structure';
import { verifyDeclared } from './signature-algorithms';
import type { CmsAttribute, SignedDataParts, SignerIdentifier, SignerInfoParts } from '../x509/cms-structure';

const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

export type DigestName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const digestByOid: Record<string, DigestName> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
// Signature algorithm OIDs that name their own digest (RFC 3279, RFC 4055, RFC 5758).
export const digestOfSignatureOid: Record<string, DigestName> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** Why a CMS failed, in ETSI terms: the caller maps these to indications. */
export class CmsProblem extends Error {
  constructor(
    readonly kind: 'format' | 'hash' | 'crypto' | 'no-signer-certificate' | 'unsupported-algorithm',
    message: string,
  ) {
    super(message);
  }
}

export type CmsResult = {
  signer: Cert;
  certificates: Cert[];
  digest: DigestName;
  hasSigningCertificateV2: boolean;
  claimedSigningTime: Date | null;
  /** The signature time-stamp (PAdES B-T), when present and valid over the signature value. */
  timestamp: TimestampResult | null;
  timestampProblem: string | null;
  /** Whether the signed attributes are in DER order (X.690 §11.6); either way they are verified as encoded. */
  signedAttributesDerSorted: boolean;
};

export type TimestampResult = { time: Date; tsa: Cert; certificates: Cert[]; digest: DigestName };

function parseSignedData(original: Buffer): SignedDataParts {
  if (original.length === 0) throw new CmsProblem('format', 'the signature value is empty');
  try {
    return parseSignedDataParts(original);
  } catch (error) {
    if (error instanceof AsnError)
      throw new CmsProblem('format', `the signature value is not a well-formed CMS SignedData: ${error.message}`);
    throw error;
  }
}

function findSigner(sid: SignerIdentifier, certs: Cert[]): Cert {
  const found = certs.find((c) => {
    if (sid.kind === 'issuer-and-serial') {
      try {
        const own = issuerAndSerialOf(c);
        return own.serial.equals(sid.serial) && own.issuer.equals(sid.issuer);
      } catch {
        return false;
      }
    }
    try {
      return subjectKeyIdentifierOf(c)?.equals(sid.keyId) ?? false;
    } catch {
      return false;
    }
  });
  if (!found) throw new CmsProblem('no-signer-certificate', 'the signer certificate is not in the CMS');
  return found;
}

function verifySignerInfo(signerInfo: SignerInfoParts, signer: Cert, signedBytes: Buffer, digest: DigestName): void {
  const found = verifyDeclared(
    signerInfo.signatureAlgorithm.oid,
    digest,
    signer.x509.publicKey,
    signedBytes,
    signerInfo.signature,
  );
  if (found.kind === 'unsupported') throw new CmsProblem('unsupported-algorithm', found.reason);
  if (found.kind === 'malformed') throw new CmsProblem('format', found.reason);
  if (found.kind === 'bad-signature')
    throw new CmsProblem('crypto', 'the signature value does not verify with the signer certificate');
}

/**
 * DER encodes a SET OF in ascending order of its elements' encodings (X.690 §11.6). Some signers
 * write the attributes in their own order and sign those bytes. Our policy: verify over the bytes
 * as the signer encoded them (RFC 5652 §5.4 signs the encoding that was sent; OpenSSL and Adobe do
 * the same) and say so in the report; EU DSS refuses such signatures.
 */
function derSorted(set: Buffer | null): boolean {
  if (!set) return true;
  try {
    const elements = childrenOf(set, readTlv(set, 0)).map((t) => set.subarray(t.start, t.end));
    return elements.every((e, i) => i === 0 || Buffer.compare(elements[i - 1] as Buffer, e) <= 0);
  } catch {
    return false;
  }
}

/** The one value of a signed attribute; two attributes of the same type are refused. */
function singleAttribute(attrs: CmsAttribute[], oid: string): CmsAttribute | undefined {
  const found = attrs.filter((a) => a.type === oid);
  if (found.length > 1) throw new CmsProblem('format', `signed attribute ${oid} appears more than once`);
  return found[0];
}

/** Checks one SignerInfo's attributes against `contentDigestOf` and its signature; returns the signer. */
function checkSignerInfo(
  signedData: SignedDataParts,
  contentDigestOf: (d: DigestName) => Buffer,
): { signerInfo: SignerInfoParts; signer: Cert; certs: Cert[]; digest: DigestName } {
  // One SignerInfo only: a second one is the CMS-confusion attack (different tools check different signers).
  if (signedData.signerInfos.length !== 1)
    throw new CmsProblem('format', `the CMS has ${signedData.signerInfos.length} SignerInfos; exactly one is allowed`);
  const signerInfo = signedData.signerInfos[0] as SignerInfoParts;
  const digest = digestByOid[signerInfo.digestAlgorithm.oid];
  if (!digest) throw new CmsProblem('format', `digest algorithm ${signerInfo.digestAlgorithm.oid} is not supported`);
  const attrs = signerInfo.signedAttrs;
  if (!attrs || !signerInfo.signedAttrsDer)
    throw new CmsProblem(
      'format',
      'the CMS has no signed attributes (content type, message digest and signing certificate are required)',
    );
  if (!singleAttribute(attrs, OID_CONTENT_TYPE))
    throw new CmsProblem('format', 'the signed attributes lack the content type');
  const md = singleAttribute(attrs, OID_MESSAGE_DIGEST)?.values[0];
  if (!md || md.tag !== 0x04) throw new CmsProblem('format', 'the signed attributes lack the message digest');
  if (!md.content.equals(contentDigestOf(digest)))
    throw new CmsProblem('hash', 'the signed bytes do not match the message digest');
  const certs = signedData.certificates.map(tryCert).filter((c): c is Cert => !!c);
  const signer = findSigner(signerInfo.sid, certs);
  verifySignerInfo(signerInfo, signer, signerInfo.signedAttrsDer, digest);
  return { signerInfo, signer, certs, digest };
}

/** ESS signing-certificate(-v2): the certificate hash must be the signer's (RFC 5035). */
function signingCertificateMatches(signerInfo: SignerInfoParts, signer: Cert): boolean | null {
  const attrs = signerInfo.signedAttrs ?? [];
  const v2 = singleAttribute(attrs, OID_SIGNING_CERTIFICATE_V2);
  const attribute = v2 ?? singleAttribute(attrs, OID_SIGNING_CERTIFICATE);
  const value = attribute?.values[0];
  if (!value) return attribute ? false : null;
  try {
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    const [certs] = childrenOf(value.der, expectTag(readTlv(value.der, 0), 0x30, 'signing certificate'));
    const [first] = childrenOf(value.der, expectTag(certs, 0x30, 'signing certificate list'));
    const parts = childrenOf(value.der, expectTag(first, 0x30, 'ESSCertID'));
    let alg: DigestName | undefined = v2 ? 'sha256' : 'sha1';
    let hashAt = 0;
    // ESSCertIDv2's hashAlgorithm is optional and defaults to SHA-256.
    if (v2 && parts[0]?.tag === 0x30) {
      alg = digestByOid[algorithmIdentifier(value.der, parts[0], 'certificate hash algorithm').oid];
      hashAt = 1;
    }
    if (!alg) return false;
    return octetString(value.der, expectTag(parts[hashAt], 0x04, 'certificate hash')).equals(
      createHash(alg).update(signer.der).digest(),
    );
  } catch {
    return false;
  }
}

/** TSTInfo (RFC 3161 §2.4.2): the message imprint and the time, read from the signed bytes. */
function readTstInfo(der: Buffer): { imprintDigest: DigestName | undefined; imprint: Buffer; genTime: Date } {
  try {
    const fields = childrenOf(der, expectTag(readTlv(der, 0), 0x30, 'TSTInfo'));
    const [hashAlgorithm, hashed] = childrenOf(der, expectTag(fields[2], 0x30, 'message imprint'));
    return {
      imprintDigest: digestByOid[algorithmIdentifier(der, hashAlgorithm, 'imprint algorithm').oid],
      imprint: octetString(der, expectTag(hashed, 0x04, 'hashed message')),
      genTime: timeValue(der, expectTag(fields[4], 0x18, 'genTime')),
    };
  } catch {
    throw new CmsProblem('format', 'the TSTInfo is malformed');
  }
}

/** An RFC 3161 token: its TSTInfo imprint must be `imprintOf(digest)` and its signature valid. */
export function checkTimestampToken(token: Buffer, imprintOf: (d: DigestName) => Buffer): TimestampResult {
  const signedData = parseSignedData(token);
  const tstDer = signedData.eContent;
  if (signedData.eContentType !== OID_TST_INFO || !tstDer)
    throw new CmsProblem('format', 'the time-stamp token holds no TSTInfo');
  const tst = readTstInfo(tstDer);
  if (!tst.imprintDigest) throw new CmsProblem('format', 'the time-stamp imprint uses an unsupported digest');
  if (!tst.imprint.equals(imprintOf(tst.imprintDigest)))
    throw new CmsProblem('hash', 'the time-stamp covers other data');
  const { signer, certs, digest } = checkSignerInfo(signedData, (d) => createHash(d).update(tstDer).digest());
  return { time: tst.genTime, tsa: signer, certificates: certs, digest };
}

/**
 * Full check of a PAdES/PKCS#7-detached CMS over `documentDigestOf`: structure (one SignerInfo,
 * detached, mandatory attributes), message digest, signature value, ESS binding, time-stamp.
 */
export function checkCms(contents: Buffer, documentDigestOf: (d: DigestName) => Buffer, pades: boolean): CmsResult {
  const signedData = parseSignedData(contents);
  // PAdES signatures are detached (ETSI EN 319 142-1 §6.3): embedded content is a confusion vector.
  if (signedData.eContent) throw new CmsProblem('format', 'the CMS embeds content; a PDF signature must be detached');
  const { signerInfo, signer, certs, digest } = checkSignerInfo(signedData, documentDigestOf);
  const essMatch = signingCertificateMatches(signerInfo, signer);
  if (essMatch === false)
    throw new CmsProblem('no-signer-certificate', 'the signing-certificate attribute names another certificate');
  if (pades && essMatch === null)
    throw new CmsProblem('format', 'a PAdES signature needs the signing-certificate-v2 attribute');
  let claimedSigningTime: Date | null = null;
  const signingTime = singleAttribute(signerInfo.signedAttrs ?? [], OID_SIGNING_TIME)?.values[0];
  if (signingTime) {
    try {
      claimedSigningTime = timeValue(signingTime.der, readTlv(signingTime.der, 0));
    } catch {
      claimedSigningTime = null;
    }
  }
  let timestamp: TimestampResult | null = null;
  let timestampProblem: string | null = null;
  const tsAttr = signerInfo.unsignedAttrs?.find((a) => a.type === OID_SIGNATURE_TIME_STAMP_TOKEN);
  if (tsAttr) {
    try {
      const token = tsAttr.values[0];
      if (!token) throw new CmsProblem('format', 'the signature time-stamp attribute is empty');
      timestamp = checkTimestampToken(token.der, (d) => createHash(d).update(signerInfo.signature).digest());
    } catch (error) {
      timestampProblem = (error as Error).message;
    }
  }
  return {
    signer,
    certificates: certs,
    digest,
    signedAttributesDerSorted: derSorted(signerInfo.signedAttrsDer),
    hasSigningCertificateV2: essMatch === true,
    claimedSigningTime,
    timestamp,
    timestampProblem,
  };
}
