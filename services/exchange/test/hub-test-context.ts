import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tx } from '@vanthu/platform';
import { storeBuiltMessage } from '../src/repositories/exchanges-repository';
import { BlobStore } from '@vanthu/platform';
import { nationalHubProfile } from '../src/domain/edxml/model';
import type { HubAdapter, HubCredentials } from '../src/hub/hub-adapter';
import { workerContext } from '../src/worker';
import type { ServiceFixture } from '../../../test/support/service-fixture';

/** The worker's context of one agency talking to `hub` with `credentials`, without documents or signing. */
export function hubTestContext(
  fixture: ServiceFixture,
  agencyCode: string,
  hub: HubAdapter,
  credentials: HubCredentials,
  clock: () => Date = () => new Date(),
  messages: BlobStore = messagesOf(fixture),
) {
  return workerContext(
    {
      identity: { userId: 'service:exchange', agencyCode, roles: ['service'] },
      clock,
      logger: fixture.logger,
      hubName: hub.name,
      hub,
      credentialsFor: (code) => (code === agencyCode ? credentials : undefined),
      topicPrefix: '',
      profile: nationalHubProfile,
      maxMessageBytes: 8 * 1024 * 1024,
      trust: [],
      messages,
    },
    fixture.pool,
    `${hub.name}-test`,
  );
}

/** A message store (MESSAGE_DIR) in a temporary directory of its own, removed when the test process exits. */
export function testMessageStore(): BlobStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exchange-messages-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return new BlobStore(dir);
}

const stores = new WeakMap<ServiceFixture, BlobStore>();
/**
 * The message store of the exchange instance whose database is `fixture`'s (one per instance, like MESSAGE_DIR), in
 * the fixture's temporary directory, which its teardown removes.
 */
export function messagesOf(fixture: ServiceFixture): BlobStore {
  const found = stores.get(fixture) ?? new BlobStore(path.join(fixture.tempDir, 'exchange-messages'));
  stores.set(fixture, found);
  return found;
}

/** A message fetched from a hub, gathered into memory (tests of small messages compare the bytes). */
export async function fetchWhole(hub: HubAdapter, account: HubCredentials, docId: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await hub.getEdoc(account, docId, async (chunk) => void chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks);
}

/** A built outgoing message stored as the hub job would have stored it. */
export async function storeTestMessage(
  tx: Tx,
  messages: BlobStore,
  exchangeId: string,
  message: { edxml: Buffer; edxmlDocumentId: string; at: Date },
): Promise<void> {
  const stored = await messages.spoolBytes(message.edxml);
  await storeBuiltMessage(tx, exchangeId, { stored, edxmlDocumentId: message.edxmlDocumentId, at: message.at });
}
