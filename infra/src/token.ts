import fs from 'node:fs';
import { createSigner } from 'fast-jwt';

export type TokenClaims = {
  user: string;
  agency: string;
  roles: string[];
  unit?: string;
  name?: string;
  ttlSeconds?: number;
  issuer: string;
};

/** Signs a development JWT with the local development key (ES256), as an identity provider would. */
export async function signDevToken(privateKeyPath: string, claims: TokenClaims): Promise<string> {
  const sign = createSigner({
    key: fs.readFileSync(privateKeyPath, 'utf8'),
    algorithm: 'ES256',
    iss: claims.issuer,
    sub: claims.user,
    expiresIn: (claims.ttlSeconds ?? 3600) * 1000,
  });
  const payload: Record<string, unknown> = { agency: claims.agency, roles: claims.roles };
  if (claims.unit) payload.unit = claims.unit;
  if (claims.name) payload.name = claims.name;
  return sign(payload);
}
