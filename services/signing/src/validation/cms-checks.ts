import { createHash, constants, verify as nodeVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID_SIGNATURE_TIME_STAMP_TOKEN, toArrayBuffer } from '../pades/cms';
import type { Cert } from './certificates';
import { tryCert } from './certificates';
import { lightenCms } from './cms-prefilter';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
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
  constructor(readonly kind: 'format' | 'hash' | 'crypto' | 'no-signer-certificate', message: string) {
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
};

export type TimestampResult = { time: Date; tsa: Cert; certificates: Cert[]; digest: DigestName };

const bytesOf = (v: { valueBlock: { valueHexView: Uint8Array } }): Buffer => Buffer.from(v.valueBlock.valueHexView);

const timestampTokensOf = new WeakMap<pkijs.SignedData, Buffer[]>();

function parseSignedData(original: Buffer): pkijs.SignedData {
  if (original.length === 0) throw new CmsProblem('format', 'the signature value is empty');
  const light = lightenCms(original);
  const der = light?.der ?? original;
  // /Contents is zero-padded to its reserved size: parse the first DER element only.
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1) throw new CmsProblem('format', 'the signature value is not DER');
  let contentInfo: pkijs.ContentInfo;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: asn.result });
  } catch {
    throw new CmsProblem('format', 'the signature value is not a CMS ContentInfo');
  }
  if (contentInfo.contentType !== OID_SIGNED_DATA) throw new CmsProblem('format', 'the signature value is not a CMS SignedData');
  let signedData: pkijs.SignedData;
  try {
    signedData = signedDataOf(contentInfo.content);
  } catch {
    throw new CmsProblem('format', 'the CMS SignedData is malformed');
  }
  if (light) {
    rawCertificates.set(signedData, light.certificates);
    timestampTokensOf.set(signedData, light.timestampTokens);
  }
  return signedData;
}

// The certificates' own bytes from the SignedData's [0] field: re-encoding parsed certificates is
// slow and would change any certificate that is not canonical DER.
const rawCertificates = new WeakMap<pkijs.SignedData, Buffer[]>();

const certsOf = (signedData: pkijs.SignedData): Cert[] =>
  (rawCertificates.get(signedData) ?? (signedData.certificates ?? []).flatMap((c) => (c instanceof pkijs.Certificate ? [Buffer.from(c.toSchema().toBER(false))] : []))).map(tryCert).filter((c): c is Cert => !!c);

/**
 * pkijs's SignedData without its certificates: they are taken raw (above) and parsed once each
 * through the certificate cache; matching every certificate against pkijs's schema on every
 * validation cost more than everything else together.
 */
function signedDataOf(content: unknown): pkijs.SignedData {
  const seq = content as asn1js.Sequence;
  const fields = seq?.valueBlock?.value;
  const isCertificates = (v: asn1js.AsnType): boolean => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 0;
  const certificatesField = Array.isArray(fields) ? fields.find(isCertificates) : undefined;
  const raw = ((certificatesField as asn1js.Constructed | undefined)?.valueBlock.value ?? []).map((c) => Buffer.from(c.valueBeforeDecodeView));
  let signedData: pkijs.SignedData;
  if (certificatesField && Array.isArray(fields)) {
    seq.valueBlock.value = fields.filter((v) => v !== certificatesField);
    try {
      signedData = new pkijs.SignedData({ schema: seq });
    } finally {
      seq.valueBlock.value = fields;
    }
  } else signedData = new pkijs.SignedData({ schema: content });
  rawCertificates.set(signedData, raw);
  return signedData;
}

function findSigner(signerInfo: pkijs.SignerInfo, certs: Cert[]): Cert {
  const sid = signerInfo.sid as unknown;
  const found = certs.find((c) => {
    if (sid instanceof pkijs.IssuerAndSerialNumber) return c.pki.serialNumber.isEqual(sid.serialNumber) && c.pki.issuer.isEqual(sid.issuer);
    const ski = c.pki.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
    return !!ski && sid instanceof asn1js.Primitive && Buffer.from(ski.valueBlock.valueHexView).equals(Buffer.from((sid as asn1js.Primitive).valueBlock.valueHexView));
  });
  if (!found) throw new CmsProblem('no-signer-certificate', 'the signer certificate is not in the CMS');
  return found;
}

function verifySignerInfo(signerInfo: pkijs.SignerInfo, signer: Cert, signedBytes: Buffer, digest: DigestName): void {
  const alg = signerInfo.signatureAlgorithm.algorithmId;
  const signature = bytesOf(signerInfo.signature);
  const hash = digestOfSignatureOid[alg] ?? digest;
  // EdDSA in CMS (RFC 8419): Ed25519 goes with SHA-512; Ed448 with SHAKE256, which we do not support.
  if (alg === '1.3.101.113') throw new CmsProblem('format', 'Ed448 signatures must use SHAKE256 (RFC 8419), which is not supported');
  if (alg === '1.3.101.112' && digest !== 'sha512') throw new CmsProblem('format', 'Ed25519 signatures must use SHA-512 as digest (RFC 8419)');
  let ok: boolean;
  try {
    ok =
      alg === '1.3.101.112'
        ? nodeVerify(null, signedBytes, signer.x509.publicKey, signature)
        : alg === '1.2.840.113549.1.1.10'
        ? nodeVerify(digest, signedBytes, { key: signer.x509.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature)
        : nodeVerify(hash, signedBytes, signer.x509.publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new CmsProblem('crypto', 'the signature value does not verify with the signer certificate');
}

/** Checks one SignerInfo's attributes against `contentDigestOf` and its signature; returns the signer. */
function checkSignerInfo(signedData: pkijs.SignedData, contentDigestOf: (d: DigestName) => Buffer): { signerInfo: pkijs.SignerInfo; signer: Cert; certs: Cert[]; digest: DigestName } {
  // One SignerInfo only: a second one is the CMS-confusion attack (different tools check different signers).
  if (signedData.signerInfos.length !== 1) throw new CmsProblem('format', `the CMS has ${signedData.signerInfos.length} SignerInfos; exactly one is allowed`);
  const signerInfo = signedData.signerInfos[0] as pkijs.SignerInfo;
  const digest = digestByOid[signerInfo.digestAlgorithm.algorithmId];
  if (!digest) throw new CmsProblem('format', `digest algorithm ${signerInfo.digestAlgorithm.algorithmId} is not supported`);
  const attrs = signerInfo.signedAttrs;
  if (!attrs) throw new CmsProblem('format', 'the CMS has no signed attributes (content type, message digest and signing certificate are required)');
  const one = (oid: string): pkijs.Attribute | undefined => {
    const found = attrs.attributes.filter((a) => a.type === oid);
    if (found.length > 1) throw new CmsProblem('format', `signed attribute ${oid} appears more than once`);
    return found[0];
  };
  if (!one(OID_CONTENT_TYPE)) throw new CmsProblem('format', 'the signed attributes lack the content type');
  const md = one(OID_MESSAGE_DIGEST);
  const mdValue = md?.values[0] instanceof asn1js.OctetString ? bytesOf(md.values[0]) : undefined;
  if (!mdValue) throw new CmsProblem('format', 'the signed attributes lack the message digest');
  if (!mdValue.equals(contentDigestOf(digest))) throw new CmsProblem('hash', 'the signed bytes do not match the message digest');
  const certs = certsOf(signedData);
  const signer = findSigner(signerInfo, certs);
  const signedBytes = Buffer.from(attrs.encodedValue);
  signedBytes[0] = 0x31;
  verifySignerInfo(signerInfo, signer, signedBytes, digest);
  return { signerInfo, signer, certs, digest };
}

/** ESS signing-certificate(-v2): the certificate hash must be the signer's (RFC 5035). */
function signingCertificateMatches(signerInfo: pkijs.SignerInfo, signer: Cert): boolean | null {
  const attrs = signerInfo.signedAttrs?.attributes ?? [];
  const v2 = attrs.find((a) => a.type === OID_SIGNING_CERTIFICATE_V2);
  const v1 = attrs.find((a) => a.type === OID_SIGNING_CERTIFICATE);
  const attribute = v2 ?? v1;
  if (!attribute) return null;
  try {
    const certsSeq = (attribute.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certsSeq.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let alg: string = v2 ? 'sha256' : 'sha1';
    let hashAt = 0;
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      alg = digestByOid[new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId] ?? 'unknown';
      hashAt = 1;
    }
    if (alg === 'unknown') return false;
    return bytesOf(parts[hashAt] as asn1js.OctetString).equals(createHash(alg).update(signer.der).digest());
  } catch {
    return false;
  }
}

/** An RFC 3161 token: its TSTInfo imprint must be `imprintOf(digest)` and its signature valid. */
export function checkTimestampToken(token: Buffer | pkijs.ContentInfo, imprintOf: (d: DigestName) => Buffer): TimestampResult {
  const signedData = Buffer.isBuffer(token) ? parseSignedData(token) : signedDataOf(token.content);
  if (signedData.encapContentInfo.eContentType !== OID_TST_INFO || !signedData.encapContentInfo.eContent) throw new CmsProblem('format', 'the time-stamp token holds no TSTInfo');
  const tstDer = Buffer.from(signedData.encapContentInfo.eContent.getValue());
  let tst: pkijs.TSTInfo;
  try {
    tst = pkijs.TSTInfo.fromBER(toArrayBuffer(tstDer));
  } catch {
    throw new CmsProblem('format', 'the TSTInfo is malformed');
  }
  const imprintDigest = digestByOid[tst.messageImprint.hashAlgorithm.algorithmId];
  if (!imprintDigest) throw new CmsProblem('format', 'the time-stamp imprint uses an unsupported digest');
  if (!bytesOf(tst.messageImprint.hashedMessage).equals(imprintOf(imprintDigest))) throw new CmsProblem('hash', 'the time-stamp covers other data');
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
  if (signedData.encapContentInfo.eContent) throw new CmsProblem('format', 'the CMS embeds content; a PDF signature must be detached');
  const { signerInfo, signer, certs, digest } = checkSignerInfo(signedData, documentDigestOf);
  const essMatch = signingCertificateMatches(signerInfo, signer);
  if (essMatch === false) throw new CmsProblem('no-signer-certificate', 'the signing-certificate attribute names another certificate');
  if (pades && essMatch === null) throw new CmsProblem('format', 'a PAdES signature needs the signing-certificate-v2 attribute');
  const signingTimeAttr = signerInfo.signedAttrs?.attributes.find((a) => a.type === OID_SIGNING_TIME);
  let claimedSigningTime: Date | null = null;
  try {
    const v = signingTimeAttr?.values[0] as { toDate?: () => Date } | undefined;
    claimedSigningTime = v?.toDate ? v.toDate() : null;
  } catch {
    claimedSigningTime = null;
  }
  let timestamp: TimestampResult | null = null;
  let timestampProblem: string | null = null;
  const tsAttr = signerInfo.unsignedAttrs?.attributes.find((a) => a.type === OID_SIGNATURE_TIME_STAMP_TOKEN);
  if (tsAttr) {
    try {
      const signatureValue = bytesOf(signerInfo.signature);
      const set = timestampTokensOf.get(signedData);
      const token = set ? set[0] : undefined;
      if (set && !token) throw new CmsProblem('format', 'the signature time-stamp attribute is empty');
      timestamp = checkTimestampToken(token ?? new pkijs.ContentInfo({ schema: tsAttr.values[0] }), (d) => createHash(d).update(signatureValue).digest());
    } catch (error) {
      timestampProblem = (error as Error).message;
    }
  }
  return { signer, certificates: certs, digest, hasSigningCertificateV2: essMatch === true, claimedSigningTime, timestamp, timestampProblem };
}
