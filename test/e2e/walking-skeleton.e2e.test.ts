import { createHash } from 'node:crypto';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { currentVietnamMonth, eventually } from '../support/wait';
import { agencyA, agencyB } from '../support/identities';

// The walking skeleton through the gateway, as an integrator calls it: upload, read back,
// and see the document counted by reporting, which learns of it only through Kafka.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('skeleton');
});
afterAll(async () => {
  await stack?.stop();
});

describe('walking skeleton through the gateway', () => {
  it('stores a document, returns it byte-identical and counts it in the compliance report', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-a', agency: agencyA, roles: ['clerk'] }),
    );
    const pdf = await makePdf('e2e-skeleton', 3);
    const created = await clerk.uploadDocument(pdf, {
      direction: 'outgoing',
      subject: 'Về việc đẩy mạnh xử lý văn bản điện tử',
    });
    expect(created.status).toBe(201);
    const document = created.body as { id: string; versions: { sha256: string }[] };
    expect(document.versions[0]?.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));

    const fetched = await clerk.get(`/v1/documents/${document.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(document);
    const content = await clerk.get(`/v1/documents/${document.id}/content`);
    expect(content.status).toBe(200);
    expect(Buffer.compare(content.raw, pdf)).toBe(0);
    expect(content.headers.get('x-request-id')).toBeTruthy();

    const report = await eventually(
      async () =>
        (await clerk.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`)).body as {
          documents: { total: number; outgoing: number };
        },
      (body) => body.documents.total === 1,
      30_000,
      'the report to count the document',
    );
    expect(report.documents.outgoing).toBe(1);
  });

  it('keeps agencies apart: another agency gets 404 and its own report stays empty', async () => {
    const clerkA = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-a', agency: agencyA, roles: ['clerk'] }),
    );
    const clerkB = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-b', agency: agencyB, roles: ['clerk'] }),
    );
    const id = (
      (await clerkA.uploadDocument(await makePdf('e2e-scope'), { direction: 'incoming', subject: 'Chỉ của A' }))
        .body as { id: string }
    ).id;
    expect((await clerkB.get(`/v1/documents/${id}`)).status).toBe(404);
    expect((await clerkB.get(`/v1/documents/${id}/content`)).status).toBe(404);
    await eventually(
      async () =>
        (
          (await clerkA.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`)).body as {
            documents: { incoming: number };
          }
        ).documents.incoming,
      (n) => n === 1,
    );
    expect(
      (
        (await clerkB.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`)).body as {
          documents: { total: number };
        }
      ).documents.total,
    ).toBe(0);
  });

  it('refuses callers without a valid token at the gateway', async () => {
    const anonymous = gatewayClient(stack.gatewayUrl);
    const response = await anonymous.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`);
    expect(response.status).toBe(401);
    expect((response.body as { code: string }).code).toBe('UNAUTHENTICATED');
    const expired = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'u', agency: agencyA, roles: ['clerk'], ttlSeconds: -120 }),
    );
    expect((await expired.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`)).status).toBe(401);
  });

  it('reports every service and component healthy, the HSM included', async () => {
    const response = await fetch(`${stack.gatewayUrl}/health`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as { components: Record<string, { status: string }> };
    expect(health.components).toMatchObject({
      postgres: { status: 'up' },
      kafka: { status: 'up' },
      hsm: { status: 'up' },
    });
  });
});
