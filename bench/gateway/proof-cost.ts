// The CPU one request proof costs (packages/platform/src/request-proof.ts), made as the gateway makes it and checked as
// a service checks it, against an ES256 assertion signed and verified per request (what binding the assertion itself
// to each request would cost). One thread, in-process, no I/O: a per-request figure that machine load skews less
// than a throughput run. Usage: npx tsx bench/gateway/proof-cost.ts [--count 50000]
import os from 'node:os';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  createGatewayProver,
  createIdentitySigner,
  createIdentityVerifier,
  createRequestProofVerifier,
  serviceProofKeysFor,
} from '@vanthu/platform';

const args = process.argv.slice(2);
const count = args.includes('--count') ? Number(args[args.indexOf('--count') + 1]) : 50_000;
const master = randomBytes(32);
const keys = serviceProofKeysFor(master, 'documents', ['documents', 'signing']);
const prove = createGatewayProver(master);
const verify = createRequestProofVerifier('documents', keys.key);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sign = createIdentitySigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const identity = { userId: 'van-thu', agencyCode: '000.00.00.H99', roles: ['clerk', 'specialist'] as never };
const assertion = sign(identity);
const request = { method: 'GET', url: '/v1/documents/8a3e0c43-6f7a-4a43-9d55-0b8f0a4e2f11', assertion };

const perCall = (label: string, n: number, run: (i: number) => void): number => {
  for (let i = 0; i < Math.min(n, 1000); i += 1) run(i);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += 1) run(i);
  const used = process.cpuUsage(start);
  const micros = (used.user + used.system) / n;
  console.log(`${label}: ${micros.toFixed(2)} µs CPU per request (${n} requests)`);
  return micros;
};

const proof = perCall('request proof made and checked', count, (i) => {
  verify(prove('documents', { ...request, requestId: `r${i}` }), { ...request, requestId: `r${i}` });
});
// A fresh ES256 assertion per request, verified without the cache (a new verifier sees each token once anyway).
const verifyIdentity = createIdentityVerifier(publicKey.export({ type: 'spki', format: 'pem' }).toString());
const es256 = perCall('ES256 assertion signed and verified per request', Math.ceil(count / 10), (i) =>
  verifyIdentity(sign(identity, `r${i}`)),
);
console.log(
  JSON.stringify({
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    proofMicros: Math.round(proof * 100) / 100,
    es256Micros: Math.round(es256 * 100) / 100,
  }),
);
