import fs from 'node:fs';
import buildGetJwks from 'get-jwks';
import type { IssuerConfig } from '../config';

export type KeyResolver = (issuer: string, header: { kid?: string; alg?: string }) => Promise<string>;

/**
 * Resolves the verification key of a token from its issuer: a configured PEM, or the issuer's
 * JWKS endpoint (fetched and cached by get-jwks, refetched on an unknown kid). Only issuers on
 * the allow-list resolve at all.
 */
export function createKeyResolver(issuers: IssuerConfig[]): KeyResolver {
  const byIssuer = new Map<string, (header: { kid?: string; alg?: string }) => Promise<string>>();
  for (const config of issuers) {
    if (config.jwksUrl) {
      const url = new URL(config.jwksUrl);
      const jwks = buildGetJwks({ jwksPath: url.pathname, max: 50, ttl: 10 * 60 * 1000 });
      byIssuer.set(config.issuer, async (header) =>
        jwks.getPublicKey({ domain: url.origin, kid: header.kid, alg: header.alg }),
      );
    } else {
      const pem = config.publicKeyPem ?? fs.readFileSync(config.publicKeyFile as string, 'utf8');
      byIssuer.set(config.issuer, async () => pem);
    }
  }
  return async (issuer, header) => {
    const resolve = byIssuer.get(issuer);
    if (!resolve) throw new Error(`issuer ${issuer} is not trusted`);
    return resolve(header);
  };
}
