import { X509Certificate, createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { childrenOf, contentBytes, elementBytes, readTlv, toArrayBuffer } from './der-reader';

/** A certificate parsed once for both node:crypto (fast checks) and pkijs (OCSP/CRL structures). */
export type Cert = { der: Buffer; sha256: string; x509: X509Certificate; pki: pkijs.Certificate };

// Validating many documents from the same agencies parses the same few certificates again and
// again; a bounded cache keyed by hash keeps that off the hot path.
const cache = new Map<string, Cert>();
const CACHE_LIMIT = 2_000;
// A certificate's issuer signature verifies once: the same few CA links recur in every document.
const issuedMemo = new Map<string, boolean>();

export function toCert(der: Buffer): Cert {
  const sha256 = createHash('sha256').update(der).digest('hex');
  const hit = cache.get(sha256);
  if (hit) return hit;
  const x509 = new X509Certificate(der);
  const own = Buffer.from(der);
  // pkijs's parse is the slow half and only revocation checks and key identifiers need it: on first use.
  let pki: pkijs.Certificate | undefined;
  const cert: Cert = {
    der: own,
    sha256,
    x509,
    get pki(): pkijs.Certificate {
      pki ??= pkijs.Certificate.fromBER(toArrayBuffer(own));
      return pki;
    },
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(sha256, cert);
  return cert;
}

/** Forgets parsed certificates (the benchmark's cold runs). */
export function clearCertificateCache(): void {
  cache.clear();
  issuedMemo.clear();
}

const issuerAndSerial = new WeakMap<Cert, { issuer: Buffer; serial: Buffer; subject: Buffer }>();

/** The issuer name, serial number and subject name exactly as encoded in the certificate (CMS signer identifiers, OCSP CertIDs). */
export function issuerAndSerialOf(cert: Cert): { issuer: Buffer; serial: Buffer; subject: Buffer } {
  let parts = issuerAndSerial.get(cert);
  if (!parts) {
    // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, ... }
    const [tbs] = childrenOf(cert.der, readTlv(cert.der, 0));
    const fields = tbs ? childrenOf(cert.der, tbs) : [];
    const at = fields[0]?.tag === 0xa0 ? 1 : 0;
    const serial = fields[at];
    const issuer = fields[at + 2];
    const subject = fields[at + 4];
    if (!serial || !issuer || !subject) throw new Error('the certificate has no issuer, subject or serial number');
    parts = {
      issuer: elementBytes(cert.der, issuer),
      serial: contentBytes(cert.der, serial),
      subject: elementBytes(cert.der, subject),
    };
    issuerAndSerial.set(cert, parts);
  }
  return parts;
}

export function tryCert(der: Buffer): Cert | undefined {
  try {
    return toCert(der);
  } catch {
    return undefined;
  }
}

const attr = (dn: string, key: string): string | null => {
  for (const line of dn.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && line.slice(0, at) === key) return line.slice(at + 1);
  }
  return null;
};

export const commonNameOf = (c: Cert): string => attr(c.x509.subject, 'CN') ?? c.x509.subject.replace(/\n/g, ', ');
export const organisationOf = (c: Cert): string | null => attr(c.x509.subject, 'O');
export const dnText = (dn: string): string => dn.split('\n').join(', ');
export const isSelfIssued = (c: Cert): boolean => c.x509.subject === c.x509.issuer;

/** Whether `issuer` issued `subject`: names match and its key verifies the certificate signature. */
export function issued(issuer: Cert, subject: Cert): boolean {
  const key = `${issuer.sha256}>${subject.sha256}`;
  let answer = issuedMemo.get(key);
  if (answer === undefined) {
    try {
      answer = subject.x509.checkIssued(issuer.x509) && subject.x509.verify(issuer.x509.publicKey);
    } catch {
      answer = false;
    }
    if (issuedMemo.size >= CACHE_LIMIT * 4) issuedMemo.clear();
    issuedMemo.set(key, answer);
  }
  return answer;
}
