import { createHash, verify as nodeVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../x509/der-reader';
import { fetchCrl, fetchOcsp } from '../pades/revocation';
import type { Cert } from '../x509/certificate';
import { digestOfSignatureOid } from './cms-checks';
import { extendedKeyUsageOf, issued, issuerAndSerialOf, tryCert } from '../x509/certificate';
import {
  AsnError,
  childrenOf,
  contentBytes,
  elementBytes,
  octetString,
  oidText,
  readTlv,
  timeValue,
} from '../x509/der-reader';
import type { CertificateReport } from './report';

export type RevocationAnswer = {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt: Date | null;
  source: CertificateReport['revocationSource'];
  producedAt: Date | null;
};
export type EmbeddedRevocation = { ocsps: Buffer[]; crls: Buffer[] };
export type RevocationOptions = { mode: 'online' | 'offline'; timeoutMs: number; cacheSeconds: number };

// Online answers are reused for a while: one OCSP round trip per certificate, not per document.
const onlineCache = new Map<string, { answer: RevocationAnswer; ocsp?: Buffer; crl?: Buffer; until: number }>();

const OID_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/**
 * A signature over DER `tbs` with node:crypto (synchronous, no WebCrypto round trips); undefined
 * for algorithms it does not map (RSA-PSS parameters), which fall back to pkijs.
 */
function quickVerify(tbs: Uint8Array, algorithmOid: string, signature: Uint8Array, key: Cert): boolean | undefined {
  const digest = digestOfSignatureOid[algorithmOid];
  if (!digest) return undefined;
  try {
    return nodeVerify(digest, tbs, key.x509.publicKey, signature);
  } catch {
    return false;
  }
}

// OCSP responses recur across documents (the intermediate CA's, and a signer's within its
// validity window): parsed once per content with the DER reader (pkijs schemas cost more than
// the cryptography), the responder certificates taken from their own bytes and each responder's
// signature check remembered. Bounded.
type SingleAnswer = {
  hash: 'sha1' | 'sha256' | null;
  issuerNameHash: Buffer;
  serial: Buffer;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt: Date | null;
};
type ParsedOcsp = {
  basicDer: Buffer;
  tbs: Buffer;
  algorithm: string;
  signature: Buffer;
  producedAt: Date;
  responses: SingleAnswer[];
  responderCerts: Cert[];
  verifiedBy: Map<string, boolean>;
};
const ocspCache = new Map<string, ParsedOcsp | null>();

const HASH_OIDS: Record<string, 'sha1' | 'sha256'> = { '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256' };

/** An INTEGER's magnitude without the sign octets DER may put in front, so two encodings of one serial compare equal. */
const magnitude = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i += 1;
  return b.subarray(i);
};

/**
 * RFC 6960 §4.2.1: OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT
 * SEQUENCE { responseType, response OCTET STRING } }; BasicOCSPResponse ::= SEQUENCE {
 * tbsResponseData, signatureAlgorithm, signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate
 * OPTIONAL }; ResponseData ::= SEQUENCE { version [0] OPTIONAL, responderID, producedAt, responses, … }.
 */
function readOcsp(der: Buffer): ParsedOcsp | null {
  const outer = childrenOf(der, readTlv(der, 0));
  const status = outer[0];
  if (!status || status.tag !== 0x0a || contentBytes(der, status)[0] !== 0 || outer[1]?.tag !== 0xa0) return null;
  const [bytes] = childrenOf(der, outer[1]);
  const responseBytes = bytes ? childrenOf(der, bytes) : [];
  const octets = responseBytes[1];
  if (!octets) return null;
  const basicDer = Buffer.from(octetString(der, octets));
  const [tbsTlv, algTlv, sigTlv] = childrenOf(basicDer, readTlv(basicDer, 0));
  if (!tbsTlv || !algTlv || sigTlv?.tag !== 0x03) return null;
  const [algOid] = childrenOf(basicDer, algTlv);
  const data = childrenOf(basicDer, tbsTlv);
  const at = data[0]?.tag === 0xa0 ? 1 : 0;
  const producedAt = data[at + 1];
  const list = data[at + 2];
  if (!algOid || !producedAt || !list) return null;
  const responses = childrenOf(basicDer, list).map((single): SingleAnswer => {
    const [certId, certStatus] = childrenOf(basicDer, single);
    const [hashAlg, nameHash, , serial] = certId ? childrenOf(basicDer, certId) : [];
    const [hashOid] = hashAlg ? childrenOf(basicDer, hashAlg) : [];
    if (!nameHash || !serial || !certStatus || !hashOid) throw new AsnError('incomplete SingleResponse');
    // CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT }
    const kind = certStatus.tag & 0x1f;
    const revokedTime = kind === 1 ? childrenOf(basicDer, certStatus)[0] : undefined;
    return {
      hash: HASH_OIDS[oidText(basicDer, hashOid)] ?? null,
      issuerNameHash: contentBytes(basicDer, nameHash),
      serial: magnitude(contentBytes(basicDer, serial)),
      status: kind === 0 ? 'good' : kind === 1 ? 'revoked' : 'unknown',
      revokedAt: revokedTime ? timeValue(basicDer, revokedTime) : null,
    };
  });
  return {
    basicDer,
    tbs: elementBytes(basicDer, tbsTlv),
    algorithm: oidText(basicDer, algOid),
    // BIT STRING: the first octet counts unused bits (0 for a signature).
    signature: contentBytes(basicDer, sigTlv).subarray(1),
    producedAt: timeValue(basicDer, producedAt),
    responses,
    responderCerts: responderCertificates(basicDer),
    verifiedBy: new Map(),
  };
}

/** BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL } */
function responderCertificates(basicDer: Buffer): Cert[] {
  const fields = childrenOf(basicDer, readTlv(basicDer, 0));
  const wrapper = fields[3];
  if (!wrapper || wrapper.tag !== 0xa0) return [];
  const [list] = childrenOf(basicDer, wrapper);
  return list
    ? childrenOf(basicDer, list)
        .map((c) => tryCert(Buffer.from(elementBytes(basicDer, c))))
        .filter((c): c is Cert => !!c)
    : [];
}

function parseOcsp(der: Buffer): ParsedOcsp | null {
  const key = createHash('sha256').update(der).digest('hex');
  const hit = ocspCache.get(key);
  if (hit !== undefined) return hit;
  let parsed: ParsedOcsp | null = null;
  try {
    parsed = readOcsp(der);
  } catch {
    parsed = null;
  }
  if (ocspCache.size > 5_000) ocspCache.clear();
  ocspCache.set(key, parsed);
  return parsed;
}

// CRLs are shared by every document a CA's subscribers sign: parsed once per content with the
// DER reader, each issuer's signature check remembered.
type ParsedCrl = {
  der: Buffer;
  tbs: Buffer;
  algorithm: string;
  signature: Buffer;
  issuer: Buffer;
  thisUpdate: Date;
  /** Revoked serial numbers (magnitude, hex) and their revocation dates. */
  revoked: Map<string, Date>;
};
/** Parsed CRLs by the SHA-256 of their DER, with the issuers each was checked against (name match and signature). */
type CrlEntry = { crl: ParsedCrl | null; verifiedBy: Set<string>; issuedBy: Map<string, boolean> };
const crlCache = new Map<string, CrlEntry>();

/**
 * RFC 5280 §5.1: CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue };
 * TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
 * revokedCertificates SEQUENCE OF SEQUENCE { userCertificate, revocationDate, … } OPTIONAL, … }.
 */
function readCrl(der: Buffer): ParsedCrl | null {
  const [tbsTlv, algTlv, sigTlv] = childrenOf(der, readTlv(der, 0));
  if (!tbsTlv || !algTlv || sigTlv?.tag !== 0x03) return null;
  const [algOid] = childrenOf(der, algTlv);
  const fields = childrenOf(der, tbsTlv);
  let i = fields[0]?.tag === 0x02 ? 1 : 0;
  const issuer = fields[i + 1];
  const thisUpdate = fields[i + 2];
  if (!algOid || !issuer || !thisUpdate) return null;
  i += 3;
  if (fields[i]?.tag === 0x17 || fields[i]?.tag === 0x18) i += 1;
  const revoked = new Map<string, Date>();
  const list = fields[i];
  if (list?.tag === 0x30)
    for (const entry of childrenOf(der, list)) {
      const [serial, date] = childrenOf(der, entry);
      if (!serial || !date) throw new AsnError('incomplete CRL entry');
      revoked.set(magnitude(contentBytes(der, serial)).toString('hex'), timeValue(der, date));
    }
  return {
    der,
    tbs: elementBytes(der, tbsTlv),
    algorithm: oidText(der, algOid),
    signature: contentBytes(der, sigTlv).subarray(1),
    issuer: elementBytes(der, issuer),
    thisUpdate: timeValue(der, thisUpdate),
    revoked,
  };
}

function parseCrl(der: Buffer): CrlEntry {
  const key = createHash('sha256').update(der).digest('hex');
  let entry = crlCache.get(key);
  if (!entry) {
    let crl: ParsedCrl | null = null;
    try {
      crl = readCrl(der);
    } catch {
      crl = null;
    }
    entry = { crl, verifiedBy: new Set(), issuedBy: new Map() };
    if (crlCache.size > 500) crlCache.clear();
    crlCache.set(key, entry);
  }
  return entry;
}

async function ocspAnswer(der: Buffer, cert: Cert, issuer: Cert): Promise<RevocationAnswer | undefined> {
  const parsed = parseOcsp(der);
  if (!parsed) return undefined;
  const serial = magnitude(issuerAndSerialOf(cert).serial);
  const issuerName = issuerAndSerialOf(issuer).subject;
  const nameHashes: Record<string, Buffer> = {};
  const single = parsed.responses.find((r) => {
    if (r.hash === null || !r.serial.equals(serial)) return false;
    nameHashes[r.hash] ??= createHash(r.hash).update(issuerName).digest();
    return (nameHashes[r.hash] as Buffer).equals(r.issuerNameHash);
  });
  if (!single) return undefined;
  // The responder is the issuing CA itself or a delegate it certified for OCSP signing (RFC 6960 §4.2.2.2).
  let verified = false;
  for (const responder of [issuer, ...parsed.responderCerts]) {
    const delegated = responder.sha256 !== issuer.sha256;
    if (delegated && (!issued(issuer, responder) || !extendedKeyUsageOf(responder).includes(OID_OCSP_SIGNING)))
      continue;
    let ok = parsed.verifiedBy.get(responder.sha256);
    if (ok === undefined) {
      const quick = quickVerify(parsed.tbs, parsed.algorithm, parsed.signature, responder);
      // Algorithms node:crypto is not given directly (RSA-PSS parameters) go through pkijs, rarely.
      ok =
        quick ??
        (await pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(parsed.basicDer))
          .verify({ trustedCerts: [responder.pki] })
          .catch(() => false));
      parsed.verifiedBy.set(responder.sha256, ok);
    }
    if (ok) {
      verified = true;
      break;
    }
  }
  if (!verified) return undefined;
  const producedAt = parsed.producedAt;
  return single.status === 'revoked'
    ? { status: 'revoked', revokedAt: single.revokedAt ?? producedAt, source: 'embedded-ocsp', producedAt }
    : { status: single.status, revokedAt: null, source: 'embedded-ocsp', producedAt };
}

/** A CRL issuer name (DER) and a certificate subject, compared as RFC 5280 §7.1 says (case and spaces folded, string types aside). */
export function sameName(nameDer: Buffer, issuer: Cert): boolean {
  const asn = asn1js.fromBER(toArrayBuffer(nameDer));
  if (asn.offset === -1) return false;
  try {
    return new pkijs.RelativeDistinguishedNames({ schema: asn.result }).isEqual(issuer.pki.subject);
  } catch {
    return false;
  }
}

async function crlAnswer(der: Buffer, cert: Cert, issuer: Cert): Promise<RevocationAnswer | undefined> {
  const parsed = parseCrl(der);
  const crl = parsed.crl;
  if (!crl) return undefined;
  // Names compare as encoded; an issuer that re-encodes its name is compared the way pkijs does
  // (RFC 5280 §7.1), on the CRL's issuer name alone (parsing the whole CRL for it cost more than
  // the rest of a cold validation), once per CRL and issuer: a DSS holds the CRLs of every CA in
  // the chain, and each certificate is looked up in all of them.
  let sameIssuer = parsed.issuedBy.get(issuer.sha256);
  if (sameIssuer === undefined) {
    sameIssuer = crl.issuer.equals(issuerAndSerialOf(issuer).subject) || sameName(crl.issuer, issuer);
    parsed.issuedBy.set(issuer.sha256, sameIssuer);
  }
  if (!sameIssuer) return undefined;
  if (!parsed.verifiedBy.has(issuer.sha256)) {
    const quick = quickVerify(crl.tbs, crl.algorithm, crl.signature, issuer);
    const ok =
      quick ??
      (await pkijs.CertificateRevocationList.fromBER(toArrayBuffer(crl.der))
        .verify({ issuerCertificate: issuer.pki })
        .catch(() => false));
    if (!ok) return undefined;
    parsed.verifiedBy.add(issuer.sha256);
  }
  const revokedAt = crl.revoked.get(magnitude(issuerAndSerialOf(cert).serial).toString('hex'));
  return revokedAt
    ? { status: 'revoked', revokedAt, source: 'embedded-crl', producedAt: crl.thisUpdate }
    : { status: 'good', revokedAt: null, source: 'embedded-crl', producedAt: crl.thisUpdate };
}

/** Forgets parsed OCSP responses, CRLs and online answers (the benchmark's cold runs). */
export function clearRevocationCaches(): void {
  ocspCache.clear();
  crlCache.clear();
  onlineCache.clear();
}

/** Embedded data first (the document's own proof); online only when allowed and nothing embedded answers. */
export async function revocationStatus(
  cert: Cert,
  issuer: Cert,
  embedded: EmbeddedRevocation,
  options: RevocationOptions,
): Promise<RevocationAnswer> {
  let unknown: RevocationAnswer | undefined;
  for (const der of embedded.ocsps) {
    const answer = await ocspAnswer(der, cert, issuer);
    if (answer?.status === 'unknown') unknown = answer;
    else if (answer) return answer;
  }
  for (const der of embedded.crls) {
    const answer = await crlAnswer(der, cert, issuer);
    if (answer) return answer;
  }
  if (options.mode === 'offline')
    return unknown ?? { status: 'unknown', revokedAt: null, source: 'none', producedAt: null };
  const key = `${cert.sha256}:${issuer.sha256}`;
  const cached = onlineCache.get(key);
  if (cached && cached.until > Date.now()) return { ...cached.answer, source: 'cache' };
  let answer: RevocationAnswer | undefined;
  try {
    const ocsp = await fetchOcsp(cert, issuer, options.timeoutMs);
    if (ocsp) {
      const parsed = await ocspAnswer(ocsp.der, cert, issuer);
      if (parsed && parsed.status !== 'unknown') answer = { ...parsed, source: 'online-ocsp' };
    }
  } catch {
    // fall through to the CRL
  }
  if (!answer) {
    try {
      const crlDer = await fetchCrl(cert, options.timeoutMs);
      const parsed = crlDer ? await crlAnswer(crlDer, cert, issuer) : undefined;
      if (parsed) answer = { ...parsed, source: 'online-crl' };
    } catch {
      // no answer: TRY_LATER
    }
  }
  if (!answer) return { status: 'unknown', revokedAt: null, source: 'none', producedAt: null };
  if (onlineCache.size > 10_000) onlineCache.clear();
  onlineCache.set(key, { answer, until: Date.now() + options.cacheSeconds * 1000 });
  return answer;
}
