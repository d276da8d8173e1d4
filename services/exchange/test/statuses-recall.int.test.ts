import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  deliveryRequestedV1,
  documentRecalledV1,
  documentRegisteredV1,
  eventCatalogue,
  processCompletedV1,
  taskAssignedV1,
  taskClaimedV1,
} from '@vanthu/contracts';
import type { EventDefinition } from '@vanthu/contracts';
import { AppError, assertEventData, createEvent, createServiceIdentitySigner, withTransaction } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { BlobStore, buildApp as buildDocuments, migrationsDir as documentsMigrations } from '@vanthu/documents';
import { buildApp } from '../src/app';
import { migrationsDir } from '../src/config';
import { DocumentsClient } from '../src/clients/documents-client';
import { buildEdxml } from '../src/domain/edxml/build-edxml';
import { nationalHubProfile } from '../src/domain/edxml/model';
import type { EdxmlDocument } from '../src/domain/edxml/model';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { runHubJobs } from '../src/domain/exchanges/run-hub-jobs';
import { getExchange } from '../src/domain/exchanges/get-exchange';
import { verifyExchangeLog } from '../src/domain/exchanges/verify-exchange-log';
import { exchangeHandlers } from '../src/events/consumers';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { workerContext } from '../src/worker';
import type { WorkerContext } from '../src/worker';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { clerkOf, createIdentityKit } from '../../../test/support/identities';
import { makePdf } from '../../../test/support/pdfs';
import { messagesOf, storeTestMessage } from './hub-test-context';

// The status flows both ways and the recall, between two instances (A issues, B receives) over the hub
// sandbox: B's 03–06 follow documents' and routing's events (fed to the real handlers in a transaction, as
// the inbox does), B's clerk returns one document (02) and agrees to A's recall (15) over HTTP, which
// revokes the incoming document in a real documents service; A sees every status in its trail.

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
let appB: ServiceApp;
let sandbox: HubSandbox;
const now = new Date('2026-12-02T02:00:00Z');
const clock = () => now;
const kit = createIdentityKit();
const serviceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const serviceIdentity = createServiceIdentitySigner(
  serviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  'exchange',
);
let ctxA: ReturnType<typeof workerContext>;
let ctxB: ReturnType<typeof workerContext>;
let baseA: WorkerContext;
let baseB: WorkerContext;

const base = (agencyCode: string, fixture: ServiceFixture, hubUrl: string, documentsUrl?: string): WorkerContext => ({
  identity: { userId: 'service:exchange', agencyCode, roles: ['service'] },
  clock,
  logger: fixture.logger,
  hubName: 'vxp',
  hub: new VxpAdapter(hubUrl, { timeoutMs: 3000 }),
  credentialsFor: (code) => (code === agencyCode ? credentialsOf(code) : undefined),
  ...(documentsUrl ? { documents: new DocumentsClient(documentsUrl), serviceIdentity } : {}),
  topicPrefix: '',
  profile: nationalHubProfile,
  maxMessageBytes: 8 * 1024 * 1024,
  trust: [],
  messages: messagesOf(fixture),
});

beforeAll(async () => {
  exchangeA = await serviceFixture('exstatus-a', migrationsDir);
  exchangeB = await serviceFixture('exstatus-b', migrationsDir);
  documentsFixture = await serviceFixture('exstatus-documents', documentsMigrations);
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
  sandbox = await buildHubSandbox({ agencies });
  await sandbox.app.listen({ host: '127.0.0.1', port: 0 });
  const hubUrl = `http://127.0.0.1:${(sandbox.app.server.address() as AddressInfo).port}`;
  const documentsUrl = `http://127.0.0.1:${(documentsApp.server.address() as AddressInfo).port}`;
  baseA = base(agencyA, exchangeA, hubUrl);
  baseB = base(agencyB, exchangeB, hubUrl, documentsUrl);
  ctxA = workerContext(baseA, exchangeA.pool, 'test-a');
  ctxB = workerContext(baseB, exchangeB.pool, 'test-b');
  appB = await buildApp({
    logger: exchangeB.logger,
    messages: messagesOf(exchangeB),
    pool: exchangeB.pool,
    identityPublicKey: kit.publicKeyPem,
    documents: new DocumentsClient(documentsUrl),
    clock,
  });
});
afterAll(async () => {
  await appB.close();
  await sandbox.app.close();
  await documentsApp.close();
  for (const fixture of [exchangeA, exchangeB, documentsFixture]) await fixture.close();
});

const definitionOf = (type: string): EventDefinition => eventCatalogue.find((d) => d.type === type)!;

/** Hands an event to the service's handler in a transaction of its own, as the inbox does. */
async function deliver(fixture: ServiceFixture, workerBase: WorkerContext, type: string, data: object): Promise<void> {
  const event = createEvent(definitionOf(type), randomUUID(), data, { source: '/test' });
  await withTransaction(fixture.pool, (tx) => exchangeHandlers(workerBase)[type]!(tx, event));
}

function message(pdf: Buffer, number: string): EdxmlDocument {
  return {
    header: {
      from: { organId: agencyA, organName: 'UBND tỉnh' },
      to: [{ organId: agencyB, organName: 'Sở Tài chính' }],
      documentId: `${agencyA},2026/12/02,${number}/UBND-KT`,
      code: { codeNumber: number, codeNotation: 'UBND-KT' },
      promulgationInfo: { place: 'Thanh Hóa', promulgationDate: '2026-12-02' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: `V/v liên thông văn bản số ${number}`,
      toPlaces: [],
      otherInfo: { priority: 0, appendixes: [] },
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-02T09:00:00+07:00' }],
    business: { businessDocType: 0, businessDocReason: 'Văn bản điện tử mới', receivers: [], replacements: [] },
    attachments: [{ contentId: '1', name: `${number}.pdf`, contentType: 'application/pdf', content: pdf }],
  };
}

/** A sends a document to B through the hub; B receives it and answers 01; returns both exchange ids. */
async function sendToB(number: string, documentId: string): Promise<{ sent: string; received: string }> {
  const edxml = buildEdxml(message(await makePdf(`status-${number}`), number));
  await deliver(exchangeA, baseA, deliveryRequestedV1.type, {
    deliveryId: randomUUID(),
    processId: randomUUID(),
    agencyCode: agencyA,
    documentId,
    version: 2,
    sha256: '0'.repeat(64),
    recipients: [{ organId: agencyB, organName: 'Sở Tài chính' }],
    requestedAt: '2026-12-02T09:00:00+07:00',
  });
  const { rows } = await exchangeA.pool.query<{ id: string }>('SELECT id FROM exchanges WHERE document_id = $1', [
    documentId,
  ]);
  const sent = rows[0]!.id;
  await withTransaction(exchangeA.pool, (tx) =>
    storeTestMessage(tx, messagesOf(exchangeA), sent, {
      edxml,
      edxmlDocumentId: `${agencyA},2026/12/02,${number}/UBND-KT`,
      at: now,
    }),
  );
  await runHubJobs({}, ctxA);
  expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 1 });
  await runHubJobs({}, ctxB);
  await runHubJobs({}, ctxB);
  const received = await exchangeB.pool.query<{ id: string; document_id: string }>(
    `SELECT id, document_id FROM exchanges WHERE direction = 'received' AND edxml_document_id = $1`,
    [`${agencyA},2026/12/02,${number}/UBND-KT`],
  );
  expect(received.rows[0]!.document_id).toBeTruthy();
  return { sent, received: received.rows[0]!.id };
}

const trail = async (exchangeId: string) =>
  (await getExchange({ exchangeId }, { identity: clerkOf(agencyA), pool: exchangeA.pool })).statuses.map(
    (s) => `${s.direction}:${s.organId}:${s.statusCode}`,
  );
const receivedDocumentOf = async (exchangeId: string) =>
  (await exchangeB.pool.query<{ document_id: string }>('SELECT document_id FROM exchanges WHERE id = $1', [exchangeId]))
    .rows[0]!.document_id;
const sentStatusCodes = () =>
  sandbox
    .messages()
    .filter((m) => m.from === agencyB && m.messageType === 'status')
    .map((m) => /<edXML:StatusCode>(\d\d)</.exec(m.edxml.toString('utf8'))![1]);
const outbox = async (fixture: ServiceFixture) =>
  (
    await fixture.pool.query<{ event_type: string; data: unknown }>(
      'SELECT event_type, data FROM outbox ORDER BY position',
    )
  ).rows;
const asClerk = (agencyCode: string) => ({ 'x-vanthu-identity': kit.assertionFor(clerkOf(agencyCode)) });

describe('statuses 01–06 driven by events, the clerk’s return (02) and a recall answered 15', () => {
  const documentA1 = randomUUID();
  let first: { sent: string; received: string };

  it('sends 03, 04, 05 and 06 once each, in order, as documents and routing report B’s handling', async () => {
    first = await sendToB('101', documentA1);
    const documentB = await receivedDocumentOf(first.received);
    const registered = {
      documentId: documentB,
      agencyCode: agencyB,
      direction: 'incoming',
      registerId: randomUUID(),
      year: 2026,
      number: 17,
      notation: '101/UBND-KT',
      documentIdentifier: `${agencyA},2026/12/02,101/UBND-KT`,
      typeCode: 'CV',
      urgency: 'normal',
      registeredBy: 'van-thu-1',
      registeredAt: '2026-12-02T09:10:00+07:00',
    };
    await deliver(exchangeB, baseB, documentRegisteredV1.type, registered);
    await deliver(exchangeB, baseB, documentRegisteredV1.type, registered); // redelivered: nothing more
    const processId = randomUUID();
    const leadTask = randomUUID();
    const task = { processId, agencyCode: agencyB, documentId: documentB, at: '2026-12-02T09:20:00+07:00' };
    // The registration task has no distribution role: it is not an assignment.
    await deliver(exchangeB, baseB, taskAssignedV1.type, { ...task, taskId: randomUUID(), step: 'registration' });
    await deliver(exchangeB, baseB, taskAssignedV1.type, { ...task, taskId: leadTask, step: 'lead', role: 'lead' });
    await deliver(exchangeB, baseB, taskAssignedV1.type, {
      ...task,
      taskId: randomUUID(),
      step: 'support',
      role: 'cooperate',
    });
    await deliver(exchangeB, baseB, taskClaimedV1.type, { ...task, taskId: randomUUID(), step: 'support' }); // not the lead's
    await deliver(exchangeB, baseB, documentRegisteredV1.type, { ...registered, number: 18 }); // late: 03 never after 04
    await deliver(exchangeB, baseB, taskClaimedV1.type, { ...task, taskId: leadTask, step: 'lead' });
    await deliver(exchangeB, baseB, processCompletedV1.type, {
      processId,
      agencyCode: agencyB,
      kind: 'incoming',
      documentId: documentB,
      outcome: 'closed',
      completedAt: '2026-12-02T10:00:00+07:00',
    });
    await runHubJobs({}, ctxB);
    expect(sentStatusCodes()).toEqual(['01', '03', '04', '05', '06']);
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toMatchObject({ statuses: 5 });
    expect(await trail(first.sent)).toEqual(
      ['01', '03', '04', '05', '06'].map((code) => `received:${agencyB}:${code}`),
    );
    const view = await getExchange({ exchangeId: first.sent }, { identity: clerkOf(agencyA), pool: exchangeA.pool });
    expect(view.latestStatusByOrgan).toEqual([expect.objectContaining({ organId: agencyB, statusCode: '06' })]);
    const registeredStatus = sandbox
      .messages()
      .find((m) => m.from === agencyB && m.edxml.includes('<edXML:StatusCode>03<'))!;
    expect(registeredStatus.edxml.toString('utf8')).toContain('số đến 17');
    // Another agency sees none of it.
    await expect(
      getExchange({ exchangeId: first.sent }, { identity: clerkOf(agencyB), pool: exchangeA.pool }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets B’s clerk return a document with a reason (02), and no longer once it is registered', async () => {
    const second = await sendToB('102', randomUUID());
    const returnIt = (exchangeId: string, body: object, agency = agencyB) =>
      appB.inject({
        method: 'POST',
        url: `/v1/exchanges/${exchangeId}/return`,
        headers: asClerk(agency),
        payload: body,
      });
    expect((await returnIt(second.received, {})).statusCode).toBe(400);
    expect((await returnIt(second.received, { reason: 'x'.repeat(1001) })).statusCode).toBe(400);
    expect((await returnIt(second.received, { reason: 'Sai thẩm quyền' }, agencyA)).statusCode).toBe(404);
    const specialist = await appB.inject({
      method: 'POST',
      url: `/v1/exchanges/${second.received}/return`,
      headers: { 'x-vanthu-identity': kit.assertionFor({ userId: 'cv', agencyCode: agencyB, roles: ['specialist'] }) },
      payload: { reason: 'Sai thẩm quyền' },
    });
    expect(specialist.statusCode).toBe(403);
    const returned = await returnIt(second.received, { reason: 'Văn bản gửi sai thẩm quyền giải quyết' });
    expect(returned.statusCode).toBe(200);
    expect(returned.json()).toMatchObject({ state: 'returned' });
    expect((await returnIt(second.received, { reason: 'again' })).statusCode).toBe(409);
    expect((await returnIt(first.received, { reason: 'late' })).statusCode).toBe(409); // registered already
    await runHubJobs({}, ctxB);
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toMatchObject({ statuses: 2 });
    const view = await getExchange({ exchangeId: second.sent }, { identity: clerkOf(agencyA), pool: exchangeA.pool });
    expect(view.statuses.map((s) => [s.statusCode, s.description])).toEqual([
      ['01', 'Đã đến'],
      ['02', 'Văn bản gửi sai thẩm quyền giải quyết'],
    ]);
  });

  it('sends A’s recall to B, where the clerk agrees (15): B’s document is revoked and A hears 15', async () => {
    await deliver(exchangeA, baseA, documentRecalledV1.type, {
      documentId: documentA1,
      agencyCode: agencyA,
      direction: 'outgoing',
      status: 'recalled',
      notation: '101/UBND-KT',
      reason: 'Văn bản ban hành sai thể thức',
      recalledBy: 'van-thu-a',
      recalledAt: '2026-12-02T11:00:00+07:00',
    });
    await deliver(exchangeA, baseA, documentRecalledV1.type, {
      documentId: documentA1,
      agencyCode: agencyA,
      direction: 'outgoing',
      status: 'recalled',
      notation: '101/UBND-KT',
      reason: 'Văn bản ban hành sai thể thức',
      recalledBy: 'van-thu-a',
      recalledAt: '2026-12-02T11:00:00+07:00',
    }); // redelivered: one recall only
    await runHubJobs({}, ctxA);
    const recallMessages = sandbox
      .messages()
      .filter((m) => m.from === agencyA && m.edxml.includes('BussinessDocType>1<'));
    expect(recallMessages).toHaveLength(1);
    expect(recallMessages[0]!.edxml.toString('utf8')).toContain(`<edXML:DocumentId>${agencyA},2026/12/02,101/UBND-KT<`);
    expect(await trail(first.sent)).toContain(`sent:${agencyB}:13`);
    const eventsA = await outbox(exchangeA);
    const requested = eventsA.find((e) => e.event_type === 'vn.vanthu.exchange.recall-requested.v1')!;
    expect(() => assertEventData(definitionOf(requested.event_type), requested.data)).not.toThrow();
    expect(requested.data).toMatchObject({ side: 'sender', businessDocType: 1, counterparts: [agencyB] });
    expect(eventsA.filter((e) => e.event_type === 'vn.vanthu.exchange.sent.v1')).toHaveLength(2); // not the recall

    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ requests: 1, documents: 0 });
    await runHubJobs({}, ctxB);
    const { rows } = await exchangeB.pool.query<{ id: string; state: string; related_exchange_id: string }>(
      'SELECT id, state, related_exchange_id FROM exchanges WHERE business_doc_type = 1',
    );
    expect(rows).toEqual([expect.objectContaining({ state: 'awaiting-answer', related_exchange_id: first.received })]);
    const request = rows[0]!.id;
    const documentB = await receivedDocumentOf(first.received);
    // Nothing applied before the clerk answers.
    expect(
      (await documentsFixture.pool.query('SELECT status FROM documents WHERE id = $1', [documentB])).rows[0],
    ).toEqual({
      status: 'draft',
    });
    const answer = (exchangeId: string, body: object) =>
      appB.inject({
        method: 'POST',
        url: `/v1/exchanges/${exchangeId}/answer`,
        headers: asClerk(agencyB),
        payload: body,
      });
    expect((await answer(request, { decision: 'maybe' })).statusCode).toBe(400);
    expect((await answer(request, { decision: 'refuse' })).statusCode).toBe(400); // a refusal needs its reason
    expect((await answer(first.received, { decision: 'agree' })).statusCode).toBe(404); // not a request
    // Documents unreachable: 503, and the request still waits (nothing half-done, no 15 queued).
    const cutOff = await buildApp({
      logger: exchangeB.logger,
      messages: messagesOf(exchangeB),
      pool: exchangeB.pool,
      identityPublicKey: kit.publicKeyPem,
      documents: new DocumentsClient('http://127.0.0.1:1'),
      clock,
    });
    const unreachable = await cutOff.inject({
      method: 'POST',
      url: `/v1/exchanges/${request}/answer`,
      headers: asClerk(agencyB),
      payload: { decision: 'agree' },
    });
    await cutOff.close();
    expect(unreachable.statusCode).toBe(503);
    expect((await exchangeB.pool.query('SELECT state FROM exchanges WHERE id = $1', [request])).rows[0].state).toBe(
      'awaiting-answer',
    );
    const agreed = await answer(request, { decision: 'agree' });
    expect(agreed.statusCode).toBe(200);
    expect(agreed.json()).toMatchObject({ state: 'answered', answer: { decision: 'agree', answeredBy: 'van-thu-1' } });
    expect((await answer(request, { decision: 'refuse', reason: 'đổi ý' })).statusCode).toBe(409);
    expect(
      (await documentsFixture.pool.query('SELECT status FROM documents WHERE id = $1', [documentB])).rows[0],
    ).toEqual({
      status: 'revoked',
    });
    const answeredEvent = (await outbox(exchangeB)).find(
      (e) => e.event_type === 'vn.vanthu.exchange.recall-answered.v1',
    )!;
    expect(answeredEvent.data).toMatchObject({ side: 'recipient', statusCode: '15', decision: 'agree' });

    await runHubJobs({}, ctxB);
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toMatchObject({ statuses: 1 });
    expect((await trail(first.sent)).slice(-2)).toEqual([`sent:${agencyB}:13`, `received:${agencyB}:15`]);
    const answeredA = (await outbox(exchangeA)).find((e) => e.event_type === 'vn.vanthu.exchange.recall-answered.v1')!;
    expect(answeredA.data).toMatchObject({ side: 'sender', organId: agencyB, decision: 'agree' });
    expect(await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).toMatchObject({
      valid: true,
    });
    expect(await verifyExchangeLog({}, { pool: exchangeB.pool, messages: messagesOf(exchangeB) })).toMatchObject({
      valid: true,
    });
  });

  it('gives up a send still waiting for the hub when its document is recalled', async () => {
    const documentId = randomUUID();
    await deliver(exchangeA, baseA, deliveryRequestedV1.type, {
      deliveryId: randomUUID(),
      processId: randomUUID(),
      agencyCode: agencyA,
      documentId,
      version: 2,
      sha256: '0'.repeat(64),
      recipients: [{ organId: agencyB, organName: 'Sở Tài chính' }],
      requestedAt: '2026-12-02T09:00:00+07:00',
    });
    await deliver(exchangeA, baseA, documentRecalledV1.type, {
      documentId,
      agencyCode: agencyA,
      direction: 'outgoing',
      status: 'recalled',
      notation: '103/UBND-KT',
      reason: 'Thu hồi trước khi gửi',
      recalledBy: 'van-thu-a',
      recalledAt: '2026-12-02T11:00:00+07:00',
    });
    const { rows } = await exchangeA.pool.query(
      `SELECT e.state, j.state AS job FROM exchanges e JOIN hub_jobs j ON j.exchange_id = e.id WHERE e.document_id = $1`,
      [documentId],
    );
    expect(rows).toEqual([{ state: 'failed', job: 'failed' }]);
  });
});

/**
 * A's documents, seen from the sender's exchange: an issued document and its current PDF. The sender's
 * documents service is out of this test's scope (A's sends elsewhere here bypass it too); the recipient's
 * side, where an update or replacement is applied, is the real documents service.
 */
class IssuedDocumentsOfA extends DocumentsClient {
  readonly issued = new Map<string, { number: string; version: number; pdf: Buffer }>();
  constructor() {
    super('http://127.0.0.1:1');
  }
  override async getDocument(_caller: unknown, documentId: string) {
    const found = this.issued.get(documentId);
    if (!found) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
    return {
      id: documentId,
      agencyCode: agencyA,
      status: 'issued',
      subject: `V/v liên thông văn bản số ${found.number}`,
      typeCode: 'CV',
      urgency: 'normal',
      description: null,
      metadata: {},
      currentVersion: found.version,
      versions: [],
      registration: {
        notation: `${found.number}/UBND-KT`,
        numberText: found.number,
        number: Number(found.number),
        documentIdentifier: `${agencyA},2026/12/02,${found.number}/UBND-KT`,
        registeredAt: '2026-12-02T08:00:00+07:00',
      },
    };
  }
  /** The PDF in small pieces, as documents streams it: the message is written as they come. */
  override async streamContent(_caller: unknown, documentId: string) {
    const pdf = this.issued.get(documentId)!.pdf;
    this.streamed += 1;
    return (async function* pieces() {
      for (let at = 0; at < pdf.length; at += 4096) yield pdf.subarray(at, at + 4096);
    })();
  }
  streamed = 0;
}

describe('update (cập nhật) and replacement (thay thế) sent by A and applied at B once its clerk agrees', () => {
  const documentsOfA = new IssuedDocumentsOfA();
  let appA: ServiceApp;
  beforeAll(async () => {
    appA = await buildApp({
      logger: exchangeA.logger,
      messages: messagesOf(exchangeA),
      pool: exchangeA.pool,
      identityPublicKey: kit.publicKeyPem,
      documents: documentsOfA,
      clock,
    });
  });
  afterAll(async () => appA.close());
  const post = (app: ServiceApp, url: string, agency: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: asClerk(agency), payload });
  const requestOf = async (type: number, related: string) =>
    (
      await exchangeB.pool.query<{ id: string; state: string }>(
        'SELECT id, state FROM exchanges WHERE business_doc_type = $1 AND related_exchange_id = $2',
        [type, related],
      )
    ).rows;
  const versionsOf = async (documentId: string) =>
    (
      await documentsFixture.pool.query<{ version: number; sha256: string }>(
        'SELECT version, sha256 FROM document_versions WHERE document_id = $1 ORDER BY version',
        [documentId],
      )
    ).rows;
  const statusOf = async (documentId: string) =>
    (await documentsFixture.pool.query('SELECT status FROM documents WHERE id = $1', [documentId])).rows[0]?.status;

  it('sends the current version as an update (2); B’s clerk agrees and the incoming document gets it as a new version', async () => {
    const documentId = randomUUID();
    const exchanged = await sendToB('201', documentId);
    const corrected = await makePdf('update-201-corrected');
    documentsOfA.issued.set(documentId, { number: '201', version: 3, pdf: corrected });
    const reason = 'Đính chính số liệu tại mục 2';
    expect((await post(appA, '/v1/exchanges/updates', agencyA, { documentId })).statusCode).toBe(400);
    expect((await post(appA, '/v1/exchanges/updates', agencyB, { documentId, reason })).statusCode).toBe(404);
    const streamedBefore = documentsOfA.streamed;
    const sent = await post(appA, '/v1/exchanges/updates', agencyA, { documentId, reason });
    expect(sent.statusCode).toBe(202);
    expect(documentsOfA.streamed - streamedBefore).toBe(1); // the PDF read as a stream, once for the one recipient set
    expect(sent.json().items).toEqual([
      expect.objectContaining({ businessDocType: 2, documentVersion: 3, relatedExchangeId: exchanged.sent }),
    ]);
    expect((await post(appA, '/v1/exchanges/updates', agencyA, { documentId, reason })).statusCode).toBe(409);
    await runHubJobs({}, ctxA);
    const updates = sandbox.messages().filter((m) => m.from === agencyA && m.edxml.includes('BussinessDocType>2<'));
    expect(updates).toHaveLength(1);
    const xml = updates[0]!.edxml.toString('utf8');
    expect(xml).toMatch(/<edXML:Bussiness>\s*<edXML:DocumentId>000\.00\.31\.H56,2026\/12\/02,201\/UBND-KT</);
    expect(xml).toContain(reason);
    expect(await trail(exchanged.sent)).toContain(`sent:${agencyB}:13`);

    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ requests: 1, documents: 0 });
    await runHubJobs({}, ctxB);
    const [request] = await requestOf(2, exchanged.received);
    expect(request).toMatchObject({ state: 'awaiting-answer' });
    const documentB = await receivedDocumentOf(exchanged.received);
    expect(await versionsOf(documentB)).toHaveLength(1); // never applied before the clerk answers
    const agreed = await post(appB, `/v1/exchanges/${request!.id}/answer`, agencyB, { decision: 'agree' });
    expect(agreed.statusCode).toBe(200);
    const versions = await versionsOf(documentB);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1]!.sha256).toBe(createHash('sha256').update(corrected).digest('hex'));
    expect((await post(appB, `/v1/exchanges/${request!.id}/answer`, agencyB, { decision: 'agree' })).statusCode).toBe(
      409,
    );
    const applied = (await outbox(exchangeB)).filter((e) => e.event_type === 'vn.vanthu.exchange.update-applied.v1');
    expect(applied).toHaveLength(1);
    expect(() => assertEventData(definitionOf(applied[0]!.event_type), applied[0]!.data)).not.toThrow();
    expect(applied[0]!.data).toMatchObject({ businessDocType: 2, documentId: documentB, version: 2 });

    await runHubJobs({}, ctxB);
    // B's 01 for the original arrives with the 15.
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toMatchObject({ statuses: 2 });
    expect(await trail(exchanged.sent)).toEqual([
      `sent:${agencyB}:13`,
      `received:${agencyB}:01`,
      `received:${agencyB}:15`,
    ]);
  });

  it('sends a replacement (3); on agreement the replaced document is revoked and the new one arrives as incoming', async () => {
    const replaced = randomUUID();
    const exchanged = await sendToB('202', replaced);
    const replacing = randomUUID();
    const pdf = await makePdf('replacement-203');
    documentsOfA.issued.set(replacing, { number: '203', version: 2, pdf });
    const reason = 'Thay thế văn bản 202/UBND-KT ban hành nhầm';
    const self = await post(appA, '/v1/exchanges/replacements', agencyA, {
      documentId: replacing,
      replacesDocumentId: replacing,
      reason,
    });
    expect(self.statusCode).toBe(400);
    const never = await post(appA, '/v1/exchanges/replacements', agencyA, {
      documentId: replacing,
      replacesDocumentId: randomUUID(),
      reason,
    });
    expect(never.statusCode).toBe(404); // never sent through the hub
    const sent = await post(appA, '/v1/exchanges/replacements', agencyA, {
      documentId: replacing,
      replacesDocumentId: replaced,
      reason,
    });
    expect(sent.statusCode).toBe(202);
    const replacement = sent.json().items[0];
    expect(replacement).toMatchObject({
      businessDocType: 3,
      documentId: replacing,
      edxmlDocumentId: `${agencyA},2026/12/02,203/UBND-KT`,
    });
    await runHubJobs({}, ctxA);
    const xml = sandbox
      .messages()
      .find((m) => m.from === agencyA && m.edxml.includes('BussinessDocType>3<'))!
      .edxml.toString('utf8');
    expect(xml).toMatch(/<edXML:ReplacementInfo>\s*<edXML:DocumentId>000\.00\.31\.H56,2026\/12\/02,202\/UBND-KT</);

    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ requests: 1, documents: 0 });
    const [request] = await requestOf(3, exchanged.received);
    const documentOld = await receivedDocumentOf(exchanged.received);
    const refused = await post(appB, `/v1/exchanges/${request!.id}/answer`, agencyB, { decision: 'refuse' });
    expect(refused.statusCode).toBe(400); // a refusal needs a reason
    const agreed = await post(appB, `/v1/exchanges/${request!.id}/answer`, agencyB, { decision: 'agree' });
    expect(agreed.statusCode).toBe(200);
    expect(await statusOf(documentOld)).toBe('revoked');
    await runHubJobs({}, ctxB);
    await runHubJobs({}, ctxB);
    const documentNew = await receivedDocumentOf(request!.id);
    expect(documentNew).not.toBe(documentOld);
    expect((await versionsOf(documentNew))[0]!.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(await statusOf(documentNew)).toBe('draft');
    const events = await outbox(exchangeB);
    expect(events.filter((e) => e.event_type === 'vn.vanthu.exchange.update-applied.v1').at(-1)!.data).toMatchObject({
      businessDocType: 3,
      documentId: documentOld,
      edxmlDocumentId: `${agencyA},2026/12/02,203/UBND-KT`,
    });
    expect(events.filter((e) => e.event_type === 'vn.vanthu.exchange.received.v1').at(-1)!.data).toMatchObject({
      documentId: documentNew,
    });

    // The original's 01, the 15 about it, and the replacing document's own 01.
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toMatchObject({ statuses: 3 });
    expect(await trail(exchanged.sent)).toEqual([
      `sent:${agencyB}:13`,
      `received:${agencyB}:01`,
      `received:${agencyB}:15`,
    ]);
    expect(await trail(replacement.id)).toEqual([`received:${agencyB}:01`]);
    expect(await verifyExchangeLog({}, { pool: exchangeA.pool, messages: messagesOf(exchangeA) })).toMatchObject({
      valid: true,
    });
    expect(await verifyExchangeLog({}, { pool: exchangeB.pool, messages: messagesOf(exchangeB) })).toMatchObject({
      valid: true,
    });
  });
});
