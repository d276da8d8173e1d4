import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { VanthuProblem, createVanthuClient } from '@vanthu/client';
import type { VanthuClient } from '@vanthu/client';
import { startMockServer } from '../../infra/src/mock-server';
import type { MockServer } from '../../infra/src/mock-server';
import { makePdf } from '../support/pdfs';
import { ContractChecker } from './support/contract-checker';
import type { OpenApi } from './support/contract-checker';

// `npm run mock` (Prism on docs/openapi.json) as an integrator's CI uses it: calls made with @vanthu/client, every
// answer the client receives checked against the published document (status declared, media type, JSON schema).

type PathParameter = { in: string; name: string; schema?: { examples?: string[] } };
const openapi = JSON.parse(fs.readFileSync(path.join(__dirname, '../../docs/openapi.json'), 'utf8')) as OpenApi;
const checker = new ContractChecker(openapi);
let mock: MockServer;
let client: VanthuClient;
const answers: { method: string; url: string; status: number }[] = [];

/** The client's fetch, with every answer checked against the document before the client sees it. */
const checkedFetch = async (request: Request): Promise<Response> => {
  const response = await fetch(request);
  const raw = Buffer.from(await response.arrayBuffer());
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const url = new URL(request.url);
  checker.check(request.method, url.pathname, { status: response.status, headers: response.headers, body, raw });
  answers.push({ method: request.method, url: url.pathname, status: response.status });
  return new Response(raw, { status: response.status, headers: response.headers });
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  mock = await startMockServer({ port: await freePort() });
  client = createVanthuClient({ baseUrl: mock.url, token: 'any-token-for-the-mock', fetch: checkedFetch });
}, 180_000);
afterAll(async () => {
  await mock?.stop();
});

describe('npm run mock (Prism on docs/openapi.json)', () => {
  it('answers the typed client with schema-valid bodies for reads, pages, uploads and commands', async () => {
    const registers = await client.GET('/v1/registers');
    expect(Array.isArray(registers.items)).toBe(true);
    const documents = [];
    for await (const d of client.paginate('/v1/documents', { params: { query: { limit: 10 } } })) documents.push(d);
    expect(documents.length).toBeGreaterThan(0);
    const uploaded = await client.uploadDocument(await makePdf('mock'), {
      direction: 'outgoing',
      subject: 'Về việc thử máy chủ giả lập',
    });
    expect(uploaded.id).toMatch(/^[0-9a-f-]{36}$/);
    const key = await client.POST('/v1/signing-keys', { body: { agencyCode: '000.00.12.H99' } });
    expect(key.status).toBeTruthy();
    const read = await client.GET('/v1/documents/{id}', { params: { path: { id: uploaded.id } } });
    expect(read.id).toBeTruthy();
    expect(answers.map((a) => a.status).every((s) => s < 300)).toBe(true);
  });

  it('refuses what the real API refuses: no token is 401, a body that breaks the schema is a declared 4xx, as a VanthuProblem', async () => {
    const anonymous = createVanthuClient({ baseUrl: mock.url, fetch: checkedFetch });
    await expect(anonymous.GET('/v1/registers')).rejects.toMatchObject({ status: 401 });
    const bad = await client.POST('/v1/signing-keys', { body: { agencyCode: 'not-a-code' } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(VanthuProblem);
    expect([400, 422]).toContain((bad as VanthuProblem).status);
  });

  it('answers every read operation of the document with a body that matches its schema', async () => {
    const reads = checker.operations().filter((op) => op.method === 'get');
    expect(reads.length).toBeGreaterThan(40);
    for (const op of reads) {
      const parameters = (openapi.paths[op.path]?.get?.parameters ?? []) as PathParameter[];
      const url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const example = parameters.find((p) => p.in === 'path' && p.name === name)?.schema?.examples?.[0];
        return encodeURIComponent(example ?? '497f6eca-6276-4993-bfeb-53cbbbba6f08');
      });
      // The raw openapi-fetch client: the typed wrapper would throw on a declared error status.
      const { response } = await client.raw.GET(url as never, { parseAs: 'arrayBuffer' } as never);
      expect({ op: op.key, ok: response.status < 500 }).toEqual({ op: op.key, ok: true });
    }
    expect(answers.filter((a) => a.method === 'GET').length).toBeGreaterThanOrEqual(reads.length);
  });
});
