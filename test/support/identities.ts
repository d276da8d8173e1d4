import { generateKeyPairSync } from 'node:crypto';
import { createIdentitySigner } from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';

export type IdentityKit = { publicKeyPem: string; assertionFor: (identity: Identity) => string };

/** An ephemeral gateway identity key pair, for testing a service without a gateway in front of it. */
export function createIdentityKit(): IdentityKit {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sign = createIdentitySigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    assertionFor: (identity) => sign(identity, 'test-request'),
  };
}

export const clerkOf = (agencyCode: string, userId = 'van-thu-1'): Identity => ({
  userId,
  agencyCode,
  roles: ['clerk', 'specialist'],
});
export const agencyA = '000.00.00.H99';
export const agencyB = '000.00.31.H99';
