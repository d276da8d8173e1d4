import { randomUUID } from 'node:crypto';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import type { ClientResponse } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { agencyA } from '../support/identities';

// Two processes each of documents, signing and routing behind one gateway. Registrations spread over both documents
// replicas stay gap-free; one replica killed with SIGKILL in the middle of the burst is taken out by the gateway, and
// the clients' retries with the same Idempotency-Key finish on the other without a number burnt or repeated.
let stack: TestStack;
beforeAll(async () => {
  // One clerk sends every request here: the per-caller rate limit is lifted.
  stack = await startTestStack('replicas', { replicas: 2, env: { gateway: { RATE_LIMIT_PER_MINUTE: '100000' } } });
});
afterAll(async () => {
  await stack?.stop();
});

const json = (value: unknown, key?: string) => ({
  body: Buffer.from(JSON.stringify(value)),
  contentType: 'application/json',
  ...(key ? { headers: { 'idempotency-key': key } } : {}),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const registrationsServed = async (port: number): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) =>
      /^vanthu_http_request_duration_seconds_count\{service="documents",method="POST",route="\/v1\/documents\/:id\/registration",status_code="201"\}/.test(
        line,
      ),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
};

test('the stack runs two replicas of documents, signing and routing', () => {
  const replicated = stack.instances.filter((i) => i.instance.endsWith('-2')).map((i) => i.name);
  expect(replicated.sort()).toEqual(['documents', 'routing', 'signing']);
});

test('200 registrations over two replicas, one killed midway, are numbered 1…200 without gap or repeat', async () => {
  const admin = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'quan-tri', agency: agencyA, roles: ['admin'] }),
  );
  const directory = {
    organisations: [{ code: agencyA, name: 'Ủy ban nhân dân tỉnh Thử Nghiệm', abbreviation: 'UBND' }],
  };
  expect((await admin.call('POST', '/v1/organisations/imports', json(directory))).status).toBe(200);
  const clerk = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'] }),
  );
  const register = await clerk.call('POST', '/v1/registers', json({ name: 'Sổ kế hoạch', direction: 'outgoing' }));
  const registerId = (register.body as { id: string }).id;
  const pdf = await makePdf('replicas', 1);
  const ids: string[] = [];
  for (let batch = 0; batch < 8; batch += 1) {
    const created = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        clerk.uploadDocument(pdf, { direction: 'outgoing', subject: `Kế hoạch ${batch * 25 + i}`, typeCode: 'KH' }),
      ),
    );
    for (const response of created) ids.push((response.body as { id: string }).id);
  }

  // Each registration keeps its Idempotency-Key across retries, as a client following Retry-After would.
  const victim = stack.pid('documents-2');
  expect(victim).toBeGreaterThan(0);
  let committed = 0;
  let killed = false;
  const registerOnce = async (id: string, key: string): Promise<ClientResponse> => {
    for (let attempt = 1; ; attempt += 1) {
      const response = await clerk
        .call('POST', `/v1/documents/${id}/registration`, json({ registerId }, key))
        .catch(() => undefined);
      if (response && response.status < 500) {
        if (response.status === 201) committed += 1;
        if (committed >= 40 && !killed) {
          killed = true;
          process.kill(victim as number, 'SIGKILL');
        }
        return response;
      }
      if (attempt >= 20) throw new Error(`registration of ${id} still failing: ${response?.status ?? 'no answer'}`);
      await sleep(500);
    }
  };
  const responses = await Promise.all(ids.map((id) => registerOnce(id, randomUUID())));
  expect(killed).toBe(true);
  expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);

  const numbers = responses
    .map((r) => (r.body as { document: { registration: { number: number } } }).document.registration.number)
    .sort((a, b) => a - b);
  expect(numbers).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  // Read back independently: every document holds the number its registration answered.
  for (const [i, id] of ids.entries()) {
    const read = await clerk.get(`/v1/documents/${id}`);
    expect([read.status, (read.body as { status?: string }).status]).toEqual([200, 'registered']);
    const stored = read.body as { registration: { number: number } };
    expect(stored.registration.number).toBe(
      (responses[i]?.body as { document: { registration: { number: number } } }).document.registration.number,
    );
  }
  // Both replicas took registrations; the survivor took the rest after the kill.
  const documentsPorts = stack.instances.filter((i) => i.name === 'documents').map((i) => i.port);
  const servedByFirst = await registrationsServed(documentsPorts[0] as number);
  expect(servedByFirst).toBeGreaterThan(0);
  expect(servedByFirst).toBeLessThan(ids.length);
}, 300_000);
