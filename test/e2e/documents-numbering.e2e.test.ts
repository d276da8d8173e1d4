import { execFileSync } from 'node:child_process';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { agencyA } from '../support/identities';

// "Done when": through the gateway, 1,000 outgoing documents registered concurrently in one
// register-year get 01…1000 with no gap and no repeat (NĐ 30/2020 Điều 15.1).
let stack: TestStack;
beforeAll(async () => {
  // 1,000 connections opened at once on a loaded 2-core CI machine: some finish sending their headers after the
  // gateway's 20 s slow-client limit (seen as forty 408s in a fresh-clone run). That limit has its own test
  // (gateway/test/slow-clients.http.test.ts); here it is lifted so that this test judges numbering only.
  stack = await startTestStack('docnum', { env: { gateway: { HEADERS_TIMEOUT_MS: '180000' } } });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const total = 1000;
// The gateway limits each user to 600 requests a minute; the clerks share the work as a records office would.
const clerkCount = 20;

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}

describe('numbering through the gateway', () => {
  it('registers 1,000 outgoing documents concurrently and numbers them 01…1000 without gap or repeat', async () => {
    const admin = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'quan-tri', agency: agencyA, roles: ['admin'] }),
    );
    const directory = {
      organisations: [{ code: agencyA, name: 'Ủy ban nhân dân tỉnh Thử Nghiệm', abbreviation: 'UBND' }],
    };
    const imported = await admin.call('POST', '/v1/organisations/imports', {
      body: Buffer.from(JSON.stringify(directory)),
      contentType: 'application/json',
    });
    expect(imported.status).toBe(200);

    const clerks = await Promise.all(
      Array.from({ length: clerkCount }, async (_, i) =>
        gatewayClient(stack.gatewayUrl, await stack.token({ user: `van-thu-${i}`, agency: agencyA, roles: ['clerk'] })),
      ),
    );
    const register = await clerks[0]!.call('POST', '/v1/registers', {
      body: Buffer.from(JSON.stringify({ name: 'Sổ quyết định', direction: 'outgoing' })),
      contentType: 'application/json',
    });
    expect(register.status).toBe(201);
    const registerId = (register.body as { id: string }).id;

    const pdf = await makePdf('numbering', 1);
    const ids = await inBatches(
      Array.from({ length: total }, (_, i) => i),
      25,
      async (i) => {
        const created = await clerks[i % clerkCount]!.uploadDocument(pdf, {
          direction: 'outgoing',
          subject: `Quyết định số thứ tự ${i}`,
          typeCode: 'QĐ',
        });
        expect(created.status).toBe(201);
        return (created.body as { id: string }).id;
      },
    );

    const body = Buffer.from(JSON.stringify({ registerId }));
    const responses = await Promise.all(
      ids.map((id, i) =>
        clerks[i % clerkCount]!.call('POST', `/v1/documents/${id}/registration`, {
          body,
          contentType: 'application/json',
        }),
      ),
    );
    const failures = responses.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body)}`);
    expect(failures).toEqual([]);

    const registrations = responses.map(
      (r) =>
        (r.body as { document: { registration: { number: number; numberText: string; notation: string } } }).document
          .registration,
    );
    const numbers = registrations.map((r) => r.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const notations = new Set(registrations.map((r) => r.notation));
    expect(notations.size).toBe(total);
    expect(notations.has('01/QĐ-UBND')).toBe(true);
    expect(notations.has('1000/QĐ-UBND')).toBe(true);

    // Read back independently: every document shows the registration it was given.
    const sample = ids.filter((_, i) => i % 97 === 0);
    for (const id of sample) {
      const fetched = await clerks[0]!.get(`/v1/documents/${id}`);
      const index = ids.indexOf(id);
      expect(fetched.body).toMatchObject({ status: 'registered', registration: registrations[index] });
    }
  }, 300_000);

  it('burns no number when the documents service is killed mid-request', async () => {
    const clerks = await Promise.all(
      Array.from({ length: 5 }, async (_, i) =>
        gatewayClient(
          stack.gatewayUrl,
          await stack.token({ user: `van-thu-crash-${i}`, agency: agencyA, roles: ['clerk'] }),
        ),
      ),
    );
    const register = await clerks[0]!.call('POST', '/v1/registers', {
      body: Buffer.from(JSON.stringify({ name: 'Sổ công văn', direction: 'outgoing' })),
      contentType: 'application/json',
    });
    const registerId = (register.body as { id: string }).id;
    const pdf = await makePdf('crash', 1);
    const count = 200;
    const ids = await inBatches(
      Array.from({ length: count }, (_, i) => i),
      25,
      async (i) => {
        const created = await clerks[i % clerks.length]!.uploadDocument(pdf, {
          direction: 'outgoing',
          subject: `Kế hoạch ${i}`,
          typeCode: 'KH',
        });
        return (created.body as { id: string }).id;
      },
    );
    const body = Buffer.from(JSON.stringify({ registerId }));
    const register1 = (id: string, i: number) =>
      clerks[i % clerks.length]!.call('POST', `/v1/documents/${id}/registration`, {
        body,
        contentType: 'application/json',
      }).catch(() => undefined);
    // SIGKILL (no graceful shutdown) the documents process once some registrations have committed.
    const listener = execFileSync('ss', ['-ltnpH', `sport = :${stack.ports.documents}`], { encoding: 'utf8' });
    const pid = Number(/pid=(\d+)/.exec(listener)?.[1]);
    expect(pid).toBeGreaterThan(0);
    let committed = 0;
    let killed = false;
    const first = await Promise.all(
      ids.map((id, i) =>
        register1(id, i).then((response) => {
          if (response?.status === 201) committed += 1;
          if (committed >= 20 && !killed) {
            killed = true;
            process.kill(pid, 'SIGKILL');
          }
          return response;
        }),
      ),
    );
    expect(killed).toBe(true);
    expect(first.filter((r) => r?.status !== 201).length).toBeGreaterThan(0);
    await stack.restart('documents');

    // Whatever did not commit is registered again; whatever committed keeps its number.
    for (const [i, id] of ids.entries()) {
      const state = (await clerks[i % clerks.length]!.get(`/v1/documents/${id}`)).body as { status: string };
      if (state.status === 'draft') expect((await register1(id, i))?.status).toBe(201);
    }
    const numbers: number[] = [];
    for (const [i, id] of ids.entries())
      numbers.push(
        ((await clerks[i % clerks.length]!.get(`/v1/documents/${id}`)).body as { registration: { number: number } })
          .registration.number,
      );
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  }, 300_000);
});
