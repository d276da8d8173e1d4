import fs from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { serviceProofKeysFor } from '@vanthu/platform';
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

export type RequestProofKeys = { masterKeyPath: string; serviceKeyPaths: Record<string, string> };

/**
 * The request proofs' keys (packages/platform/src/request-proof.ts): the gateway's master secret, made once, and for
 * each service a file with its own key and its keys towards the others, derived from the master (the same every
 * time, so a running stack and a restarted one agree). A service's file holds nothing that lets it prove to another
 * service as anyone but itself.
 */
export function ensureRequestProofKeys(services: readonly string[]): RequestProofKeys {
  const masterKeyPath = dataPath('internal', 'request-proof-master.key');
  if (!fs.existsSync(masterKeyPath)) {
    fs.mkdirSync(dataPath('internal'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(masterKeyPath, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  const master = Buffer.from(fs.readFileSync(masterKeyPath, 'utf8').trim(), 'hex');
  const serviceKeyPaths: Record<string, string> = {};
  for (const service of services) {
    const file = dataPath('internal', `request-proof-${service}.json`);
    const text = JSON.stringify(serviceProofKeysFor(master, service, services));
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text, { mode: 0o600 });
    serviceKeyPaths[service] = file;
  }
  return { masterKeyPath, serviceKeyPaths };
}
