import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { FastifyInstance } from 'fastify';
import { createLogger, loadConfig } from '@vanthu/platform';
import { buildGateway } from '../src/app';
import { gatewayConfigSchema, parseIssuers } from '../src/config';

// Two replicas of documents behind one gateway: requests are spread over both; one that stops answering is taken
// out within the probe interval so that requests keep succeeding on the other; it is put back when it answers again.
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const identity = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();
const token = createSigner({
  key: pem(es.privateKey, 'pkcs8'),
  algorithm: 'ES256',
  iss: 'https://idp.test/es',
  expiresIn: 600_000,
})({ sub: 'tt-binh', agency: '000.00.00.H99', roles: ['clerk'] });

const replica = (name: string) =>
  http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url === '/health/live' ? '{"status":"ok"}' : JSON.stringify({ replica: name }));
  });
const listen = (server: http.Server, port = 0) =>
  new Promise<number>((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
const stop = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let a: http.Server;
let b: http.Server;
let other: http.Server;
let bPort: number;
let gateway: FastifyInstance;

beforeAll(async () => {
  a = replica('a');
  b = replica('b');
  other = replica('other');
  const [aPort, otherPort] = [await listen(a), await listen(other)];
  bPort = await listen(b);
  const single = `http://127.0.0.1:${otherPort}`;
  const config = loadConfig('gateway', gatewayConfigSchema, {
    PORT: '0',
    DOCUMENTS_URL: `http://127.0.0.1:${aPort},http://127.0.0.1:${bPort}`,
    SIGNING_URL: single,
    ROUTING_URL: single,
    REPORTING_URL: single,
    EXCHANGE_URL: single,
    NOTIFICATIONS_URL: single,
    JWT_ISSUERS: JSON.stringify([{ issuer: 'https://idp.test/es', publicKeyPem: pem(es.publicKey, 'spki') }]),
    IDENTITY_PRIVATE_KEY_FILE: '/unused',
  });
  gateway = await buildGateway({
    config,
    logger: createLogger('gateway-test', 'silent'),
    issuers: parseIssuers(config.JWT_ISSUERS),
    identityPrivateKey: pem(identity.privateKey, 'pkcs8'),
  });
  await gateway.ready();
});
afterAll(async () => {
  await gateway?.close();
  for (const server of [a, b, other]) if (server?.listening) await stop(server);
});

/** Which replica answered each of `n` reads, in order (a failed read is its status). */
async function readMany(n: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const response = await gateway.inject({
      method: 'GET',
      url: `/v1/documents/${i}`,
      headers: { authorization: `Bearer ${token}` },
    });
    answers.push(
      response.statusCode === 200 ? (response.json() as { replica: string }).replica : String(response.statusCode),
    );
  }
  return answers;
}

test('requests are balanced over both replicas', async () => {
  const answers = await readMany(40);
  expect(new Set(answers)).toEqual(new Set(['a', 'b']));
});

test('a replica that stops answering is taken out and the other serves everything; it is put back when it returns', async () => {
  await stop(b);
  await sleep(2_500);
  expect(new Set(await readMany(40))).toEqual(new Set(['a']));

  b = replica('b');
  await listen(b, bPort);
  await sleep(2_500);
  expect(new Set(await readMany(40))).toEqual(new Set(['a', 'b']));
});

test('the aggregated health counts a service up while one of its replicas answers', async () => {
  await stop(a);
  await sleep(2_500);
  const health = await gateway.inject({ method: 'GET', url: '/health' });
  expect((health.json() as { services: Record<string, { status: string }> }).services.documents?.status).toBe('up');
  expect(new Set(await readMany(10))).toEqual(new Set(['b']));
});
