import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { withTransaction } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { buildEdxml, buildStatusMessage } from '../src/domain/edxml/build-edxml';
import type { EdxmlDocument } from '../src/domain/edxml/model';
import { queueDelivery } from '../src/domain/exchanges/queue-delivery';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { runHubJobs } from '../src/domain/exchanges/run-hub-jobs';
import { getExchange } from '../src/domain/exchanges/get-exchange';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import type { HubError } from '../src/hub/hub-adapter';
import type { HubCredentials } from '../src/hub/hub-adapter';
import { LgspAdapter } from '../src/hub/lgsp-adapter';
import { fetchWhole, hubTestContext, messagesOf, storeTestMessage } from './hub-test-context';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { clerkOf } from '../../../test/support/identities';

// The LGSP adapter against the hub sandbox's LGSP routes over HTTP: X-SystemId / X-SecretKey, multipart
// edocFile, the received list, base64 getEdoc, updateStatus, the organisation list, the hub's error codes, and
// the queue's behaviour on them (business refusals never retried, an outage retried until the hub returns).

const agencyA = '000.00.41.H56';
const agencyB = '000.00.42.H56';
const locked = '000.00.43.H56';
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'Sở Nội vụ', systemId: 'lgsp-a', secret: 'lgsp-secret-a' },
  { code: agencyB, name: 'Sở Y tế', systemId: 'lgsp-b', secret: 'lgsp-secret-b', parentCode: agencyA },
  { code: locked, name: 'Đơn vị đã khóa', systemId: 'lgsp-c', secret: 'lgsp-secret-c', locked: true },
];
const account = (code: string): HubCredentials => {
  const agency = agencies.find((a) => a.code === code)!;
  return { agencyCode: agency.code, systemId: agency.systemId, secret: agency.secret };
};
const store: Parameters<typeof buildHubSandbox>[0]['messages'] = [];
let sandbox: HubSandbox;
let port = 0;
let hub: LgspAdapter;
let exchangeA: ServiceFixture;
let exchangeB: ServiceFixture;
let now = new Date();
const clock = () => now;

async function startHub(): Promise<void> {
  sandbox = await buildHubSandbox({ agencies, messages: store });
  await sandbox.app.listen({ host: '127.0.0.1', port });
  port = (sandbox.app.server.address() as AddressInfo).port;
}

beforeAll(async () => {
  exchangeA = await serviceFixture('exlgsp-a', migrationsDir);
  exchangeB = await serviceFixture('exlgsp-b', migrationsDir);
  await startHub();
  hub = new LgspAdapter(`http://127.0.0.1:${port}`, { timeoutMs: 3000, clock });
});
afterAll(async () => {
  await sandbox.app.close();
  await exchangeA.close();
  await exchangeB.close();
});

const context = (fixture: ServiceFixture, agencyCode: string, credentials = account(agencyCode)) =>
  hubTestContext(fixture, agencyCode, hub, credentials, clock);

function message(number: string, to: string[]): Buffer {
  const document: EdxmlDocument = {
    header: {
      from: { organId: agencyA, organName: 'Sở Nội vụ' },
      to: to.map((organId) => ({ organId })),
      documentId: `${agencyA},2026/12/02,${number}/SNV-VP`,
      code: { codeNumber: number, codeNotation: 'SNV-VP' },
      promulgationInfo: { promulgationDate: '2026-12-02' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: `V/v gửi qua LGSP ${number}`,
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-02T10:00:00+07:00' }],
    attachments: [
      {
        contentId: '1',
        name: 'cv.pdf',
        contentType: 'application/pdf',
        content: Buffer.from('%PDF-1.7\n\x00\xff%%EOF'),
      },
    ],
  };
  return buildEdxml(document);
}

async function queue(number: string, to: string[], fixture = exchangeA, agencyCode = agencyA): Promise<string> {
  const edxml = message(number, to);
  const { exchangeId } = await queueDelivery(
    {
      deliveryId: randomUUID(),
      agencyCode,
      documentId: randomUUID(),
      version: 1,
      recipients: to.map((o) => ({ organId: o })),
    },
    context(fixture, agencyCode),
  );
  await withTransaction(fixture.pool, (tx) =>
    storeTestMessage(tx, messagesOf(fixture), exchangeId!, {
      edxml,
      edxmlDocumentId: `${agencyA},2026/12/02,${number}/SNV-VP`,
      at: now,
    }),
  );
  return exchangeId!;
}

describe('the LGSP adapter and the sandbox’s LGSP routes', () => {
  it('sends, lists, fetches byte for byte, acknowledges and syncs organisations', async () => {
    const edxml = message('201', [agencyB]);
    const { docId } = await hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml });
    expect((await hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml })).docId).toBe(docId);
    const listed = await hub.listReceived(account(agencyB), 'edoc');
    expect(listed).toEqual([expect.objectContaining({ docId, from: agencyA, messageType: 'edoc' })]);
    expect((await fetchWhole(hub, account(agencyB), docId)).equals(edxml)).toBe(true);
    // Only the recipient reads it.
    await expect(fetchWhole(hub, account(agencyA), docId)).rejects.toMatchObject({ code: '21', retriable: false });
    await hub.acknowledge(account(agencyB), docId, 'done');
    expect(await hub.listReceived(account(agencyB), 'edoc')).toEqual([]);
    expect(await hub.listAgencies(account(agencyB))).toEqual(
      expect.arrayContaining([{ code: agencyB, name: 'Sở Y tế', parentCode: agencyA }]),
    );
  });

  it('answers the hub’s error codes: 15 wrong secret, 18 unknown, 23 locked, 22 not conformant, 19 not the sender', async () => {
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: HubError) => `${error.code}:${error.retriable}`,
      );
    const wrong = { ...account(agencyA), secret: 'not-the-secret' };
    expect(await refusal(hub.listReceived(wrong, 'edoc'))).toBe('15:false');
    expect(
      await refusal(
        hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [], edxml: message('202', ['000.00.99.H56']) }),
      ),
    ).toBe('18:false');
    expect(
      await refusal(hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [], edxml: message('203', [locked]) })),
    ).toBe('23:false');
    const unprefixed = Buffer.from(
      message('204', [agencyB])
        .toString('utf8')
        .replace(/edXML:Subject>/g, 'Subject>'),
    );
    expect(await refusal(hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [], edxml: unprefixed }))).toBe(
      '22:false',
    );
    expect(
      await refusal(hub.sendEdoc(account(agencyB), { messageType: 'edoc', to: [], edxml: message('205', [agencyB]) })),
    ).toBe('19:false');
    const status = buildStatusMessage({
      from: { organId: agencyB },
      responseFor: {
        organId: agencyA,
        code: '201/SNV-VP',
        promulgationDate: '2026-12-02',
        documentId: `${agencyA},2026/12/02,201/SNV-VP`,
      },
      statusCode: '03',
      description: 'Đã vào sổ',
      timestamp: '2026-12-02T11:00:00+07:00',
    });
    expect(await refusal(hub.sendEdoc(account(agencyB), { messageType: 'edoc', to: [], edxml: status }))).toBe(
      '22:false',
    );
    expect(await refusal(hub.sendEdoc(account(agencyB), { messageType: 'status', to: [], edxml: status }))).toBe(
      'accepted',
    );
    expect((await hub.listReceived(account(agencyA), 'status')).length).toBe(1);
  });

  it('queues through an outage and delivers once; wrong credentials fail the job once and for all', async () => {
    const exchangeId = await queue('206', [agencyB]);
    await sandbox.app.close();
    expect(await runHubJobs({}, context(exchangeA, agencyA))).toBe(1);
    expect((await exchangeA.pool.query('SELECT state, attempts FROM hub_jobs')).rows).toEqual([
      { state: 'pending', attempts: 1 },
    ]);
    await startHub();
    now = new Date(now.getTime() + 5_000);
    expect(await runHubJobs({}, context(exchangeA, agencyA))).toBe(1);
    const view = await getExchange({ exchangeId }, { identity: clerkOf(agencyA), pool: exchangeA.pool });
    expect(view).toMatchObject({ state: 'sent', hub: 'lgsp' });
    expect(store.filter((m) => m.edxml.includes('206/SNV-VP'))).toHaveLength(1);

    // B polls over LGSP, stores the message once, and acknowledges it with updateStatus.
    const ctxB = context(exchangeB, agencyB);
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 1 });
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 0 });
    await runHubJobs({}, ctxB);
    expect(store.find((m) => m.edxml.includes('206/SNV-VP'))!.status).toBe('done');
    const received = await exchangeB.pool.query<{ edxml_sha256: string }>(
      `SELECT edxml_sha256 FROM exchanges WHERE direction = 'received'`,
    );
    const file = messagesOf(exchangeB).pathOf(received.rows[0]!.edxml_sha256);
    expect(fs.readFileSync(file).equals(store.find((m) => m.edxml.includes('206/SNV-VP'))!.edxml)).toBe(true);

    const refused = await queue('207', [agencyB]);
    const wrong = context(exchangeA, agencyA, { ...account(agencyA), secret: 'rotated-away' });
    expect(await runHubJobs({}, wrong)).toBe(1);
    const failed = await getExchange({ exchangeId: refused }, { identity: clerkOf(agencyA), pool: exchangeA.pool });
    expect(failed.state).toBe('failed');
    expect(failed.log.map((l) => l.outcome)).toEqual(['refused:15']);
    now = new Date(now.getTime() + 3_600_000);
    expect(await runHubJobs({}, wrong)).toBe(0);
  });
});
