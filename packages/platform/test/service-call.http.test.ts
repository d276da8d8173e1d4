import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, ServiceClient } from '../src';

// The one service-to-service call against a real HTTP server: what travels with the call, and what each kind of
// answer becomes for the caller.

type Seen = { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string };

let server: http.Server;
let baseUrl: string;
let seen: Seen;
let answer: { status: number; body?: string; headers?: Record<string, string> };

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      seen = { method: request.method, url: request.url, headers: request.headers, body };
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = () => new ServiceClient('documents', baseUrl, 5_000);
const credentials = { identity: 'assertion-token', requestId: 'req-1' };

async function failure(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the call did not fail');
}

it('carries the identity assertion, request id, idempotency key and JSON body, and returns the answer', async () => {
  answer = { status: 201, body: JSON.stringify({ id: 'd1' }) };
  const body = await client().postJson<{ id: string }>('/v1/things', {
    credentials,
    json: { subject: 'Về việc' },
    idempotencyKey: 'key-1',
  });
  expect(body).toEqual({ id: 'd1' });
  expect(seen.method).toBe('POST');
  expect(seen.url).toBe('/v1/things');
  expect(seen.headers['x-vanthu-identity']).toBe('assertion-token');
  expect(seen.headers['x-request-id']).toBe('req-1');
  expect(seen.headers['idempotency-key']).toBe('key-1');
  expect(seen.headers['content-type']).toBe('application/json');
  expect(JSON.parse(seen.body)).toEqual({ subject: 'Về việc' });
});

it('sends a GET without a body or a request id when none is given', async () => {
  answer = { status: 200, body: '{"ok":true}' };
  await client().getJson('/v1/things/1', { identity: 'service-assertion' });
  expect(seen.method).toBe('GET');
  expect(seen.headers['x-request-id']).toBeUndefined();
  expect(seen.headers['idempotency-key']).toBeUndefined();
  expect(seen.body).toBe('');
});

it.each([
  [400, 'VALIDATION_FAILED'],
  [401, 'UNAUTHENTICATED'],
  [403, 'FORBIDDEN'],
  [404, 'NOT_FOUND'],
  [409, 'CONFLICT'],
  [422, 'UNPROCESSABLE'],
  [413, 'UNPROCESSABLE'],
] as const)('passes a %i refusal on as %s with the service name and its detail', async (status, code) => {
  answer = { status, body: JSON.stringify({ title: 'Refused', detail: 'văn bản không thuộc cơ quan' }) };
  const error = await failure(client().getJson('/v1/things/1', credentials));
  expect(error.code).toBe(code);
  expect(error.message).toBe('documents: văn bản không thuộc cơ quan');
});

it('names the status when a refusal has no problem body', async () => {
  answer = { status: 403, body: 'not json' };
  const error = await failure(client().getJson('/v1/things/1', credentials));
  expect(error.code).toBe('FORBIDDEN');
  expect(error.message).toBe('documents: HTTP 403');
});

it('turns a 5xx into 503 with a default Retry-After and keeps the internal detail out', async () => {
  answer = { status: 500, body: JSON.stringify({ detail: 'relation "documents" does not exist' }) };
  const error = await failure(client().getJson('/v1/things/1', credentials));
  expect(error.code).toBe('SERVICE_UNAVAILABLE');
  expect(error.retryAfterSeconds).toBe(5);
  expect(error.message).not.toContain('relation');
});

it("turns a 429 into 503 with the called service's own Retry-After", async () => {
  answer = { status: 429, headers: { 'retry-after': '12' } };
  const error = await failure(client().getJson('/v1/things/1', credentials));
  expect(error.code).toBe('SERVICE_UNAVAILABLE');
  expect(error.retryAfterSeconds).toBe(12);
});

it('turns a service that cannot be reached into 503 with Retry-After', async () => {
  const unreachable = new ServiceClient('signing', 'http://127.0.0.1:9', 2_000);
  const error = await failure(unreachable.getJson('/v1/things/1', credentials));
  expect(error.code).toBe('SERVICE_UNAVAILABLE');
  expect(error.retryAfterSeconds).toBe(5);
  expect(error.message).toBe('the signing service cannot be reached; try again shortly');
});

it('sends a multipart form with its own boundary', async () => {
  answer = { status: 201, body: '{}' };
  const form = new FormData();
  form.append('metadata', JSON.stringify({ kind: 'signature' }));
  form.append('file', new Blob([Buffer.from('%PDF-1.7')], { type: 'application/pdf' }), 'a.pdf');
  await client().request('/v1/documents/d1/versions', { credentials, method: 'POST', form });
  expect(seen.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  expect(seen.body).toContain('%PDF-1.7');
});
