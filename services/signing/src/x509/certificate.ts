import fs from 'node:fs';
import { X509Certificate, createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import {
  AsnError,
  childrenOf,
  contentBytes,
  elementBytes,
  expectTag,
  oidText,
  readTlv,
  timeValue,
  toArrayBuffer,
} from './der-reader';
import type { Tlv } from './der-reader';

/**
 * The one certificate model of the signing service: its exact bytes, their SHA-256, node:crypto's view (signature
 * and key checks) and, on first use only, pkijs's (the chain engine and OCSP request building need its objects).
 * Names, validity, serial number, extensions and self-issuance are read from the bytes by the functions below,
 * never from either library's objects, so that signing and validation see one text for one certificate.
 */
export type Cert = { der: Buffer; sha256: string; x509: X509Certificate; readonly pki: pkijs.Certificate };

// Validating many documents from the same agencies parses the same few certificates again and
// again; a bounded cache keyed by hash keeps that off the hot path.
const cache = new Map<string, Cert>();
const CACHE_LIMIT = 2_000;
// A certificate's issuer signature verifies once: the same few CA links recur in every document.
const issuedMemo = new Map<string, boolean>();

/** A certificate from its DER (bytes after the certificate are not part of it); throws when it is not one. */
export function toCert(der: Buffer): Cert {
  const own = Buffer.from(der.subarray(0, readTlv(der, 0).end));
  const sha256 = createHash('sha256').update(own).digest('hex');
  const hit = cache.get(sha256);
  if (hit) return hit;
  const x509 = new X509Certificate(own);
  // pkijs's parse is the slow half and only chain building and OCSP requests need it: on first use.
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

export function tryCert(der: Buffer): Cert | undefined {
  try {
    return toCert(der);
  } catch {
    return undefined;
  }
}

/** PEM text (one or more certificates) to DER buffers. */
export function pemToDers(pem: string): Buffer[] {
  const out: Buffer[] = [];
  for (const match of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g))
    out.push(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
  return out;
}

/** The certificates of a PEM file; no file named, none. */
export function loadCertificates(file: string): Cert[] {
  if (!file) return [];
  return pemToDers(fs.readFileSync(file, 'utf8')).map(toCert);
}

type TbsParts = {
  serial: Tlv;
  issuer: Tlv;
  validity: Tlv;
  subject: Tlv;
  spki: Tlv;
  extensions: Map<string, Buffer>;
};
const tbsParts = new WeakMap<Cert, TbsParts>();

// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer, validity, subject,
//   subjectPublicKeyInfo, issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT OPTIONAL,
//   extensions [3] EXPLICIT OPTIONAL } (RFC 5280 §4.1).
function tbsOf(cert: Cert): TbsParts {
  let parts = tbsParts.get(cert);
  if (parts) return parts;
  const der = cert.der;
  const [tbs] = childrenOf(der, readTlv(der, 0));
  const fields = childrenOf(der, expectTag(tbs, 0x30, 'TBSCertificate'));
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const extensions = new Map<string, Buffer>();
  const wrapper = fields.slice(at + 6).find((f) => f.tag === 0xa3);
  if (wrapper) {
    const [list] = childrenOf(der, wrapper);
    for (const extension of childrenOf(der, expectTag(list, 0x30, 'extensions'))) {
      const [id, ...rest] = childrenOf(der, expectTag(extension, 0x30, 'extension'));
      const value = rest[rest.length - 1];
      extensions.set(
        oidText(der, expectTag(id, 0x06, 'extension id')),
        contentBytes(der, expectTag(value, 0x04, 'extension value')),
      );
    }
  }
  parts = {
    serial: expectTag(fields[at], 0x02, 'serial number'),
    issuer: expectTag(fields[at + 2], 0x30, 'issuer'),
    validity: expectTag(fields[at + 3], 0x30, 'validity'),
    subject: expectTag(fields[at + 4], 0x30, 'subject'),
    spki: expectTag(fields[at + 5], 0x30, 'subject public key info'),
    extensions,
  };
  tbsParts.set(cert, parts);
  return parts;
}

/**
 * The issuer name, serial number and subject name exactly as encoded in the certificate (CMS signer identifiers,
 * OCSP CertIDs, chain links): `serial` is the INTEGER's value, `serialDer` the whole INTEGER element.
 */
export function issuerAndSerialOf(cert: Cert): { issuer: Buffer; serial: Buffer; serialDer: Buffer; subject: Buffer } {
  const t = tbsOf(cert);
  return {
    issuer: elementBytes(cert.der, t.issuer),
    serial: contentBytes(cert.der, t.serial),
    serialDer: elementBytes(cert.der, t.serial),
    subject: elementBytes(cert.der, t.subject),
  };
}

/** The serial number in hex, as the certificate registry keeps it (the INTEGER's bytes, sign byte included). */
export const serialHexOf = (cert: Cert): string => issuerAndSerialOf(cert).serial.toString('hex');

/** The SubjectPublicKeyInfo element as encoded (comparing a certificate with the key it certifies). */
export const spkiOf = (cert: Cert): Buffer => elementBytes(cert.der, tbsOf(cert).spki);
export const publicKeyOf = (cert: Cert): KeyObject => cert.x509.publicKey;

/** notBefore and notAfter (RFC 5280 §4.1.2.5). */
export function validityOf(cert: Cert): { notBefore: Date; notAfter: Date } {
  const [from, to] = childrenOf(cert.der, tbsOf(cert).validity);
  if (!from || !to) throw new AsnError('the validity has no notBefore or notAfter');
  return { notBefore: timeValue(cert.der, from), notAfter: timeValue(cert.der, to) };
}

// The attribute names OpenSSL prints (and VGCA's certificates use); any other attribute shows its dotted OID.
const attributeNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/** A directory string's text: UTF8String and the one-byte types as they are, BMPString and UniversalString decoded. */
function stringValue(der: Buffer, t: Tlv): string {
  const bytes = contentBytes(der, t);
  if (t.tag === 0x0c) return bytes.toString('utf8');
  if (t.tag === 0x1e)
    return Buffer.from(bytes.subarray(0, bytes.length & ~1))
      .swap16()
      .toString('utf16le');
  if (t.tag === 0x1c) {
    let out = '';
    for (let i = 0; i + 4 <= bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
    return out;
  }
  return bytes.toString('latin1');
}

export type NameAttribute = { type: string; name: string; value: string };
const nameCache = new WeakMap<Cert, { subject: NameAttribute[]; issuer: NameAttribute[] }>();

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue), in encoded order. */
function nameAttributes(der: Buffer, name: Tlv): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of childrenOf(der, name))
    for (const atv of childrenOf(der, expectTag(rdn, 0x31, 'relative distinguished name'))) {
      const [type, value] = childrenOf(der, expectTag(atv, 0x30, 'attribute'));
      const oid = oidText(der, expectTag(type, 0x06, 'attribute type'));
      if (!value) throw new AsnError('an attribute without a value');
      out.push({ type: oid, name: attributeNames[oid] ?? oid, value: stringValue(der, value) });
    }
  return out;
}

function namesOf(cert: Cert): { subject: NameAttribute[]; issuer: NameAttribute[] } {
  let names = nameCache.get(cert);
  if (!names) {
    const t = tbsOf(cert);
    names = { subject: nameAttributes(cert.der, t.subject), issuer: nameAttributes(cert.der, t.issuer) };
    nameCache.set(cert, names);
  }
  return names;
}

const nameText = (attributes: NameAttribute[]): string => attributes.map((a) => `${a.name}=${a.value}`).join(', ');

/** The subject as one line in encoded order ("C=VN, O=…, CN=…"): what records, reports and events show. */
export const subjectText = (cert: Cert): string => nameText(namesOf(cert).subject);
/** The issuer as one line, written as the subject is. */
export const issuerText = (cert: Cert): string => nameText(namesOf(cert).issuer);
/** The subject's first common name (X.520 2.5.4.3); '' when it has none. */
export const commonNameOf = (cert: Cert): string =>
  namesOf(cert).subject.find((a) => a.type === '2.5.4.3')?.value ?? '';
/** The subject's first organisation (2.5.4.10), or null. */
export const organisationOf = (cert: Cert): string | null =>
  namesOf(cert).subject.find((a) => a.type === '2.5.4.10')?.value ?? null;
/** How messages name a certificate: its common name, or its whole subject when it has none. */
export const displayNameOf = (cert: Cert): string => commonNameOf(cert) || subjectText(cert);

/** Subject and issuer names are the same name (RFC 5280 §3.2: a self-issued certificate, roots among them). */
export function isSelfIssued(cert: Cert): boolean {
  const { issuer, subject } = issuerAndSerialOf(cert);
  return issuer.equals(subject) || cert.x509.subject === cert.x509.issuer;
}

/** The certificate in `pool` whose subject is `cert`'s issuer name. */
export function findIssuer(cert: Cert, pool: Cert[]): Cert | undefined {
  const issuer = issuerAndSerialOf(cert).issuer;
  return pool.find((c) => issuerAndSerialOf(c).subject.equals(issuer));
}

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

/** The value (the OCTET STRING's content) of an extension, or undefined. */
export const extensionOf = (cert: Cert, oid: string): Buffer | undefined => tbsOf(cert).extensions.get(oid);

const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const OID_EXTENDED_KEY_USAGE = '2.5.29.37';
const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CRL_DP = '2.5.29.31';
export const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
export const OID_AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';

/** The subjectKeyIdentifier (RFC 5280 §4.2.1.2), or undefined. */
export function subjectKeyIdentifierOf(cert: Cert): Buffer | undefined {
  const value = extensionOf(cert, OID_SUBJECT_KEY_IDENTIFIER);
  return value ? contentBytes(value, expectTag(readTlv(value, 0), 0x04, 'key identifier')) : undefined;
}

/** The extended key usage purposes (RFC 5280 §4.2.1.12), dotted; none when the extension is absent. */
export function extendedKeyUsageOf(cert: Cert): string[] {
  const value = extensionOf(cert, OID_EXTENDED_KEY_USAGE);
  if (!value) return [];
  return childrenOf(value, expectTag(readTlv(value, 0), 0x30, 'extended key usage')).map((t) => oidText(value, t));
}

// GeneralName uniformResourceIdentifier is [6] IMPLICIT IA5String.
const URI_TAG = 0x86;

/** The URIs of an Authority Information Access access method (RFC 5280 §4.2.2.1): OCSP or caIssuers. */
export function accessUrisOf(cert: Cert, method: string): string[] {
  const value = extensionOf(cert, OID_AIA);
  if (!value) return [];
  const out: string[] = [];
  for (const description of childrenOf(value, expectTag(readTlv(value, 0), 0x30, 'authority information access'))) {
    const [accessMethod, location] = childrenOf(value, expectTag(description, 0x30, 'access description'));
    if (oidText(value, expectTag(accessMethod, 0x06, 'access method')) === method && location?.tag === URI_TAG)
      out.push(contentBytes(value, location).toString('latin1'));
  }
  return out;
}

/** The full-name URIs of the CRL distribution points (RFC 5280 §4.2.1.13). */
export function crlUrisOf(cert: Cert): string[] {
  const value = extensionOf(cert, OID_CRL_DP);
  if (!value) return [];
  const out: string[] = [];
  // DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, … };
  // DistributionPointName ::= CHOICE { fullName [0] IMPLICIT GeneralNames, nameRelativeToCRLIssuer [1] … }.
  for (const point of childrenOf(value, expectTag(readTlv(value, 0), 0x30, 'CRL distribution points'))) {
    const name = childrenOf(value, expectTag(point, 0x30, 'distribution point')).find((t) => t.tag === 0xa0);
    const fullName = name ? childrenOf(value, name).find((t) => t.tag === 0xa0) : undefined;
    if (fullName)
      for (const general of childrenOf(value, fullName))
        if (general.tag === URI_TAG) out.push(contentBytes(value, general).toString('latin1'));
  }
  return out;
}
