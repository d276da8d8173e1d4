import fs from 'node:fs';
import { withTransaction } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { buildEdxml } from '../src/domain/edxml/build-edxml';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { sweepOrphanMessages } from '../src/domain/exchanges/sweep-orphan-messages';
import type { HubSandbox } from '../src/hub-sandbox/sandbox-app';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { makePdf } from '../../../test/support/pdfs';
import {
  agencyA,
  agencyB,
  credentialsOf,
  hubTestContext,
  messagesOf,
  startTestHub,
  testMessage,
} from './hub-test-context';
import type { TestHub } from './hub-test-context';

// The orphan sweep of MESSAGE_DIR: a receipt whose transaction rolls back after its message was spooled leaves a
// file no row names; the sweep removes it once it is older than the grace period, and keeps a file a committed
// receipt names and a file written a moment ago (a receipt or send still in flight). Age is given to files with
// utimes, as the grace period is an hour.

const graceMs = 60 * 60_000;

let exchangeB: ServiceFixture;
let testHub: TestHub;
let sandbox: HubSandbox;
let hub: VxpAdapter;

const message = (pdf: Buffer, number: string) => testMessage(pdf, number, 'V/v thu gom tệp thông điệp mồ côi');

beforeAll(async () => {
  exchangeB = await serviceFixture('exchange-sweep', migrationsDir);
  testHub = await startTestHub({ messages: [] });
  sandbox = testHub.sandbox;
  hub = new VxpAdapter(testHub.url, { timeoutMs: 5000 });
});

afterAll(async () => {
  await testHub.close();
  await exchangeB.close();
});

const age = (file: string, ms: number) => {
  const then = new Date(Date.now() - ms);
  fs.utimesSync(file, then, then);
};

it('collects the file of a rolled-back receipt, keeps a referenced file and a fresh one', async () => {
  const messages = messagesOf(exchangeB);
  const ctx = hubTestContext(exchangeB, agencyB, hub, credentialsOf(agencyB));
  const files = async () => {
    const found: string[] = [];
    for await (const file of messages.listFiles()) found.push(file.sha256);
    return found;
  };
  // A committed receipt: its row names its file. The hub is then told it was taken, so it lists it no more.
  await hub.sendEdoc(credentialsOf(agencyA), {
    messageType: 'edoc',
    to: [agencyB],
    edxml: buildEdxml(message(await makePdf('kept', 1), '12')),
  });
  expect(await receiveFromHub({ agencyCode: agencyB }, ctx)).toMatchObject({ documents: 1 });
  const referenced = await files();
  expect(referenced).toHaveLength(1);
  for (const held of sandbox.messages().filter((m) => m.to === agencyB)) {
    await hub.acknowledge(credentialsOf(agencyB), held.docId, 'done');
  }
  const rows = async () => (await exchangeB.pool.query('SELECT count(*)::int AS n FROM exchanges')).rows[0].n;
  expect(await rows()).toBe(1);

  // A receipt whose commit fails: everything it did in the database rolls back, its spooled file stays.
  await hub.sendEdoc(credentialsOf(agencyA), {
    messageType: 'edoc',
    to: [agencyB],
    edxml: buildEdxml(message(await makePdf('orphan', 1), '11')),
  });
  const failing = {
    ...ctx,
    runInTransaction: async <T>(work: (tx: never) => Promise<T>) =>
      withTransaction(exchangeB.pool, async (tx) => {
        await work(tx as never);
        throw new Error('the commit failed');
      }),
  } as typeof ctx;
  await expect(receiveFromHub({ agencyCode: agencyB }, failing)).rejects.toThrow(/commit failed/);
  expect(await rows()).toBe(1);
  const [orphan] = (await files()).filter((sha) => !referenced.includes(sha));
  expect(orphan).toBeDefined();

  // Everything older than the grace period except a file written just now, in flight.
  for (const sha of await files()) age(messages.pathOf(sha), 2 * graceMs);
  const fresh = await messages.spoolBytes(Buffer.from('<edXML>still being received</edXML>'));
  const outcome = await sweepOrphanMessages({ graceMs }, { pool: exchangeB.pool, messages, logger: exchangeB.logger });
  expect(outcome).toMatchObject({ removed: 1, restored: 0 });
  const left = await files();
  expect(left).not.toContain(orphan);
  expect(left.sort()).toEqual([...referenced, fresh.sha256].sort());
  expect(fs.existsSync(messages.pathOf(orphan!))).toBe(false);
  // A second sweep finds nothing more to do.
  expect(
    await sweepOrphanMessages({ graceMs }, { pool: exchangeB.pool, messages, logger: exchangeB.logger }),
  ).toMatchObject({ removed: 0 });
});
