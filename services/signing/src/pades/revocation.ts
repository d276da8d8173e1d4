import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../x509/der-reader';
import type { Cert } from '../x509/certificate';
import {
  accessUrisOf,
  crlUrisOf,
  findIssuer,
  isSelfIssued,
  issuerAndSerialOf,
  OID_AD_CA_ISSUERS,
  OID_AD_OCSP,
  subjectText,
} from '../x509/certificate';

export class RevocationUnavailableError extends Error {}
/** The certificate itself is revoked (OCSP or CRL said so): a fact, not an outage. */
export class CertificateRevokedError extends RevocationUnavailableError {
  readonly revokedAt: Date | undefined;
  constructor(revokedAt?: Date) {
    super('the certificate is revoked');
    this.revokedAt = revokedAt;
  }
}

export type RevocationMaterial = { certificates: Buffer[]; ocsps: Buffer[]; crls: Buffer[] };
export type CertificateStatus = { status: 'good' | 'revoked' | 'unknown'; source: 'ocsp' | 'crl'; revokedAt?: Date };

// Revocation data and CA certificates come from URLs inside certificates an attacker may have
// made: the body is read with a byte cap, never whole into memory.
const MAX_FETCH_BYTES = 10 * 1024 * 1024;

async function fetchBytes(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  maxBytes = MAX_FETCH_BYTES,
): Promise<Buffer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes)
    throw new Error(`${url} sent more than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) throw new Error(`${url} sent more than ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
  }
  return Buffer.concat(chunks);
}

/** The caIssuers URLs of a certificate's Authority Information Access (RFC 5280 §4.2.2.1), HTTP(S) only. */
export const caIssuerUrls = (certificate: Cert): string[] =>
  accessUrisOf(certificate, OID_AD_CA_ISSUERS).filter((u) => /^https?:\/\//i.test(u));

/** The body at a caIssuers URL: a DER certificate, a PEM or a certs-only PKCS#7 (at most 1 MB). */
export const fetchCaIssuers = (url: string, timeoutMs: number): Promise<Buffer> =>
  fetchBytes(url, { method: 'GET' }, timeoutMs, 1024 * 1024);

/** An OCSP response (DER OCSPResponse) for `certificate`, checked to be about it and signed by a key of its issuer's choosing. */
/** RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, … } under the [1] tag of CertStatus (RFC 6960). */
function revocationTimeOf(certStatus: unknown): { revokedAt?: Date } {
  const first = (certStatus as { valueBlock?: { value?: unknown[] } }).valueBlock?.value?.[0];
  return first instanceof asn1js.GeneralizedTime ? { revokedAt: first.toDate() } : {};
}

export async function fetchOcsp(
  certificate: Cert,
  issuer: Cert,
  timeoutMs: number,
): Promise<{ der: Buffer; status: CertificateStatus } | undefined> {
  const url = accessUrisOf(certificate, OID_AD_OCSP)[0];
  if (!url) return undefined;
  // pkijs builds the request and checks the response signature: the one place signing holds its objects.
  const request = new pkijs.OCSPRequest();
  await request.createForCertificate(certificate.pki, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer.pki });
  const der = await fetchBytes(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: Buffer.from(request.toSchema(true).toBER(false)),
    },
    timeoutMs,
  );
  const response = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
  if (response.responseStatus.valueBlock.valueDec !== 0 || !response.responseBytes)
    throw new Error('the OCSP responder refused the request');
  const basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView.slice().buffer);
  const verified = await basic.verify({ trustedCerts: [issuer.pki] }).catch(() => false);
  if (!verified) {
    // Delegated responders sign with their own certificate issued by the CA; pkijs verifies
    // that chain when the responder certificate is in the response and the CA is trusted.
    throw new Error('the OCSP response signature does not verify');
  }
  const single = basic.tbsResponseData.responses[0];
  if (!single) throw new Error('empty OCSP response');
  if (!Buffer.from(single.certID.serialNumber.valueBlock.valueHexView).equals(issuerAndSerialOf(certificate).serial))
    throw new Error('the OCSP response is about another certificate');
  const tag = single.certStatus.idBlock.tagNumber;
  const status: CertificateStatus =
    tag === 0
      ? { status: 'good', source: 'ocsp' }
      : tag === 1
        ? { status: 'revoked', source: 'ocsp', ...revocationTimeOf(single.certStatus) }
        : { status: 'unknown', source: 'ocsp' };
  return { der, status };
}

export async function fetchCrl(certificate: Cert, timeoutMs: number): Promise<Buffer | undefined> {
  const url = crlUrisOf(certificate)[0];
  if (!url) return undefined;
  const der = await fetchBytes(url, { method: 'GET' }, timeoutMs);
  pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der));
  return der;
}

/** Whether `certificate` appears on a CRL (DER). */
export function revokedOnCrl(crlDer: Buffer, certificate: Cert): Date | undefined {
  const crl = pkijs.CertificateRevocationList.fromBER(toArrayBuffer(crlDer));
  const serial = issuerAndSerialOf(certificate).serial;
  const entry = crl.revokedCertificates?.find((r) =>
    Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(serial),
  );
  return entry ? entry.revocationDate.value : undefined;
}

/**
 * Certificates, OCSP responses and CRLs that let a verifier check `chain` long after signing
 * (PAdES B-LT). Every non-root certificate needs at least one revocation proof; missing proof
 * is an error, so a document never claims B-LT without the material.
 */
export async function collectRevocation(chain: Cert[], pool: Cert[], timeoutMs = 5000): Promise<RevocationMaterial> {
  const material: RevocationMaterial = { certificates: [], ocsps: [], crls: [] };
  const seen = new Set<string>();
  const add = (list: Buffer[], der: Buffer): void => {
    const key = createHash('sha256').update(der).digest('hex');
    if (seen.has(key)) return;
    seen.add(key);
    list.push(der);
  };
  for (const certificate of [...chain, ...pool]) add(material.certificates, certificate.der);
  for (const certificate of chain) {
    if (isSelfIssued(certificate)) continue;
    const issuer = findIssuer(certificate, [...chain, ...pool]);
    if (!issuer) throw new RevocationUnavailableError(`the issuer of ${subjectText(certificate)} is not known`);
    let proven = false;
    const failures: string[] = [];
    try {
      const ocsp = await fetchOcsp(certificate, issuer, timeoutMs);
      if (ocsp) {
        if (ocsp.status.status === 'revoked') throw new CertificateRevokedError(ocsp.status.revokedAt);
        add(material.ocsps, ocsp.der);
        proven = ocsp.status.status === 'good';
      }
    } catch (error) {
      if (error instanceof RevocationUnavailableError) throw error;
      failures.push(`OCSP: ${(error as Error).message}`);
    }
    try {
      const crl = await fetchCrl(certificate, timeoutMs);
      if (crl) {
        const revokedAt = revokedOnCrl(crl, certificate);
        if (revokedAt) throw new CertificateRevokedError(revokedAt);
        add(material.crls, crl);
        proven = true;
      }
    } catch (error) {
      if (error instanceof RevocationUnavailableError) throw error;
      failures.push(`CRL: ${(error as Error).message}`);
    }
    if (!proven)
      throw new RevocationUnavailableError(
        `no revocation information could be fetched (${failures.join('; ') || 'no OCSP or CRL address'})`,
      );
  }
  return material;
}
