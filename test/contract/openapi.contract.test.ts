import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import type { ClientResponse } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { agencyA, agencyB } from '../support/identities';

// Every response an integrator can get is checked against the published OpenAPI document of
// the running gateway: the document is the contract, so it must describe what we send.
type OpenApi = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
};

let stack: TestStack;
let openapi: OpenApi;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  stack = await startTestStack('contract');
  openapi = (await (await fetch(`${stack.gatewayUrl}/openapi.json`)).json()) as OpenApi;
  ajv.addSchema(openapi as object, 'openapi');
});
afterAll(async () => {
  await stack?.stop();
});

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function expectConforms(path: string, method: string, response: ClientResponse): void {
  const operation = openapi.paths[path]?.[method];
  expect(operation).toBeDefined();
  const declared = operation?.responses[String(response.status)];
  if (!declared)
    throw new Error(
      `${method.toUpperCase()} ${path} answered ${response.status}, which the OpenAPI document does not declare`,
    );
  const mediaType = Object.keys(declared.content ?? {})[0];
  if (!mediaType || !/json/.test(mediaType)) return;
  const validate = ajv.compile({
    $ref: `openapi#/${pointer('paths', path, method, 'responses', String(response.status), 'content', mediaType, 'schema')}`,
  });
  if (!validate(response.body))
    throw new Error(
      `${method.toUpperCase()} ${path} ${response.status} does not match its schema: ${ajv.errorsText(validate.errors)}`,
    );
}

describe('responses match the published OpenAPI 3.1 document', () => {
  it('documents: create, read, content and their errors', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'] }),
    );
    const other = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'khac', agency: agencyB, roles: ['clerk'] }),
    );
    const created = await clerk.uploadDocument(await makePdf('contract'), {
      direction: 'outgoing',
      subject: 'Hợp đồng API',
      urgency: 'immediate',
    });
    expect(created.status).toBe(201);
    expectConforms('/v1/documents', 'post', created);
    const id = (created.body as { id: string }).id;

    expectConforms(
      '/v1/documents',
      'post',
      await clerk.uploadDocument(await makePdf('x'), { direction: 'outgoing', subject: 'x', nope: 1 }),
    );
    expectConforms(
      '/v1/documents',
      'post',
      await clerk.uploadDocument(Buffer.from('not a pdf'), { direction: 'outgoing', subject: 'x' }),
    );
    expectConforms('/v1/documents/{id}', 'get', await clerk.get(`/v1/documents/${id}`));
    expectConforms('/v1/documents/{id}', 'get', await other.get(`/v1/documents/${id}`));
    expectConforms('/v1/documents/{id}', 'get', await clerk.get('/v1/documents/not-a-uuid'));
    const content = await clerk.get(`/v1/documents/${id}/content`);
    expect(content.status).toBe(200);
    expectConforms('/v1/documents/{id}/content', 'get', content);
    expectConforms('/v1/documents/{id}/content', 'get', await clerk.get(`/v1/documents/${id}/content?version=9`));
  });

  it('reports: the compliance report and its errors', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'] }),
    );
    expectConforms('/v1/reports/compliance', 'get', await clerk.get('/v1/reports/compliance?month=2026-11'));
    expectConforms('/v1/reports/compliance', 'get', await clerk.get('/v1/reports/compliance?month=2026-13'));
    expectConforms(
      '/v1/reports/compliance',
      'get',
      await clerk.get(`/v1/reports/compliance?month=2026-11&agency=${agencyB}`),
    );
    expectConforms('/v1/reports/province', 'get', await clerk.get('/v1/reports/province?month=2026-11'));
    const collector = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'so-khcn', agency: agencyB, roles: ['report-collector'] }),
    );
    expectConforms('/v1/reports/province', 'get', await collector.get('/v1/reports/province?month=2026-11'));
    expectConforms(
      '/v1/reports/findings',
      'get',
      await collector.get('/v1/reports/findings?month=2026-11&kind=without-organisation-signature&limit=2'),
    );
    expectConforms(
      '/v1/reports/findings',
      'get',
      await clerk.get(`/v1/reports/findings?month=2026-11&kind=digitised-only&agency=${agencyB}`),
    );
    for (const format of ['csv', 'xlsx', 'pdf'])
      expectConforms(
        '/v1/reports/export',
        'get',
        await collector.get(`/v1/reports/export?month=2026-11&format=${format}`),
      );
    expectConforms('/v1/reports/export', 'get', await clerk.get('/v1/reports/export?month=2026-11&format=doc'));
  });

  it('declares every public path of the design brief that exists so far, with the bearer scheme', () => {
    for (const path of [
      '/v1/documents',
      '/v1/documents/{id}',
      '/v1/documents/{id}/content',
      '/v1/reports/compliance',
      '/v1/reports/province',
      '/v1/reports/findings',
      '/v1/reports/export',
      '/health',
    ]) {
      expect(openapi.paths[path]).toBeDefined();
    }
    expect(JSON.stringify(openapi)).toContain('"bearerAuth"');
  });
});
