import { caIssuerUrls, fetchCaIssuers } from '../pades/revocation';
import type { Cert } from '../x509/certificate';
import { isSelfIssued, issued, pemToDers, tryCert } from '../x509/certificate';
import { parseSignedDataParts } from '../x509/cms-structure';
import { isAnchor, partialChain } from './trust-store';
import type { TrustStore } from './trust-store';

// VGCA signers' CMS often carries only the leaf; its AIA caIssuers URL (cp.crt) names the
// sub-CA. Fetched certificates are only candidates: a chain still has to reach a configured
// anchor with every link verified, so AIA adds reach, never trust.

const fetched = new Map<string, { certs: Cert[]; until: number }>();
const MAX_ROUNDS = 4;

/** Certificates in a caIssuers body: DER certificate, PEM bundle, or certs-only PKCS#7 (.p7c). */
export function certificatesIn(body: Buffer): Cert[] {
  if (body.includes('-----BEGIN CERTIFICATE-----'))
    return pemToDers(body.toString('latin1'))
      .map(tryCert)
      .filter((c): c is Cert => !!c);
  const single = tryCert(body);
  if (single) return [single];
  try {
    return parseSignedDataParts(body)
      .certificates.map((c) => tryCert(Buffer.from(c)))
      .filter((c): c is Cert => !!c);
  } catch {
    return [];
  }
}

/** Issuers of `cert` found at its first caIssuers URL that yields any, with that URL. */
async function issuersFromAia(
  cert: Cert,
  timeoutMs: number,
  cacheSeconds: number,
): Promise<{ certs: Cert[]; url: string } | undefined> {
  for (const url of caIssuerUrls(cert)) {
    let entry = fetched.get(url);
    if (!entry || entry.until < Date.now()) {
      let found: Cert[] = [];
      try {
        found = certificatesIn(await fetchCaIssuers(url, timeoutMs));
      } catch {
        found = [];
      }
      // Failures are remembered briefly too: a dead URL must not cost a timeout per document.
      entry = { certs: found, until: Date.now() + (found.length ? cacheSeconds : Math.min(cacheSeconds, 60)) * 1000 };
      if (fetched.size > 1_000) fetched.clear();
      fetched.set(url, entry);
    }
    const certs = entry.certs.filter((c) => issued(c, cert));
    if (certs.length) return { certs, url };
  }
  return undefined;
}

/**
 * The chain from `leaf` to an anchor, fetching missing issuers from AIA caIssuers URLs when
 * `online`; `viaAia` lists what was fetched (for the report).
 */
export async function chainWithAia(
  leaf: Cert,
  candidates: Cert[],
  store: TrustStore,
  online: { timeoutMs: number; cacheSeconds: number } | null,
): Promise<{ chain: Cert[] | undefined; viaAia: { cert: Cert; url: string }[] }> {
  const pool = [...candidates];
  const viaAia: { cert: Cert; url: string }[] = [];
  for (let round = 0; ; round += 1) {
    const path = partialChain(leaf, pool, store);
    const end = path[path.length - 1] as Cert;
    if (isAnchor(store, end)) return { chain: path, viaAia };
    if (!online || round >= MAX_ROUNDS || isSelfIssued(end)) return { chain: undefined, viaAia };
    const found = await issuersFromAia(end, online.timeoutMs, online.cacheSeconds);
    const fresh = found?.certs.filter((c) => !pool.some((p) => p.sha256 === c.sha256)) ?? [];
    if (!found || fresh.length === 0) return { chain: undefined, viaAia };
    pool.push(...fresh);
    viaAia.push(...fresh.map((cert) => ({ cert, url: found.url })));
  }
}

/** Forgets fetched issuers (tests). */
export function clearAiaCache(): void {
  fetched.clear();
}
