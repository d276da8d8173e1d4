import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { withTransaction } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { buildEdxml, buildStatusMessage } from '../src/domain/edxml/build-edxml';
import type { EdxmlDocument } from '../src/domain/edxml/model';
import { queueDelivery } from '../src/domain/exchanges/queue-delivery';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { runHubJobs } from '../src/domain/exchanges/run-hub-jobs';
import { getExchange } from '../src/domain/exchanges/get-exchange';
import { verifyExchangeLog } from '../src/domain/exchanges/verify-exchange-log';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import { BkavAdapter } from '../src/hub/bkav-adapter';
import type { HubCredentials, HubError, SentEdoc } from '../src/hub/hub-adapter';
import { fetchWhole, hubTestContext, messagesOf, storeTestMessage } from './hub-test-context';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { clerkOf } from '../../../test/support/identities';

// The Bkav eDoc adapter against the hub sandbox's /EdocService routes over HTTP: organid and the token in
// authorization, the raw edXML with hash-edoc, the pending ids, base64 getDocument, confirmReceived, the
// organisations under a domain, code 9999 with its error items (a refusal never retried, the hub's
// InternalServer retried), and two instances exchanging a document and its status through it.

const agencyA = '000.00.71.H56';
const agencyB = '000.00.72.H56';
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'Sở Công Thương', systemId: 'bkav-a', secret: 'bkav-token-a' },
  { code: agencyB, name: 'Sở Giao thông vận tải', systemId: 'bkav-b', secret: 'bkav-token-b', parentCode: agencyA },
];
const account = (code: string): HubCredentials => {
  const agency = agencies.find((a) => a.code === code)!;
  return { agencyCode: agency.code, systemId: agency.systemId, secret: agency.secret };
};
let sandbox: HubSandbox;
let hub: BkavAdapter;
let exchangeA: ServiceFixture;
let exchangeB: ServiceFixture;

beforeAll(async () => {
  exchangeA = await serviceFixture('exbkav-a', migrationsDir);
  exchangeB = await serviceFixture('exbkav-b', migrationsDir);
  sandbox = await buildHubSandbox({ agencies });
  await sandbox.app.listen({ host: '127.0.0.1', port: 0 });
  hub = new BkavAdapter(`http://127.0.0.1:${(sandbox.app.server.address() as AddressInfo).port}`, {
    timeoutMs: 3000,
  });
});
afterAll(async () => {
  await sandbox.app.close();
  await exchangeA.close();
  await exchangeB.close();
});

const context = (fixture: ServiceFixture, agencyCode: string) =>
  hubTestContext(fixture, agencyCode, hub, account(agencyCode));

function message(number: string, to: string[]): Buffer {
  const document: EdxmlDocument = {
    header: {
      from: { organId: agencyA, organName: 'Sở Công Thương' },
      to: to.map((organId) => ({ organId })),
      documentId: `${agencyA},2026/12/03,${number}/SCT-VP`,
      code: { codeNumber: number, codeNotation: 'SCT-VP' },
      promulgationInfo: { promulgationDate: '2026-12-03' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: `V/v gửi qua trục Bkav ${number}`,
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-03T10:00:00+07:00' }],
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

const sentId = (answer: SentEdoc): string => {
  if (answer.docId === null) throw new Error('the hub held the message already');
  return answer.docId;
};

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: HubError) => `${error.code}:${error.retriable}:${error.message}`,
  );

describe('the Bkav eDoc adapter and the sandbox’s /EdocService routes', () => {
  it('sends, lists, fetches byte for byte, confirms and lists the organisations under a domain', async () => {
    const edxml = message('301', [agencyB]);
    const docId = sentId(await hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml }));
    // Sent again, the hub answers ExistDoc: the adapter reads it as delivered (no id), and the hub holds it once.
    expect(await hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml })).toEqual({
      docId: null,
      alreadyHeld: true,
    });
    expect(sandbox.messages().filter((m) => m.edxml.equals(edxml))).toHaveLength(1);
    expect(await hub.listReceived(account(agencyB), 'edoc')).toEqual([{ docId, from: '', messageType: 'edoc' }]);
    expect(await hub.listReceived(account(agencyB), 'status')).toEqual([]);
    expect((await fetchWhole(hub, account(agencyB), docId)).equals(edxml)).toBe(true);
    // Only the recipient reads it.
    expect(await refusal(fetchWhole(hub, account(agencyA), docId))).toMatch(/^9999:false:.*21: no such document/);
    await hub.acknowledge(account(agencyB), docId, 'processing'); // Bkav has no such answer: nothing is sent
    expect(await hub.listReceived(account(agencyB), 'edoc')).toHaveLength(1);
    await hub.acknowledge(account(agencyB), docId, 'done');
    expect(await hub.listReceived(account(agencyB), 'edoc')).toEqual([]);
    expect(await hub.listAgencies(account(agencyA))).toEqual([
      { code: agencyB, name: 'Sở Giao thông vận tải', parentCode: agencyA },
    ]);
  });

  it('a refusal (9999 with its reason) is never retried; the hub’s own failure is', async () => {
    const wrong = { ...account(agencyA), secret: 'not-the-token' };
    expect(await refusal(hub.listReceived(wrong, 'edoc'))).toMatch(/^9999:false:.*Unauthorized/);
    expect(
      await refusal(
        hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [], edxml: message('302', ['000.00.99.H56']) }),
      ),
    ).toMatch(/^9999:false:.*18: recipient 000\.00\.99\.H56 unknown/);
    const unprefixed = Buffer.from(
      message('303', [agencyB])
        .toString('utf8')
        .replace(/edXML:Subject>/g, 'Subject>'),
    );
    expect(await refusal(hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [], edxml: unprefixed }))).toMatch(
      /^9999:false:.*22: edXML not conformant/,
    );
    // A status sent as a document is refused; as a status it goes to ResponseFor's organ.
    const status = buildStatusMessage({
      from: { organId: agencyB },
      responseFor: {
        organId: agencyA,
        code: '301/SCT-VP',
        promulgationDate: '2026-12-03',
        documentId: `${agencyA},2026/12/03,301/SCT-VP`,
      },
      statusCode: '03',
      description: 'Đã vào sổ',
      timestamp: '2026-12-03T11:00:00+07:00',
    });
    expect(await refusal(hub.sendEdoc(account(agencyB), { messageType: 'edoc', to: [], edxml: status }))).toMatch(
      /^9999:false/,
    );
    const sent = sentId(await hub.sendEdoc(account(agencyB), { messageType: 'status', to: [], edxml: status }));
    expect(await hub.listReceived(account(agencyA), 'status')).toEqual([
      { docId: sent, from: '', messageType: 'status' },
    ]);
    expect((await fetchWhole(hub, account(agencyA), sent)).equals(status)).toBe(true);
    await hub.acknowledge(account(agencyA), sent, 'done');

    // A hub answering 9999 InternalServer (as Bkav does on an exception) is retried.
    const failing = Fastify();
    failing.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, body, done) =>
      done(null, body),
    );
    failing.post('/EdocService/sendDocument', async () => ({
      status: 'Error',
      code: '9999',
      errors: [{ code: 'InternalServer', message: 'database unavailable' }],
    }));
    await failing.listen({ host: '127.0.0.1', port: 0 });
    try {
      const broken = new BkavAdapter(`http://127.0.0.1:${(failing.server.address() as AddressInfo).port}`);
      const edxml = message('304', [agencyB]);
      expect(await refusal(broken.sendEdoc(account(agencyA), { messageType: 'edoc', to: [], edxml }))).toMatch(
        /^9999:true:.*InternalServer/,
      );
    } finally {
      await failing.close();
    }
  });

  it('a send repeated after its answer was lost is delivered, not failed: ExistDoc marks the exchange sent once', async () => {
    const ctxA = context(exchangeA, agencyA);
    const edxml = message('306', [agencyB]);
    const { exchangeId } = await queueDelivery(
      {
        deliveryId: randomUUID(),
        agencyCode: agencyA,
        documentId: randomUUID(),
        version: 1,
        recipients: [{ organId: agencyB }],
      },
      ctxA,
    );
    await withTransaction(exchangeA.pool, (tx) =>
      storeTestMessage(tx, messagesOf(exchangeA), exchangeId!, {
        edxml,
        edxmlDocumentId: `${agencyA},2026/12/03,306/SCT-VP`,
        at: new Date(),
      }),
    );
    // The first attempt reached the hub, but its answer never came back (the job was rolled back).
    const firstAttempt = sentId(await hub.sendEdoc(account(agencyA), { messageType: 'edoc', to: [agencyB], edxml }));
    expect(await runHubJobs({}, ctxA)).toBe(1);
    const { rows: exchanges } = await exchangeA.pool.query(
      'SELECT state, transport_id, last_error FROM exchanges WHERE id = $1',
      [exchangeId],
    );
    expect(exchanges[0]).toEqual({ state: 'sent', transport_id: null, last_error: null });
    const { rows: jobs } = await exchangeA.pool.query(
      `SELECT state, attempts FROM hub_jobs WHERE exchange_id = $1 AND kind = 'send-edoc'`,
      [exchangeId],
    );
    expect(jobs).toEqual([{ state: 'done', attempts: expect.any(Number) }]);
    const { rows: log } = await exchangeA.pool.query(
      `SELECT outcome, transport_id FROM exchange_log WHERE exchange_id = $1 ORDER BY position`,
      [exchangeId],
    );
    expect(log).toEqual([{ outcome: 'already-held', transport_id: null }]);
    // The log still proves what was sent: a changed byte of the stored message is found (then put back).
    expect((await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).valid).toBe(true);
    const file = messagesOf(exchangeA).pathOf(createHash('sha256').update(edxml).digest('hex'));
    fs.appendFileSync(file, ' ');
    expect(await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).toMatchObject({
      valid: false,
      firstBroken: { reason: 'the stored message no longer has the SHA-256 logged for it' },
    });
    fs.writeFileSync(file, edxml);
    const { rows: events } = await exchangeA.pool.query(
      `SELECT count(*)::int AS n FROM outbox WHERE event_type = 'vn.vanthu.exchange.sent.v1' AND message_key = $1`,
      [exchangeId],
    );
    expect(events[0].n).toBe(1);
    // The recipient has it once, under the first attempt's id.
    expect(
      sandbox
        .messages()
        .filter((m) => m.edxml.equals(edxml))
        .map((m) => m.docId),
    ).toEqual([firstAttempt]);
    await hub.acknowledge(account(agencyB), firstAttempt, 'done'); // taken, so the next test's B sees only its own
  });

  it('two instances exchange a document through the Bkav shape: sent once, stored once, confirmed', async () => {
    const ctxA = context(exchangeA, agencyA);
    const ctxB = context(exchangeB, agencyB);
    const edxml = message('305', [agencyB]);
    const { exchangeId } = await queueDelivery(
      {
        deliveryId: randomUUID(),
        agencyCode: agencyA,
        documentId: randomUUID(),
        version: 1,
        recipients: [{ organId: agencyB }],
      },
      ctxA,
    );
    await withTransaction(exchangeA.pool, (tx) =>
      storeTestMessage(tx, messagesOf(exchangeA), exchangeId!, {
        edxml,
        edxmlDocumentId: `${agencyA},2026/12/03,305/SCT-VP`,
        at: new Date(),
      }),
    );
    expect(await runHubJobs({}, ctxA)).toBe(1);
    const sent = await getExchange({ exchangeId: exchangeId! }, { identity: clerkOf(agencyA), pool: exchangeA.pool });
    expect(sent).toMatchObject({ state: 'sent', hub: 'bkav' });

    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 1, rejected: 0 });
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 0 }); // not confirmed yet: stored once
    const received = await exchangeB.pool.query<{ edxml: Buffer | null; edxml_sha256: string; id: string }>(
      `SELECT id, edxml, edxml_sha256 FROM exchanges WHERE direction = 'received'`,
    );
    expect(received.rows).toHaveLength(1);
    // Stored as a file named by its SHA-256, not in the row.
    expect(received.rows[0]!.edxml).toBeNull();
    expect(fs.readFileSync(messagesOf(exchangeB).pathOf(received.rows[0]!.edxml_sha256)).equals(edxml)).toBe(true);
    // The acknowledgement job confirms it; the create-document job waits for a documents service (none here).
    await runHubJobs({}, ctxB);
    expect(sandbox.messages().find((m) => m.edxml.equals(edxml))!.status).toBe('done');
    expect(await hub.listReceived(account(agencyB), 'edoc')).toEqual([]);
  });
});
