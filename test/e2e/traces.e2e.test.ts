import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { eventually } from '../support/wait';
import { agencyA } from '../support/identities';
import type { ProcessName } from '../../infra/src/services';

// What an operator's trace backend sees of one upload: one trace from the gateway through documents (its SQL and
// the event it publishes) to reporting's handling of that event, joined by the request id. The stack exports to an
// OTLP/HTTP receiver of the test's own, as it would to an OpenTelemetry Collector.

type Attribute = { key: string; value: { stringValue?: string; intValue?: string | number } };
type ExportedSpan = {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string>;
};
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

const received: ExportedSpan[] = [];
let receiver: http.Server;
let stack: TestStack;

const attributeMap = (attributes: Attribute[] = []): Record<string, string> =>
  Object.fromEntries(attributes.map((a) => [a.key, String(a.value.stringValue ?? a.value.intValue ?? '')]));

type OtlpExport = {
  resourceSpans?: {
    resource?: { attributes?: Attribute[] };
    scopeSpans?: {
      spans?: (Omit<ExportedSpan, 'service' | 'attributes'> & { attributes?: Attribute[] })[];
    }[];
  }[];
};

function collect(body: OtlpExport): void {
  for (const resourceSpans of body.resourceSpans ?? []) {
    const service = attributeMap(resourceSpans.resource?.attributes)['service.name'] ?? '?';
    for (const scope of resourceSpans.scopeSpans ?? [])
      for (const span of scope.spans ?? [])
        received.push({ ...span, service, attributes: attributeMap(span.attributes) });
  }
}

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      if (request.url === '/v1/traces') collect(JSON.parse(body.toString('utf8')) as OtlpExport);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' };
  const names: ProcessName[] = ['gateway', 'documents', 'signing', 'routing', 'reporting', 'exchange', 'notifications'];
  stack = await startTestStack('traces', { env: Object.fromEntries(names.map((name) => [name, traced])) });
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

test('one upload is one trace: gateway, documents and its SQL, the event published, and reporting handling it', async () => {
  const clerk = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'] }),
  );
  const created = await clerk.uploadDocument(await makePdf('traces', 1), {
    direction: 'outgoing',
    subject: 'Về việc theo dõi vết xử lý',
  });
  expect(created.status).toBe(201);
  const requestId = created.headers.get('x-request-id') as string;
  expect(requestId).toBeTruthy();

  const found = await eventually(
    async () => {
      const gatewaySpan = received.find(
        (s) => s.service === 'vanthu-gateway' && s.kind === SERVER && s.attributes['vanthu.request_id'] === requestId,
      );
      if (!gatewaySpan) return undefined;
      const spans = received.filter((s) => s.traceId === gatewaySpan.traceId);
      const consumed = spans.find(
        (s) => s.service === 'vanthu-reporting' && s.kind === CONSUMER && /document\.created/.test(s.name),
      );
      // The consumer's transaction (its batch span and SQL) may arrive in a later export than the first spans.
      const batch = spans.find((s) => s.service === 'vanthu-reporting' && /^process batch /.test(s.name));
      const documentsServer = spans.find((s) => s.service === 'vanthu-documents' && s.kind === SERVER);
      const published = spans.find((s) => s.service === 'vanthu-documents' && s.kind === PRODUCER);
      return consumed && batch && documentsServer && published && spans.some((s) => s.parentSpanId === batch.spanId)
        ? { gatewaySpan, spans }
        : undefined;
    },
    (value) => value !== undefined,
    60_000,
    `the upload's trace (${received.length} spans received so far)`,
  ).catch((error: Error) =>
    Promise.reject(
      new Error(`${error.message}\n${received.map((s) => `${s.service} ${s.kind} ${s.name} ${s.traceId}`).join('\n')}`),
    ),
  );
  const { gatewaySpan, spans } = found as { gatewaySpan: ExportedSpan; spans: ExportedSpan[] };
  const ids = new Set(spans.map((s) => s.spanId));

  // The proxied call carries the trace: documents' server span is a child of a gateway span, named by its route.
  const documentsServer = spans.find((s) => s.service === 'vanthu-documents' && s.kind === SERVER);
  expect(documentsServer).toMatchObject({ name: 'POST /v1/documents' });
  expect(documentsServer?.attributes['vanthu.request_id']).toBe(requestId);
  const proxyCall = spans.find((s) => s.spanId === documentsServer?.parentSpanId);
  expect(proxyCall?.service).toBe('vanthu-gateway');
  expect(gatewaySpan.name).toMatch(/^POST /);

  // Documents' SQL is in the trace, under its request.
  const sql = spans.filter((s) => s.service === 'vanthu-documents' && s.attributes['db.system.name'] === 'postgresql');
  expect(sql.length).toBeGreaterThan(0);
  expect(sql.every((s) => s.parentSpanId !== undefined && ids.has(s.parentSpanId))).toBe(true);

  // The event left through the outbox relay, long after the request's SQL, and is still in the same trace.
  const published = spans.find(
    (s) => s.service === 'vanthu-documents' && s.kind === PRODUCER && /document\.created/.test(s.name),
  );
  expect(published?.attributes['messaging.destination.name']).toMatch(/vanthu\.documents$/);
  expect(published?.attributes['vanthu.request_id']).toBe(requestId);

  // Reporting's handling continues the trace the event was created in: the handler's span, and the transaction of
  // its batch (a batch of one event, here) with the inbox's and the projection's SQL under it.
  const consumed = spans.find(
    (s) => s.service === 'vanthu-reporting' && s.kind === CONSUMER && /document\.created/.test(s.name),
  ) as ExportedSpan;
  expect(consumed.attributes['messaging.message.id']).toBe(published?.attributes['messaging.message.id']);
  expect(consumed.attributes['vanthu.request_id']).toBe(requestId);
  const batch = spans.find((s) => s.service === 'vanthu-reporting' && /^process batch /.test(s.name)) as ExportedSpan;
  expect(batch.parentSpanId !== undefined && ids.has(batch.parentSpanId)).toBe(true);
  expect(consumed.parentSpanId === batch.spanId || ids.has(consumed.parentSpanId as string)).toBe(true);
  const batchSql = spans.filter(
    (s) => s.parentSpanId === batch.spanId && s.attributes['db.system.name'] === 'postgresql',
  );
  expect(batchSql.map((s) => s.attributes['db.query.text'] ?? '').join('\n')).toMatch(/INSERT INTO inbox/);

  // Health probes and scrapes are not traced.
  expect(received.some((s) => /health|metrics/.test(s.attributes['url.path'] ?? ''))).toBe(false);
});
