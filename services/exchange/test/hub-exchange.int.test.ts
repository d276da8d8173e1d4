import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServiceIdentitySigner, withTransaction } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { BlobStore, buildApp as buildDocuments, migrationsDir as documentsMigrations } from '@vanthu/documents';
import { migrationsDir } from '../src/config';
import { DocumentsClient } from '../src/clients/documents-client';
import { buildEdxml } from '../src/domain/edxml/build-edxml';
import { nationalHubProfile } from '../src/domain/edxml/model';
import type { EdxmlDocument } from '../src/domain/edxml/model';
import { queueDelivery } from '../src/domain/exchanges/queue-delivery';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { runHubJobs } from '../src/domain/exchanges/run-hub-jobs';
import { getExchange } from '../src/domain/exchanges/get-exchange';
import { verifyExchangeLog } from '../src/domain/exchanges/verify-exchange-log';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { workerContext } from '../src/worker';
import type { WorkerContext } from '../src/worker';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { createIdentityKit } from '../../../test/support/identities';
import { makePdf } from '../../../test/support/pdfs';
import { messagesOf, storeTestMessage } from './hub-test-context';

// Two vanthu instances (agency A and agency B, each its own exchange database) exchange through
// the hub sandbox over HTTP; B's incoming documents are created in a real documents service.

const agencyA = '000.00.31.H56';
const agencyB = '000.00.32.H56';
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'UBND tỉnh', systemId: 'sys-a', secret: 'secret-of-a' },
  { code: agencyB, name: 'Sở Tài chính', systemId: 'sys-b', secret: 'secret-of-b' },
];
const credentialsOf = (code: string) => {
  const agency = agencies.find((a) => a.code === code)!;
  return { agencyCode: agency.code, systemId: agency.systemId, secret: agency.secret };
};

let exchangeA: ServiceFixture;
let exchangeB: ServiceFixture;
let documentsFixture: ServiceFixture;
let documentsApp: ServiceApp;
let sandbox: HubSandbox;
let hubPort = 0;
const store: Parameters<typeof buildHubSandbox>[0]['messages'] = [];
let now = new Date('2026-12-01T02:00:00Z');
const clock = () => now;
const kit = createIdentityKit();
const serviceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const serviceIdentity = createServiceIdentitySigner(
  serviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  'exchange',
);

async function startHub(): Promise<void> {
  sandbox = await buildHubSandbox({ agencies, messages: store });
  await sandbox.app.listen({ host: '127.0.0.1', port: hubPort });
  hubPort = (sandbox.app.server.address() as AddressInfo).port;
}

const base = (agencyCode: string, fixture: ServiceFixture, documentsUrl?: string): WorkerContext => ({
  identity: { userId: 'service:exchange', agencyCode, roles: ['service'] },
  clock,
  logger: fixture.logger,
  hubName: 'vxp',
  hub: new VxpAdapter(`http://127.0.0.1:${hubPort}`, { timeoutMs: 3000 }),
  credentialsFor: (code) => (code === agencyCode ? credentialsOf(code) : undefined),
  ...(documentsUrl ? { documents: new DocumentsClient(documentsUrl), serviceIdentity } : {}),
  topicPrefix: '',
  profile: nationalHubProfile,
  maxMessageBytes: 8 * 1024 * 1024,
  trust: [],
  messages: messagesOf(fixture),
});

let ctxA: ReturnType<typeof workerContext>;
let ctxB: ReturnType<typeof workerContext>;

beforeAll(async () => {
  exchangeA = await serviceFixture('exchange-a', migrationsDir);
  exchangeB = await serviceFixture('exchange-b', migrationsDir);
  documentsFixture = await serviceFixture('exchange-documents', documentsMigrations);
  const blobs = new BlobStore(path.join(documentsFixture.tempDir, 'blobs'));
  await blobs.init();
  documentsApp = await buildDocuments({
    logger: documentsFixture.logger,
    pool: documentsFixture.pool,
    blobs,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey: serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    topicPrefix: '',
    maxUploadBytes: 8 * 1024 * 1024,
  });
  await documentsApp.listen({ host: '127.0.0.1', port: 0 });
  await startHub();
  const documentsUrl = `http://127.0.0.1:${(documentsApp.server.address() as AddressInfo).port}`;
  ctxA = workerContext(base(agencyA, exchangeA), exchangeA.pool, 'test-a');
  ctxB = workerContext(base(agencyB, exchangeB, documentsUrl), exchangeB.pool, 'test-b');
});
afterAll(async () => {
  await sandbox.app.close();
  await documentsApp.close();
  for (const fixture of [exchangeA, exchangeB, documentsFixture]) await fixture.close();
});

function message(pdf: Buffer, to: string[], number = '45'): EdxmlDocument {
  return {
    header: {
      from: { organId: agencyA, organName: 'UBND tỉnh' },
      to: to.map((organId) => ({ organId })),
      documentId: `${agencyA},2026/12/01,${number}/UBND-KT`,
      code: { codeNumber: number, codeNotation: 'UBND-KT' },
      promulgationInfo: { place: 'Thanh Hóa', promulgationDate: '2026-12-01' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: 'V/v liên thông văn bản điện tử',
      signerInfo: { competence: 'KT. CHỦ TỊCH', position: 'Phó Chủ tịch', fullName: 'Nguyễn Văn A' },
      dueDate: '2026-12-20',
      toPlaces: ['Lưu: VT'],
      otherInfo: { priority: 1, pageAmount: 2, appendixes: [] },
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-01T09:00:00+07:00' }],
    business: { businessDocType: 0, businessDocReason: 'Văn bản điện tử mới', receivers: [], replacements: [] },
    attachments: [{ contentId: '1', name: `${number}-UBND-KT.pdf`, contentType: 'application/pdf', content: pdf }],
  };
}

/** Queues a delivery and stores its edXML as the worker would after fetching the issued document. */
async function queueWithMessage(deliveryId: string, edxml: Buffer, to: string[]): Promise<string> {
  const queued = await queueDelivery(
    {
      deliveryId,
      agencyCode: agencyA,
      documentId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
      version: 3,
      recipients: to.map((organId) => ({ organId })),
    },
    ctxA,
  );
  expect(queued.queued).toBe(true);
  await withTransaction(exchangeA.pool, (tx) =>
    storeTestMessage(tx, messagesOf(exchangeA), queued.exchangeId!, {
      edxml,
      edxmlDocumentId: `${agencyA},2026/12/01,45/UBND-KT`,
      at: now,
    }),
  );
  return queued.exchangeId!;
}

const outboxTypes = async (fixture: ServiceFixture): Promise<string[]> =>
  (await fixture.pool.query<{ event_type: string }>('SELECT event_type FROM outbox ORDER BY position')).rows.map(
    (r) => r.event_type,
  );
const jobs = async (fixture: ServiceFixture) =>
  (await fixture.pool.query('SELECT kind, state, attempts, last_error FROM hub_jobs ORDER BY created_at')).rows;

describe('exchange through the hub sandbox', () => {
  it('sends once while the hub is down and back, B receives it as an incoming document, A sees B’s 01', async () => {
    const pdf = await makePdf('exchange-1');
    const edxml = buildEdxml(message(pdf, [agencyB]));
    const deliveryId = '1b0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d';
    const exchangeId = await queueWithMessage(deliveryId, edxml, [agencyB]);
    // A redelivered request adds nothing.
    expect(
      await queueDelivery(
        { deliveryId, agencyCode: agencyA, documentId: exchangeId, version: 1, recipients: [] },
        ctxA,
      ),
    ).toEqual({
      exchangeId: undefined,
      queued: false,
    });

    await sandbox.app.close(); // the hub goes down
    expect(await runHubJobs({}, ctxA)).toBe(1);
    const [waiting] = await jobs(exchangeA);
    expect(waiting).toMatchObject({ kind: 'send-edoc', state: 'pending', attempts: 1 });
    expect(waiting.last_error).toMatch(/cannot be reached/);
    expect(await runHubJobs({}, ctxA)).toBe(0); // not due before its backoff

    await startHub(); // back, on the same port, with what it held
    now = new Date(now.getTime() + 5_000);
    expect(await runHubJobs({}, ctxA)).toBe(1);
    expect(await jobs(exchangeA)).toEqual([expect.objectContaining({ state: 'done', attempts: 2 })]);
    expect(sandbox.messages().filter((m) => m.to === agencyB)).toHaveLength(1);
    const sentHub = sandbox.messages()[0]!;
    expect(sentHub.edxml.equals(edxml)).toBe(true);
    expect(await outboxTypes(exchangeA)).toEqual(['vn.vanthu.exchange.sent.v1']);

    // B polls twice before acknowledging: stored once.
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toEqual({
      documents: 1,
      statuses: 0,
      rejected: 0,
      requests: 0,
    });
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toEqual({
      documents: 0,
      statuses: 0,
      rejected: 0,
      requests: 0,
    });
    expect(await runHubJobs({}, ctxB)).toBeGreaterThanOrEqual(2); // acknowledge, create-document, then 01
    await runHubJobs({}, ctxB);
    expect((await jobs(exchangeB)).map((j) => [j.kind, j.state, j.last_error])).toEqual(
      expect.arrayContaining([
        ['acknowledge', 'done', null],
        ['create-document', 'done', null],
        ['send-status', 'done', null],
      ]),
    );
    expect(sentHub.status).toBe('done');
    expect(await outboxTypes(exchangeB)).toEqual(['vn.vanthu.exchange.received.v1', 'vn.vanthu.exchange.status.v1']);
    const received = (
      await exchangeB.pool.query<{ document_id: string }>(
        `SELECT document_id FROM exchanges WHERE direction = 'received'`,
      )
    ).rows[0]!;
    const { rows: docs } = await documentsFixture.pool.query(
      'SELECT agency_code, direction, subject, metadata FROM documents WHERE id = $1',
      [received.document_id],
    );
    expect(docs[0]).toMatchObject({
      agency_code: agencyB,
      direction: 'incoming',
      subject: 'V/v liên thông văn bản điện tử',
    });
    expect(docs[0].metadata).toMatchObject({
      sender: { organId: agencyA, organName: 'UBND tỉnh' },
      codeNumber: '45',
      codeNotation: 'UBND-KT',
      issuedDate: '2026-12-01',
      dueDate: '2026-12-20',
    });
    // The signer's competence is carried whole (documents' field once held 10 characters and it was dropped).
    expect(docs[0].metadata.signer).toEqual({
      competence: 'KT. CHỦ TỊCH',
      fullName: 'Nguyễn Văn A',
      position: 'Phó Chủ tịch',
    });
    const { rows: versions } = await documentsFixture.pool.query(
      'SELECT sha256 FROM document_versions WHERE document_id = $1',
      [received.document_id],
    );
    expect(versions[0].sha256).toBe(createHash('sha256').update(pdf).digest('hex'));

    // A receives B's 01 and shows it in the trail.
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toEqual({
      documents: 0,
      statuses: 1,
      rejected: 0,
      requests: 0,
    });
    await runHubJobs({}, ctxA);
    const view = await getExchange({ exchangeId }, { identity: ctxA.identity, pool: exchangeA.pool });
    expect(view.state).toBe('sent');
    expect(view.statuses).toEqual([
      expect.objectContaining({ direction: 'received', organId: agencyB, statusCode: '01' }),
    ]);
    expect(view.log.map((l) => l.outcome)).toEqual(['accepted', 'recorded']);
    expect(await outboxTypes(exchangeA)).toEqual(['vn.vanthu.exchange.sent.v1', 'vn.vanthu.exchange.status.v1']);

    // The log verifies; a changed byte in a logged message is detected; the log refuses changes.
    expect(await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).toMatchObject({
      valid: true,
      entries: 2,
    });
    // The message is a file of the message store, named by its SHA-256.
    const file = messagesOf(exchangeA).pathOf(createHash('sha256').update(edxml).digest('hex'));
    expect(fs.readFileSync(file).equals(edxml)).toBe(true);
    const tampered = Buffer.from(edxml);
    tampered[tampered.length - 20]! ^= 0x01;
    fs.writeFileSync(file, tampered);
    expect(await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).toMatchObject({
      valid: false,
      firstBroken: { position: 1, reason: expect.stringMatching(/SHA-256/) },
    });
    // A row from before messages moved to files keeps its bytes in the database, and is read from there.
    fs.rmSync(file);
    await exchangeA.pool.query('UPDATE exchanges SET edxml = $2, edxml_in_file = false WHERE id = $1', [
      exchangeId,
      edxml,
    ]);
    expect(await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).toMatchObject({
      valid: true,
    });
    await exchangeA.pool.query('UPDATE exchanges SET edxml = $2 WHERE id = $1', [exchangeId, tampered]);
    expect(await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).toMatchObject({
      valid: false,
      firstBroken: { position: 1, reason: expect.stringMatching(/SHA-256/) },
    });
    await expect(exchangeA.pool.query(`UPDATE exchange_log SET outcome = 'x'`)).rejects.toThrow(/append-only/);
    await expect(exchangeA.pool.query('DELETE FROM exchange_log')).rejects.toThrow(/append-only/);
  });

  it('never retries a business refusal: an unknown recipient is refused with code 18 and logged', async () => {
    const stranger = '000.00.99.H56';
    const edxml = buildEdxml(message(await makePdf('exchange-2'), [stranger], '46'));
    const exchangeId = await queueWithMessage('2b0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d', edxml, [stranger]);
    expect(await runHubJobs({}, ctxA)).toBe(1);
    const view = await getExchange({ exchangeId }, { identity: ctxA.identity, pool: exchangeA.pool });
    expect(view.state).toBe('failed');
    expect(view.lastError).toMatch(/recipient 000\.00\.99\.H56 unknown/);
    expect(view.log.map((l) => l.outcome)).toEqual(['refused:18']);
    now = new Date(now.getTime() + 3600_000);
    expect(await runHubJobs({}, ctxA)).toBe(0);
  });

  it('refuses a non-conformant incoming message with status 02 naming the rules, and creates no document', async () => {
    const pdf = await makePdf('exchange-3');
    const bad = buildEdxml(message(pdf, [agencyB], '47'))
      .toString('utf8')
      .replace(/edXML:Subject>/g, 'Subject>');
    // A lax hub delivered it (the sandbox itself refuses it on sendEdoc: code 22).
    const refused = await new VxpAdapter(`http://127.0.0.1:${hubPort}`)
      .sendEdoc(credentialsOf(agencyA), { messageType: 'edoc', to: [agencyB], edxml: Buffer.from(bad) })
      .catch((error: { code: string }) => error.code);
    expect(refused).toBe('22');
    store.push({
      docId: 'lax-hub-1',
      from: agencyA,
      to: agencyB,
      messageType: 'edoc',
      edxml: Buffer.from(bad),
      sha256: createHash('sha256').update(bad).digest('hex'),
      status: 'initial',
      createdAt: now,
      updatedAt: now,
    });
    const before = (await documentsFixture.pool.query('SELECT count(*)::int AS n FROM documents')).rows[0].n;
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toEqual({
      documents: 0,
      statuses: 0,
      rejected: 1,
      requests: 0,
    });
    await runHubJobs({}, ctxB);
    const statusToA = sandbox.messages().filter((m) => m.to === agencyA && m.messageType === 'status');
    const last = statusToA[statusToA.length - 1]!.edxml.toString('utf8');
    expect(last).toContain('<edXML:StatusCode>02</edXML:StatusCode>');
    expect(last).toContain('edxml.prefix');
    expect((await documentsFixture.pool.query('SELECT count(*)::int AS n FROM documents')).rows[0].n).toBe(before);
  });
});
