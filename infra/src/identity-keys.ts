import fs from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { dataPath } from './paths';

export type IdentityKeys = { privateKeyPath: string; publicKeyPath: string };

/**
 * The gateway's ES256 key for identity assertions: the gateway signs with the private half,
 * services verify with the public half, so only the gateway can speak for a caller.
 */
export function ensureIdentityKeys(): IdentityKeys {
  return ensureKeyPair('identity-signer');
}

/**
 * The service identity key: services that call others from event consumers (no user behind
 * the call) sign their own assertions with it; every service trusts its public half.
 */
export function ensureServiceIdentityKeys(): IdentityKeys {
  return ensureKeyPair('service-signer');
}

function ensureKeyPair(name: string): IdentityKeys {
  const privateKeyPath = dataPath('internal', `${name}.key`);
  const publicKeyPath = dataPath('internal', `${name}.pub`);
  if (!fs.existsSync(privateKeyPath) || !fs.existsSync(publicKeyPath)) {
    fs.mkdirSync(dataPath('internal'), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateKeyPath, publicKeyPath };
}
