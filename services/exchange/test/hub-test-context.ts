import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createServiceIdentitySigner } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { storeBuiltMessage } from '../src/repositories/exchanges-repository';
import { BlobStore } from '@vanthu/platform';
import { DocumentsClient } from '../src/clients/documents-client';
import { nationalHubProfile } from '../src/domain/edxml/model';
import type { EdxmlDocument } from '../src/domain/edxml/model';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import type { HubAdapter, HubCredentials } from '../src/hub/hub-adapter';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { workerContext } from '../src/worker';
import type { WorkerContext } from '../src/worker';
import type { ServiceFixture } from '../../../test/support/service-fixture';

/** The two agencies of the hub tests: A (a province's People's Committee) sends, B (one of its departments) receives. */
export const agencyA = '000.00.31.H56';
export const agencyB = '000.00.32.H56';
export const testAgencies: SandboxAgency[] = [
  { code: agencyA, name: 'UBND tỉnh', systemId: 'sys-a', secret: 'secret-of-a' },
  { code: agencyB, name: 'Sở Tài chính', systemId: 'sys-b', secret: 'secret-of-b' },
];

/** A công văn from A to B numbered `number`/UBND-KT of 7 December 2026, carrying `pdf`. */
export function testMessage(pdf: Buffer, number: string, subject: string): EdxmlDocument {
  return {
    header: {
      from: { organId: agencyA, organName: 'UBND tỉnh' },
      to: [{ organId: agencyB }],
      documentId: `${agencyA},2026/12/07,${number}/UBND-KT`,
      code: { codeNumber: number, codeNotation: 'UBND-KT' },
      promulgationInfo: { promulgationDate: '2026-12-07' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject,
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-07T09:00:00+07:00' }],
    attachments: [{ contentId: '1', name: `${number}.pdf`, contentType: 'application/pdf', content: pdf }],
  };
}

/** An agency's hub account (VXP system id and secret), as the sandbox registered it. */
export function credentialsOf(code: string, agencies: SandboxAgency[] = testAgencies): HubCredentials {
  const agency = agencies.find((a) => a.code === code)!;
  return { agencyCode: agency.code, systemId: agency.systemId, secret: agency.secret };
}

export type TestHub = { sandbox: HubSandbox; url: string; port: number; close: () => Promise<void> };

/**
 * The hub sandbox listening on a port (`port`, to restart it where it was; any free one by default), with the test
 * agencies and `messages` as its store (kept across a restart when the caller passes the same array).
 */
export async function startTestHub(
  options: Omit<Parameters<typeof buildHubSandbox>[0], 'agencies'> & { agencies?: SandboxAgency[]; port?: number } = {},
): Promise<TestHub> {
  const { agencies = testAgencies, port = 0, ...rest } = options;
  const sandbox = await buildHubSandbox({ agencies, ...rest });
  await sandbox.app.listen({ host: '127.0.0.1', port });
  const bound = (sandbox.app.server.address() as AddressInfo).port;
  return { sandbox, url: `http://127.0.0.1:${bound}`, port: bound, close: () => sandbox.app.close() };
}

/** A service identity key pair: the exchange service's signer and the public key documents checks it with. */
export function testServiceIdentity() {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    serviceIdentity: createServiceIdentitySigner(
      keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'exchange',
    ),
  };
}

/**
 * The worker's base context of one agency over VXP at `hubUrl`; with `documents`, it creates incoming documents
 * there in the exchange service's name.
 */
export function vxpWorkerBase(options: {
  agencyCode: string;
  fixture: ServiceFixture;
  hubUrl: string;
  clock: () => Date;
  documents?: { url: string; serviceIdentity: WorkerContext['serviceIdentity'] };
  /** How long a hub call may take, its answer's body included (3 s; more for a test that moves megabytes). */
  hubTimeoutMs?: number;
}): WorkerContext {
  const { agencyCode, fixture } = options;
  return {
    identity: { userId: 'service:exchange', agencyCode, roles: ['service'] },
    clock: options.clock,
    logger: fixture.logger,
    hubName: 'vxp',
    hub: new VxpAdapter(options.hubUrl, { timeoutMs: options.hubTimeoutMs ?? 3000 }),
    credentialsFor: (code) => (code === agencyCode ? credentialsOf(code) : undefined),
    ...(options.documents
      ? { documents: new DocumentsClient(options.documents.url), serviceIdentity: options.documents.serviceIdentity }
      : {}),
    topicPrefix: '',
    profile: nationalHubProfile,
    maxMessageBytes: 8 * 1024 * 1024,
    trust: [],
    messages: messagesOf(fixture),
  };
}

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
