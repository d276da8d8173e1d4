import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { FastifyInstance } from 'fastify';
import { createLogger, loadConfig } from '@vanthu/platform';
import { buildGateway } from '../src/app';
import { gatewayConfigSchema, parseIssuers } from '../src/config';

// Slow-loris at the gateway: a client that trickles its headers or its body holds a connection only until the
// configured limits, then gets 408 and a closed socket; a normal request on the same gateway is unaffected.
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const identity = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();
const token = createSigner({
  key: pem(es.privateKey, 'pkcs8'),
  algorithm: 'ES256',
  iss: 'https://idp.test/es',
  expiresIn: 600_000,
})({
  sub: 'tt-binh',
  agency: '000.00.00.H99',
  roles: ['clerk'],
});

let upstream: http.Server;
let gateway: FastifyInstance;
let port: number;

beforeAll(async () => {
  // Every service is this stand-in: it reads the whole body, then answers.
  upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const config = loadConfig('gateway', gatewayConfigSchema, {
    PORT: '0',
    DOCUMENTS_URL: url,
    SIGNING_URL: url,
    ROUTING_URL: url,
    REPORTING_URL: url,
    EXCHANGE_URL: url,
    NOTIFICATIONS_URL: url,
    JWT_ISSUERS: JSON.stringify([{ issuer: 'https://idp.test/es', publicKeyPem: pem(es.publicKey, 'spki') }]),
    IDENTITY_PRIVATE_KEY_FILE: '/unused',
    HEADERS_TIMEOUT_MS: '1000',
    REQUEST_TIMEOUT_MS: '2000',
  });
  gateway = await buildGateway({
    config,
    logger: createLogger('gateway-test', 'silent'),
    issuers: parseIssuers(config.JWT_ISSUERS),
    identityPrivateKey: pem(identity.privateKey, 'pkcs8'),
  });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  port = (gateway.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

/** Opens a connection, sends `head`, then one byte of `trickle` every 100 ms; resolves with what came back on close. */
function trickle(head: string, drip: string): Promise<{ answer: string; heldMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed && sent < drip.length) socket.write(drip[sent++] ?? '');
    }, 100);
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ answer, heldMs: Date.now() - started });
    });
    const limit = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error('the gateway kept a slow connection open for 10 s'));
    }, 10_000);
  });
}

test('headers trickled byte by byte are cut off at the headers limit with 408', async () => {
  const { answer, heldMs } = await trickle('GET /v1/documents HTTP/1.1\r\n', 'x-slow: '.padEnd(400, 'a'));
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(heldMs).toBeGreaterThanOrEqual(900);
  expect(heldMs).toBeLessThan(4_000);
});

test('a body trickled byte by byte is cut off at the request limit with 408', async () => {
  const head = [
    'POST /v1/documents HTTP/1.1',
    'host: 127.0.0.1',
    `authorization: Bearer ${token}`,
    'content-type: application/json',
    'content-length: 1000',
    '',
    '',
  ].join('\r\n');
  const { answer, heldMs } = await trickle(head, '{"subject":"'.padEnd(1000, 'a'));
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(heldMs).toBeGreaterThanOrEqual(1_900);
  expect(heldMs).toBeLessThan(5_000);
});

test('a request that arrives in time is served', async () => {
  const response = await fetch(`http://127.0.0.1:${port}/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'Về việc thử nghiệm' }),
  });
  expect(response.status).toBe(200);
});
