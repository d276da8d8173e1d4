import fs from 'node:fs';
import { sign as nodeSign } from 'node:crypto';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { agencyA } from '../support/identities';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { pdfsig } from '../../services/signing/test/support';

// A batch of 200 documents — the maximum — prepared in one request and completed with one
// "token session": the client signs all 200 data-to-sign values with one key and sends them
// back in one complete.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('signbatch');
});
afterAll(async () => {
  await stack?.stop();
});

const post = (client: ReturnType<typeof gatewayClient>, url: string, body: unknown) =>
  client.call('POST', url, { body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' });

it('prepares and completes 200 initials in one session; every document gets its signed version', async () => {
  const person = stack.infra.pki.persons['le-hoang-cuong'];
  if (!person) throw new Error('no test person');
  const clerk = gatewayClient(stack.gatewayUrl, await stack.token({ user: 'vt', agency: agencyA, roles: ['clerk'] }));
  const admin = gatewayClient(stack.gatewayUrl, await stack.token({ user: 'qt', agency: agencyA, roles: ['admin'] }));
  const leader = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'cuong', agency: agencyA, roles: ['unit-leader'], name: 'Lê Hoàng Cường' } as never),
  );
  const registered = await post(leader, '/v1/certificates', { certificate: fs.readFileSync(person.certPath, 'utf8') });
  expect((await post(admin, `/v1/certificates/${(registered.body as { id: string }).id}/activate`, {})).status).toBe(
    200,
  );
  const pdf = await makeCongVan({ pages: 2 });
  const ids: string[] = [];
  for (let i = 0; i < 200; i += 1) {
    const created = await clerk.uploadDocument(pdf, { direction: 'outgoing', subject: `Công văn số ${i + 1}` });
    expect(created.status).toBe(201);
    ids.push((created.body as { id: string }).id);
  }
  const started = Date.now();
  const prepared = await post(leader, '/v1/signing-sessions', {
    kind: 'initial',
    step: 'content',
    level: 'B-B',
    documents: ids.map((documentId) => ({ documentId })),
  });
  expect(prepared.status).toBe(201);
  const session = prepared.body as { id: string; items: { documentId: string; dataToSign: string }[] };
  expect(session.items).toHaveLength(200);
  const key = fs.readFileSync(person.keyPath, 'utf8');
  const items = session.items.map((item) => ({
    documentId: item.documentId,
    signatureValue: nodeSign('sha256', Buffer.from(item.dataToSign, 'base64'), key).toString('base64'),
  }));
  const der = fs.readFileSync(person.certPath, 'utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
  const done = await post(leader, `/v1/signing-sessions/${session.id}/complete`, { certificateChain: [der], items });
  expect(done.status).toBe(200);
  const results = (done.body as { results: { outcome: string; version: number }[] }).results;
  expect(results.filter((r) => r.outcome === 'signed')).toHaveLength(200);
  process.stdout.write(`200-document batch: prepare + complete in ${Date.now() - started} ms\n`);
  for (const id of [ids[0], ids[99], ids[199]]) {
    const file = `/tmp/batch-${id}.pdf`;
    fs.writeFileSync(file, (await clerk.get(`/v1/documents/${id}/content`)).raw);
    expect(pdfsig(file).map((s) => s.valid)).toEqual([true]);
    fs.rmSync(file);
  }
});
