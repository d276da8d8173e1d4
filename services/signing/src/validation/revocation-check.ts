import { createHash, verify as nodeVerify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../pades/cms';
import { fetchCrl, fetchOcsp } from '../pades/revocation';
import type { Cert } from './certificates';
import { digestOfSignatureOid } from './cms-checks';
import { issued, tryCert } from './certificates';
import { childrenOf, elementBytes, readTlv } from '../pades/der-reader';
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

const subjectDer = new WeakMap<Cert, Buffer>();

// OCSP responses recur across documents (the intermediate CA's, and a signer's within its
// validity window): parsed once per content, with the responder certificates taken from their
// own bytes and each responder's signature check remembered. Bounded.
type ParsedOcsp = { basic: pkijs.BasicOCSPResponse; responderCerts: Cert[]; verifiedBy: Map<string, boolean> };
const ocspCache = new Map<string, ParsedOcsp | null>();

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
    const response = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
    if (response.responseStatus.valueBlock.valueDec === 0 && response.responseBytes) {
      const basicDer = Buffer.from(response.responseBytes.response.valueBlock.valueHexView);
      parsed = {
        basic: pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(basicDer)),
        responderCerts: responderCertificates(basicDer),
        verifiedBy: new Map(),
      };
    }
  } catch {
    parsed = null;
  }
  if (ocspCache.size > 5_000) ocspCache.clear();
  ocspCache.set(key, parsed);
  return parsed;
}

// CRLs are shared by every document a CA's subscribers sign: parsed and verified once per content.
const crlCache = new Map<string, { crl: pkijs.CertificateRevocationList | null; verifiedBy: Set<string> }>();
function parseCrl(der: Buffer): { crl: pkijs.CertificateRevocationList | null; verifiedBy: Set<string> } {
  const key = createHash('sha256').update(der).digest('hex');
  let entry = crlCache.get(key);
  if (!entry) {
    let crl: pkijs.CertificateRevocationList | null = null;
    try {
      crl = pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der));
    } catch {
      crl = null;
    }
    entry = { crl, verifiedBy: new Set() };
    if (crlCache.size > 500) crlCache.clear();
    crlCache.set(key, entry);
  }
  return entry;
}

async function ocspAnswer(der: Buffer, cert: Cert, issuer: Cert): Promise<RevocationAnswer | undefined> {
  const parsed = parseOcsp(der);
  if (!parsed) return undefined;
  const { basic } = parsed;
  const serial = Buffer.from(cert.pki.serialNumber.valueBlock.valueHexView);
  let issuerName = subjectDer.get(issuer);
  if (!issuerName) subjectDer.set(issuer, (issuerName = Buffer.from(issuer.pki.subject.toSchema().toBER(false))));
  const nameHashes: Record<string, Buffer> = {};
  const single = basic.tbsResponseData.responses.find((r) => {
    if (!Buffer.from(r.certID.serialNumber.valueBlock.valueHexView).equals(serial)) return false;
    const alg =
      r.certID.hashAlgorithm.algorithmId === '1.3.14.3.2.26'
        ? 'sha1'
        : r.certID.hashAlgorithm.algorithmId === '2.16.840.1.101.3.4.2.1'
          ? 'sha256'
          : undefined;
    if (alg === undefined) return false;
    nameHashes[alg] ??= createHash(alg)
      .update(issuerName as Buffer)
      .digest();
    return (nameHashes[alg] as Buffer).equals(Buffer.from(r.certID.issuerNameHash.valueBlock.valueHexView));
  });
  if (!single) return undefined;
  // The responder is the issuing CA itself or a delegate it certified for OCSP signing (RFC 6960 §4.2.2.2).
  let verified = false;
  for (const responder of [issuer, ...parsed.responderCerts]) {
    const delegated = responder.sha256 !== issuer.sha256;
    if (delegated && (!issued(issuer, responder) || !(responder.x509.keyUsage ?? []).includes(OID_OCSP_SIGNING)))
      continue;
    let ok = parsed.verifiedBy.get(responder.sha256);
    if (ok === undefined) {
      const quick = quickVerify(
        basic.tbsResponseData.tbsView,
        basic.signatureAlgorithm.algorithmId,
        basic.signature.valueBlock.valueHexView,
        responder,
      );
      ok = quick ?? (await basic.verify({ trustedCerts: [responder.pki] }).catch(() => false));
      parsed.verifiedBy.set(responder.sha256, ok);
    }
    if (ok) {
      verified = true;
      break;
    }
  }
  if (!verified) return undefined;
  const tag = single.certStatus.idBlock.tagNumber;
  const producedAt = basic.tbsResponseData.producedAt;
  if (tag === 1) {
    const revokedAt = (single.certStatus as unknown as { valueBlock: { value: { toDate?: () => Date }[] } }).valueBlock
      .value[0];
    return {
      status: 'revoked',
      revokedAt: revokedAt?.toDate ? revokedAt.toDate() : producedAt,
      source: 'embedded-ocsp',
      producedAt,
    };
  }
  return tag === 0
    ? { status: 'good', revokedAt: null, source: 'embedded-ocsp', producedAt }
    : { status: 'unknown', revokedAt: null, source: 'embedded-ocsp', producedAt };
}

async function crlAnswer(der: Buffer, cert: Cert, issuer: Cert): Promise<RevocationAnswer | undefined> {
  const parsed = parseCrl(der);
  const crl = parsed.crl;
  if (!crl || !crl.issuer.isEqual(issuer.pki.subject)) return undefined;
  if (!parsed.verifiedBy.has(issuer.sha256)) {
    const quick = quickVerify(
      crl.tbsView,
      crl.signatureAlgorithm.algorithmId,
      crl.signatureValue.valueBlock.valueHexView,
      issuer,
    );
    if (!(quick ?? (await crl.verify({ issuerCertificate: issuer.pki }).catch(() => false)))) return undefined;
    parsed.verifiedBy.add(issuer.sha256);
  }
  const serial = Buffer.from(cert.pki.serialNumber.valueBlock.valueHexView);
  const entry = crl.revokedCertificates?.find((r) =>
    Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(serial),
  );
  return entry
    ? {
        status: 'revoked',
        revokedAt: entry.revocationDate.value,
        source: 'embedded-crl',
        producedAt: crl.thisUpdate.value,
      }
    : { status: 'good', revokedAt: null, source: 'embedded-crl', producedAt: crl.thisUpdate.value };
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
    const ocsp = await fetchOcsp(cert.pki, issuer.pki, options.timeoutMs);
    if (ocsp) {
      const parsed = await ocspAnswer(ocsp.der, cert, issuer);
      if (parsed && parsed.status !== 'unknown') answer = { ...parsed, source: 'online-ocsp' };
    }
  } catch {
    // fall through to the CRL
  }
  if (!answer) {
    try {
      const crlDer = await fetchCrl(cert.pki, options.timeoutMs);
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
