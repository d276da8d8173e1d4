import type { Cert } from '../x509/certificate';
import { isSelfIssued, issued } from '../x509/certificate';

/** Trust anchors and the intermediates that complete chains (VGCA CMS often embeds only the leaf). */
export type TrustStore = { anchors: Cert[]; intermediates: Cert[] };

export const withExtraAnchors = (store: TrustStore, extra: Cert[]): TrustStore => ({
  anchors: [...store.anchors, ...extra],
  intermediates: store.intermediates,
});

export const isAnchor = (store: TrustStore, c: Cert): boolean =>
  store.anchors.some(
    (a) => a.sha256 === c.sha256 || (a.x509.subject === c.x509.subject && a.x509.publicKey.equals(c.x509.publicKey)),
  );

/**
 * The path from `leaf` towards a trust anchor as far as it goes, leaf first, using certificates
 * from the CMS, the DSS and the store; a chain when it ends at an anchor (`chainWithAia`). Each
 * link is checked cryptographically.
 */
export function partialChain(leaf: Cert, candidates: Cert[], store: TrustStore): Cert[] {
  const chain = [leaf];
  const pool = [...store.anchors, ...candidates, ...store.intermediates];
  for (let depth = 0; depth < 10; depth += 1) {
    const current = chain[chain.length - 1] as Cert;
    if (isAnchor(store, current) || isSelfIssued(current)) break;
    const next = pool.find((c) => !chain.some((x) => x.sha256 === c.sha256) && issued(c, current));
    if (!next) break;
    chain.push(next);
  }
  return chain;
}
