import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import {
  createIdentityVerifier,
  createLogger,
  createRequestProofVerifier,
  serviceProofKeysFor,
} from '@vanthu/platform';
import { buildGateway } from '../src/app';
import { gatewayConfigSchema, parseIssuers } from '../src/config';
import { loadConfig } from '@vanthu/platform';

type Seen = { service: string; url: string; headers: http.IncomingHttpHeaders; bodyBytes: number };

// Stand-ins for the four services: they record what the gateway forwards, so the test can
// check what a service would receive. Their health and OpenAPI answers are configurable.
function upstream(
  service: string,
  seen: Seen[],
  state: { healthy: boolean; schemas: Record<string, unknown> },
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/openapi.json') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          openapi: '3.1.0',
          paths: {
            [`/v1/${service}-things`]: {
              get: {
                responses: {
                  '200': {
                    description: 'ok',
                    content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
                  },
                },
              },
            },
          },
          components: { schemas: state.schemas },
        }),
      );
      return;
    }
    if (req.url === '/health/ready') {
      res.statusCode = state.healthy ? 200 : 503;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: state.healthy ? 'ok' : 'unavailable',
          checks: { postgres: { status: 'up' }, kafka: { status: state.healthy ? 'up' : 'down' } },
        }),
      );
      return;
    }
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      seen.push({ service, url: req.url ?? '', headers: req.headers, bodyBytes });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ service }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();
const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const intruder = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const gatewayIdentity = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const claims = { agency: '000.00.00.H99', roles: ['clerk'], unit: 'VP', name: 'Trần Thị Bình' };

const esToken = (extra: Record<string, unknown> = {}, key = pem(es.privateKey, 'pkcs8'), iss = 'https://idp.test/es') =>
  createSigner({ key, algorithm: 'ES256', iss, expiresIn: 600_000 })({ sub: 'tt-binh', ...claims, ...extra });

const seen: Seen[] = [];
const states = {
  documents: {
    healthy: true,
    schemas: { Thing: { type: 'object', title: 'documents thing' }, Problem: { type: 'object' } },
  },
  signing: { healthy: true, schemas: { Thing: { type: 'string' }, Problem: { type: 'object' } } },
  routing: { healthy: true, schemas: {} },
  reporting: { healthy: true, schemas: {} },
  exchange: { healthy: true, schemas: {} },
  notifications: { healthy: true, schemas: {} },
};
const servers: http.Server[] = [];
let jwksServer: http.Server;
let gateway: FastifyInstance;

async function startGateway(
  overrides: Record<string, string> = {},
  requestProofMaster?: Buffer,
): Promise<FastifyInstance> {
  const port = (s: http.Server) => (s.address() as AddressInfo).port;
  const [documents, signing, routing, reporting, exchange, notifications] = servers as [
    http.Server,
    http.Server,
    http.Server,
    http.Server,
    http.Server,
    http.Server,
  ];
  const jwk = { ...(rsa.publicKey.export({ format: 'jwk' }) as object), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
  if (!jwksServer) {
    jwksServer = http.createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', () => resolve()));
  }
  const issuers = JSON.stringify([
    { issuer: 'https://idp.test/es', publicKeyPem: pem(es.publicKey, 'spki') },
    { issuer: 'https://idp.test/rsa', jwksUrl: `http://127.0.0.1:${port(jwksServer)}/realms/vn/certs` },
  ]);
  const config = loadConfig('gateway', gatewayConfigSchema, {
    PORT: '0',
    DOCUMENTS_URL: `http://127.0.0.1:${port(documents)}`,
    SIGNING_URL: `http://127.0.0.1:${port(signing)}`,
    ROUTING_URL: `http://127.0.0.1:${port(routing)}`,
    REPORTING_URL: `http://127.0.0.1:${port(reporting)}`,
    EXCHANGE_URL: `http://127.0.0.1:${port(exchange)}`,
    NOTIFICATIONS_URL: `http://127.0.0.1:${port(notifications)}`,
    JWT_ISSUERS: issuers,
    IDENTITY_PRIVATE_KEY_FILE: '/unused',
    MAX_UPLOAD_BYTES: '4096',
    ...overrides,
  });
  const app = await buildGateway({
    config,
    logger: createLogger('gateway-test', 'silent'),
    issuers: parseIssuers(config.JWT_ISSUERS),
    identityPrivateKey: pem(gatewayIdentity.privateKey, 'pkcs8'),
    ...(requestProofMaster ? { requestProofMaster } : {}),
  });
  await app.ready();
  return app;
}

beforeAll(async () => {
  for (const [service, state] of Object.entries(states)) servers.push(await upstream(service, seen, state));
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway.close();
  for (const server of [...servers, jwksServer]) server.close();
});
beforeEach(() => {
  seen.length = 0;
});

const get = (url: string, headers: Record<string, string> = {}) => gateway.inject({ method: 'GET', url, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('authentication at the gateway', () => {
  it('forwards a verified caller as a gateway-signed identity, never the raw token', async () => {
    const response = await get('/v1/documents/abc', { ...bearer(esToken()), 'x-request-id': 'client-req-000001' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('client-req-000001');
    const forwarded = seen[0] as Seen;
    expect(forwarded.service).toBe('documents');
    expect(forwarded.url).toBe('/v1/documents/abc');
    expect(forwarded.headers.authorization).toBeUndefined();
    expect(forwarded.headers['x-request-id']).toBe('client-req-000001');
    const identity = createIdentityVerifier(pem(gatewayIdentity.publicKey, 'spki'))(
      forwarded.headers['x-vanthu-identity'] as string,
    );
    expect(identity).toEqual({
      userId: 'tt-binh',
      agencyCode: '000.00.00.H99',
      unitCode: 'VP',
      name: 'Trần Thị Bình',
      roles: ['clerk'],
    });
  });

  it('adds to each forwarded request a proof made for it, for the service it goes to, and drops a caller-sent one', async () => {
    const master = randomBytes(32);
    const proving = await startGateway({}, master);
    try {
      const url = '/v1/documents/abc/registration?x=1';
      const headers = {
        ...bearer(esToken()),
        'x-request-id': 'client-req-000002',
        'idempotency-key': 'k-1',
        'x-vanthu-proof': 'v1.gateway.0.x.forged',
        'content-type': 'application/json',
      };
      expect((await proving.inject({ method: 'POST', url, headers, payload: '{}' })).statusCode).toBe(200);
      const forwarded = seen[0] as Seen;
      const proof = forwarded.headers['x-vanthu-proof'];
      expect(proof).not.toBe('v1.gateway.0.x.forged');
      const keys = serviceProofKeysFor(master, 'documents', ['documents', 'signing']);
      const request = {
        method: 'POST',
        url,
        requestId: 'client-req-000002',
        idempotencyKey: 'k-1',
        assertion: forwarded.headers['x-vanthu-identity'] as string,
      };
      expect(createRequestProofVerifier('documents', keys.key)(proof, request)).toBe('gateway');
      // Not good at another service, nor for another URL.
      const signing = serviceProofKeysFor(master, 'signing', ['documents', 'signing']);
      expect(() => createRequestProofVerifier('signing', signing.key)(proof, request)).toThrow(/does not match/);
      expect(() =>
        createRequestProofVerifier('documents', keys.key)(proof, { ...request, url: '/v1/documents/abc' }),
      ).toThrow(/does not match/);
      // Without a master secret the gateway sends none (the default gateway of this file).
      seen.length = 0;
      await get('/v1/documents/abc', bearer(esToken()));
      expect((seen[0] as Seen).headers['x-vanthu-proof']).toBeUndefined();
    } finally {
      await proving.close();
    }
  });

  it('verifies RS256 tokens against the issuer’s JWKS', async () => {
    const token = createSigner({
      key: pem(rsa.privateKey, 'pkcs8'),
      algorithm: 'RS256',
      iss: 'https://idp.test/rsa',
      sub: 'u2',
      kid: 'rsa-1',
      expiresIn: 60_000,
    })(claims);
    expect((await get('/v1/reports/compliance?month=2026-11', bearer(token))).statusCode).toBe(200);
    expect(seen[0]?.service).toBe('reporting');
  });

  it.each([
    ['no Authorization header', {}],
    ['a non-bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    [
      'an expired token',
      bearer(esToken({ exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 720 })),
    ],
    // Not valid before two minutes from now: beyond the 30 s tolerance for the issuer's clock.
    ['a token not valid yet (nbf in the future)', bearer(esToken({ nbf: Math.floor(Date.now() / 1000) + 120 }))],
    // Just past the tolerance on either side (the tolerance itself is shown accepted below). The signer derives exp
    // from iat (+600 s): issued 631 s ago, it expired 31 s ago.
    ['a token expired 31 s ago', bearer(esToken({ iat: Math.floor(Date.now() / 1000) - 631 }))],
    ['a token not valid for 45 s more', bearer(esToken({ nbf: Math.floor(Date.now() / 1000) + 45 }))],
    [
      'a token without an expiry (exp)',
      bearer(
        createSigner({ key: pem(es.privateKey, 'pkcs8'), algorithm: 'ES256', iss: 'https://idp.test/es' })(claims),
      ),
    ],
    ['a token signed by another key', bearer(esToken({}, pem(intruder.privateKey, 'pkcs8')))],
    ['an issuer not on the allow-list', bearer(esToken({}, pem(es.privateKey, 'pkcs8'), 'https://evil.test'))],
    [
      'an unsigned (alg none) token',
      bearer(
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: 'x', iss: 'https://idp.test/es', exp: 9999999999 })).toString('base64url')}.`,
      ),
    ],
    [
      'an HS256 token keyed with the public key',
      bearer(
        createSigner({ key: pem(es.publicKey, 'spki'), algorithm: 'HS256', iss: 'https://idp.test/es', sub: 'x' })(
          claims,
        ),
      ),
    ],
    ['a token without an agency code', bearer(esToken({ agency: undefined }))],
    ['garbage', bearer('not.a.jwt')],
  ])('refuses %s with 401 problem+json and never reaches a service', async (_label, headers) => {
    const response = await get('/v1/documents/abc', headers as Record<string, string>);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.json().code).toBe('UNAUTHENTICATED');
    expect(seen).toHaveLength(0);
  });

  it("accepts a token within the 30 s tolerance for the issuer's clock, on exp and on nbf", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await get('/v1/documents/abc', bearer(esToken({ iat: now - 610 })))).statusCode).toBe(200);
    expect((await get('/v1/documents/abc', bearer(esToken({ nbf: now + 10 })))).statusCode).toBe(200);
  });

  it('holds each issuer to its own audience', async () => {
    const issuers = JSON.stringify([
      { issuer: 'https://idp.test/es', publicKeyPem: pem(es.publicKey, 'spki'), audience: 'vanthu-api' },
      { issuer: 'https://idp.test/other', publicKeyPem: pem(rsa.publicKey, 'spki'), audience: 'other-api' },
    ]);
    const strict = await startGateway({ JWT_ISSUERS: issuers });
    try {
      const call = async (token: string) =>
        (await strict.inject({ method: 'GET', url: '/v1/tasks', headers: bearer(token) })).statusCode;
      expect(await call(esToken({ aud: 'vanthu-api' }))).toBe(200);
      expect(await call(esToken())).toBe(401);
      // Another trusted issuer's audience does not open this issuer's door.
      expect(await call(esToken({ aud: 'other-api' }))).toBe(401);
      // A token for several audiences passes when ours is one of them, and not otherwise.
      expect(await call(esToken({ aud: ['other-api', 'vanthu-api'] }))).toBe(200);
      expect(await call(esToken({ aud: ['other-api', 'vanthu-api-2'] }))).toBe(401);
      // The other issuer's token for our audience is still held to its own issuer's (other-api).
      const rsaToken = (aud: string) =>
        createSigner({
          key: pem(rsa.privateKey, 'pkcs8'),
          algorithm: 'RS256',
          iss: 'https://idp.test/other',
          sub: 'u3',
          expiresIn: 60_000,
        })({
          ...claims,
          aud,
        });
      expect(await call(rsaToken('vanthu-api'))).toBe(401);
      expect(await call(rsaToken('other-api'))).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('verifies a token once a minute at most, never past its expiry, and signs one assertion per token for a minute', async () => {
    const token = esToken({ sub: 'repeat-caller' });
    await get('/v1/documents/a', bearer(token));
    await get('/v1/documents/b', bearer(token));
    await get('/v1/documents/c', bearer(esToken({ sub: 'another-caller' })));
    const assertions = seen.map((s) => s.headers['x-vanthu-identity']);
    expect(assertions[0]).toBe(assertions[1]);
    expect(assertions[2]).not.toBe(assertions[0]);
    const verify = createIdentityVerifier(pem(gatewayIdentity.publicKey, 'spki'));
    expect(verify(assertions[2] as string).userId).toBe('another-caller');
    // The reused assertion does not let a token outlive its expiry: the token itself is checked every time.
    // The signer derives exp from iat (+600 s): this token expires a second from now.
    const expiring = esToken({ sub: 'short-lived', iat: Math.floor(Date.now() / 1000) - 599 });
    expect((await get('/v1/documents/d', bearer(expiring))).statusCode).toBe(200);
    // Only the clock moves (past the expiry and the 30 s tolerance); timers and I/O stay real.
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
      now: Date.now() + 40_000,
    });
    try {
      expect((await get('/v1/documents/e', bearer(expiring))).statusCode).toBe(401);
    } finally {
      jest.useRealTimers();
    }
  });

  it('replaces an identity header the caller tried to send', async () => {
    await get('/v1/documents/abc', { ...bearer(esToken()), 'x-vanthu-identity': 'forged' });
    expect(seen[0]?.headers['x-vanthu-identity']).not.toBe('forged');
  });

  it('replaces a malformed request id with its own', async () => {
    const response = await get('/v1/documents/abc', { ...bearer(esToken()), 'x-request-id': 'bad id with spaces' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]?.headers['x-request-id']).toBe(response.headers['x-request-id']);
  });
});

describe('routing to services', () => {
  it.each([
    ['/v1/documents/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', 'documents'],
    ['/v1/documents/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f/content?version=2', 'documents'],
    ['/v1/documents/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f/signatures', 'signing'],
    ['/v1/documents/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f/validation', 'signing'],
    ['/v1/signing-sessions/s1', 'signing'],
    ['/v1/reports/compliance?month=2026-11', 'reporting'],
    ['/v1/exchanges/validations', 'exchange'],
    ['/v1/hub/000.00.00.H99/edocs', 'exchange'],
    ['/v1/webhooks/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f/deliveries', 'notifications'],
    ['/v1/tasks', 'routing'],
  ])('%s goes to %s with its path intact', async (url, service) => {
    expect((await get(url, bearer(esToken()))).statusCode).toBe(200);
    expect(seen[0]).toMatchObject({ service, url });
  });

  it('answers 404 problem+json for an unknown path without calling a service', async () => {
    const response = await get('/v1/unknown', bearer(esToken()));
    expect(response.statusCode).toBe(404);
    expect(seen).toHaveLength(0);
  });
});

describe('limits', () => {
  it('refuses an announced oversized upload with 413 before reading it', async () => {
    const response = await gateway.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...bearer(esToken()), 'content-type': 'application/octet-stream', 'content-length': '5000' },
      payload: Buffer.alloc(5000),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(seen).toHaveLength(0);
  });

  it('streams bodies without a Content-Length through, and stops one that grows past the limit with 413', async () => {
    await gateway.listen({ port: 0, host: '127.0.0.1' });
    const { port } = gateway.server.address() as AddressInfo;
    const send = (size: number) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/documents',
            headers: {
              ...bearer(esToken()),
              'content-type': 'application/octet-stream',
              'transfer-encoding': 'chunked',
            },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
        for (let sent = 0; sent < size; sent += 1000) request.write(Buffer.alloc(Math.min(1000, size - sent), 0x41));
        request.end();
      });
    const small = await send(3000);
    expect(small.status).toBe(200);
    expect(seen.at(-1)?.bodyBytes).toBe(3000);
    const big = await send(20_000);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).code).toBe('PAYLOAD_TOO_LARGE');
    expect(seen.filter((s) => s.bodyBytes > 4096)).toHaveLength(0);
  });

  it('rate-limits each caller with 429 and Retry-After', async () => {
    const limited = await startGateway({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const token = esToken({ sub: 'busy-user' });
      const codes = [];
      for (let i = 0; i < 4; i += 1)
        codes.push((await limited.inject({ method: 'GET', url: '/v1/tasks', headers: bearer(token) })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const refused = await limited.inject({ method: 'GET', url: '/v1/tasks', headers: bearer(token) });
      expect(refused.json().code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Another caller has its own budget.
      expect(
        (await limited.inject({ method: 'GET', url: '/v1/tasks', headers: bearer(esToken({ sub: 'other-user' })) }))
          .statusCode,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('when a service is down', () => {
  it('answers 503 problem+json with Retry-After', async () => {
    const down = await startGateway({ ROUTING_URL: 'http://127.0.0.1:9' });
    try {
      const response = await down.inject({ method: 'GET', url: '/v1/tasks', headers: bearer(esToken()) });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(response.headers['retry-after']).toBe('5');
    } finally {
      await down.close();
    }
  });

  it('reports it in /health', async () => {
    states.signing.healthy = false;
    try {
      const response = await get('/health');
      expect(response.statusCode).toBe(503);
      const health = response.json();
      expect(health.status).toBe('degraded');
      expect(health.services.signing.status).toBe('down');
      expect(health.services.documents.status).toBe('up');
      expect(health.components.kafka).toEqual({
        status: 'down',
        reportedBy: expect.arrayContaining(['documents', 'signing']),
      });
    } finally {
      states.signing.healthy = true;
    }
    expect((await get('/health')).statusCode).toBe(200);
  });
});

describe('published documents', () => {
  it('composes one OpenAPI 3.1 document, qualifying conflicting component names', async () => {
    const response = await get('/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/v1/documents-things', '/v1/signing-things']),
    );
    expect(document.components.schemas.Thing).toEqual({ type: 'object', title: 'documents thing' });
    expect(document.components.schemas['signing.Thing']).toEqual({ type: 'string' });
    expect(document.paths['/v1/signing-things'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/signing.Thing',
    );
    expect(document.components.schemas.Problem).toEqual({ type: 'object' });
  });

  it('serves the documents with a strong ETag (304 when unchanged) and gzip to clients that accept it', async () => {
    for (const url of ['/openapi.json', '/asyncapi.json']) {
      const first = await get(url);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      const again = await get(url, { 'if-none-match': `W/"other", ${etag}` });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect((await get(url, { 'if-none-match': '"stale"' })).statusCode).toBe(200);
      const zipped = await get(url, { 'accept-encoding': 'br, gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(first.json());
    }
  });

  it('serves the AsyncAPI document and the docs page without a token', async () => {
    expect((await get('/asyncapi.json')).json().asyncapi).toBe('3.0.0');
    const docs = await get('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    expect((await get('/docs/json')).json().openapi).toBe('3.1.0');
  });

  it('serves the reference page (Scalar) without a token, reading the live document, with no script from elsewhere', async () => {
    const page = await get('/reference/');
    expect((await get('/reference')).statusCode).toBe(301);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/openapi.json');
    const sources = [...page.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] as string);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      // Relative to the page, on the gateway itself: an absolute URL would load code from elsewhere.
      expect(source).not.toMatch(/^[a-z]+:|^\/\//);
      const script = await get(new URL(source, 'http://gateway/reference/').pathname);
      expect(script.statusCode).toBe(200);
      expect(script.headers['content-type']).toMatch(/javascript/);
      expect(script.body.length).toBeGreaterThan(100_000);
    }
    expect(page.body).not.toMatch(/https?:\/\/(cdn\.|fonts\.)/);
  });
});
