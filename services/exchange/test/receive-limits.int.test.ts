import fs from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../src/config';
import { buildEdxml } from '../src/domain/edxml/build-edxml';
import { parseEdxml } from '../src/domain/edxml/parse-edxml';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { runHubJobs } from '../src/domain/exchanges/run-hub-jobs';
import { verifyExchangeLog } from '../src/domain/exchanges/verify-exchange-log';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { workerContext } from '../src/worker';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { makePdf } from '../../../test/support/pdfs';
import {
  agencyA,
  agencyB,
  credentialsOf,
  messagesOf,
  startTestHub,
  testMessage,
  vxpWorkerBase,
} from './hub-test-context';
import type { TestHub } from './hub-test-context';

// What is too large to receive, through the real receive path (B polls the hub sandbox over VXP). B takes
// attachments of at most 256 KiB here (MAX_MESSAGE_BYTES; 8 MiB elsewhere in the tests):
// - a message whose bytes pass what B spools for that limit (its base64 and 4 MiB for the header) is not taken
//   at all: the hub is told `fail`, and B keeps no row, no log entry, no job and no file;
// - a message within that but carrying an attachment over the limit is recorded as rejected, logged, and answered
//   with status 02 naming the rule, and nothing becomes an incoming document; its parse leaves no file behind.

const limitBytes = 256 * 1024;
let exchangeB: ServiceFixture;
let hub: TestHub;
let ctxB: ReturnType<typeof workerContext>;
let sender: VxpAdapter;
const now = new Date('2026-12-07T03:00:00Z');

const message = (pdf: Buffer, number: string) => testMessage(pdf, number, 'V/v gửi văn bản có tệp đính kèm quá lớn');

/** A PDF of about `size` bytes (makePdf's text, then padding in a comment, still a PDF by its head). */
const pdfOf = async (size: number, label: string) => {
  const pdf = await makePdf(label, 1);
  return Buffer.concat([pdf, Buffer.from(`\n%${'0'.repeat(Math.max(0, size - pdf.length - 2))}`)]);
};
const count = async (table: string) =>
  (await exchangeB.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
const storedFiles = async () => {
  const found: string[] = [];
  for await (const file of messagesOf(exchangeB).listFiles()) found.push(file.sha256);
  return found;
};
const partials = () => {
  const tmp = path.join(exchangeB.tempDir, 'exchange-messages', 'tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
};

beforeAll(async () => {
  exchangeB = await serviceFixture('exchange-limits', migrationsDir);
  hub = await startTestHub({ messages: [] });
  sender = new VxpAdapter(hub.url, { timeoutMs: 5000 });
  ctxB = workerContext(
    {
      // A 5.6 MB answer is streamed through a JSON tokeniser in JavaScript: on a loaded machine (the fresh-clone CI)
      // that took longer than the 3 s the other tests allow, and the fetch was aborted before the limit was reached.
      ...vxpWorkerBase({
        agencyCode: agencyB,
        fixture: exchangeB,
        hubUrl: hub.url,
        clock: () => now,
        hubTimeoutMs: 60_000,
      }),
      maxMessageBytes: limitBytes,
    },
    exchangeB.pool,
    'limits-b',
  );
});

afterAll(async () => {
  await hub?.close();
  await exchangeB?.close();
});

it('does not take a message larger than it spools: the hub hears fail, and nothing is kept', async () => {
  // 4 MiB of PDF: about 5.6 MB of base64, past 256 KiB's base64 and the 4 MiB of room for the header.
  const edxml = buildEdxml(message(await pdfOf(4 * 1024 * 1024, 'qua-lon'), '31'));
  const { docId } = await sender.sendEdoc(credentialsOf(agencyA), { messageType: 'edoc', to: [agencyB], edxml });
  expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toEqual({
    documents: 0,
    statuses: 0,
    rejected: 0,
    requests: 0,
  });
  expect(hub.sandbox.messages().find((m) => m.docId === docId)?.status).toBe('fail');
  // The hub no longer offers it: the next poll takes nothing.
  expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 0, rejected: 0 });
  for (const table of ['exchanges', 'exchange_log', 'hub_jobs', 'exchange_statuses'])
    expect(await count(table)).toBe(0);
  expect(await storedFiles()).toEqual([]);
  expect(partials()).toEqual([]);
});

it('rejects a message whose attachment is over the limit with status 02 naming the rule, registering nothing', async () => {
  const edxml = buildEdxml(message(await pdfOf(limitBytes + 1024, 'dinh-kem-lon'), '32'));
  const { docId } = await sender.sendEdoc(credentialsOf(agencyA), { messageType: 'edoc', to: [agencyB], edxml });
  expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 0, rejected: 1 });
  const { rows } = await exchangeB.pool.query<{ id: string; state: string; problems: { rule: string }[] }>(
    'SELECT id, state, problems FROM exchanges',
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]!.state).toBe('rejected');
  expect(rows[0]!.problems.map((p) => p.rule)).toContain('edxml.attachment.size');
  // The acknowledgement and the 02 go out; no incoming document is ever asked of documents.
  await runHubJobs({}, ctxB);
  const jobs = (await exchangeB.pool.query<{ kind: string; state: string }>('SELECT kind, state FROM hub_jobs')).rows;
  expect(jobs.map((j) => j.kind).sort()).toEqual(['acknowledge', 'send-status']);
  expect(jobs.every((j) => j.state === 'done')).toBe(true);
  expect(hub.sandbox.messages().find((m) => m.docId === docId)?.status).toBe('done');
  const [answer] = hub.sandbox.messages().filter((m) => m.to === agencyA && m.messageType === 'status');
  const status = parseEdxml(answer!.edxml);
  if (status.kind !== 'status') throw new Error('not a status message');
  expect(status.status).toMatchObject({
    statusCode: '02',
    responseFor: { documentId: `${agencyA},2026/12/07,32/UBND-KT` },
  });
  expect(status.status.description).toMatch(/^edxml\.attachment\.size: attachment 32\.pdf is larger than 262144 bytes/);
  // Logged as rejected, the chain verifies; only logged messages have files, and the parse's scratch is gone.
  const log = (await exchangeB.pool.query<{ outcome: string }>('SELECT outcome FROM exchange_log')).rows;
  expect(log.map((l) => l.outcome)).toContain('rejected');
  expect(await verifyExchangeLog({}, { pool: exchangeB.pool, messages: messagesOf(exchangeB) })).toMatchObject({
    valid: true,
  });
  const logged = (
    await exchangeB.pool.query<{ sha: string }>('SELECT DISTINCT message_sha256 AS sha FROM exchange_log')
  ).rows.map((r) => r.sha);
  expect((await storedFiles()).sort()).toEqual(logged.sort()); // the rejected message and the 02 sent back
  expect(partials()).toEqual([]);
});
