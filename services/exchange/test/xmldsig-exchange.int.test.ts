import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign as rsaSign } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import path from 'node:path';
import { createServiceIdentitySigner, systemClock } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { BlobStore, buildApp as buildDocuments, migrationsDir as documentsMigrations } from '@vanthu/documents';
import { migrationsDir as signingMigrations } from '@vanthu/signing';
import { computeEnvelopedSignature, pemToDers, spliceSignature, verifyEnvelopedSignature } from '@vanthu/xmldsig';
import { migrationsDir } from '../src/config';
import { DocumentsClient } from '../src/clients/documents-client';
import { SigningClient } from '../src/clients/signing-client';
import { nationalHubProfile } from '../src/domain/edxml/model';
import { buildStatusMessage } from '../src/domain/edxml/build-edxml';
import { queueDelivery } from '../src/domain/exchanges/queue-delivery';
import { recallSentDocument } from '../src/domain/exchanges/recall-sent-document';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { runHubJobs } from '../src/domain/exchanges/run-hub-jobs';
import { getExchange } from '../src/domain/exchanges/get-exchange';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import { HubError } from '../src/hub/hub-adapter';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { workerContext } from '../src/worker';
import type { WorkerContext } from '../src/worker';
import type { ExchangeContext } from '../src/context';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, agencyB, clerkOf, createIdentityKit } from '../../../test/support/identities';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { intermediatePublishName } from '../../../infra/src/pki';
import { documentUpload } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';
import { startSealingSigning } from '../../signing/test/sealing-service';
import type { SealingSigning } from '../../signing/test/sealing-service';
import { messagesOf } from './hub-test-context';

// XML-DSig end to end: A's exchange builds the edXML of a document issued in a real documents
// service, the real signing service signs it with A's seal in SoftHSM (after checking it against that
// document), the hub sandbox checks the signature, and B verifies it and its chain to the test PKI.

const infra = loadInfrastructure();
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'UBND tỉnh Thử Nghiệm', systemId: 'sys-a', secret: 'secret-of-a' },
  { code: agencyB, name: 'Sở Khoa học và Công nghệ', systemId: 'sys-b', secret: 'secret-of-b' },
];
/**
 * The signing service's seal over `edxml`, as the exchange worker applies it (sign-outgoing.ts): the message sent
 * as a file, the returned signature spliced in after TraceHeaderList (MessageHeader in a status message).
 */
async function signBytes(
  client: SigningClient,
  caller: { identity: string; requestId: string },
  input: { documentId?: string; edxml: Buffer },
): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-bytes-'));
  try {
    const file = path.join(dir, 'message.edxml');
    fs.writeFileSync(file, input.edxml);
    const answer = await client.signEdxml(caller, {
      ...(input.documentId ? { documentId: input.documentId } : {}),
      file,
    });
    const after = answer.kind === 'status' ? 'MessageHeader' : 'TraceHeaderList';
    return Buffer.from(spliceSignature(input.edxml.toString('utf8'), answer.signatureXml, after), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const credentialsOf = (code: string) => {
  const agency = agencies.find((a) => a.code === code)!;
  return { agencyCode: agency.code, systemId: agency.systemId, secret: agency.secret };
};
const trust = pemToDers(fs.readFileSync(infra.pki.chainPem, 'utf8'));

const kit = createIdentityKit();
const serviceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const servicePublicKey = serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const serviceIdentity = createServiceIdentitySigner(
  serviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  'exchange',
);
const asClerkA = { 'x-vanthu-identity': kit.assertionFor({ ...clerkOf(agencyA), unitCode: 'kgvx' }) };

let exchangeA: ServiceFixture;
let exchangeB: ServiceFixture;
let documentsFixture: ServiceFixture;
let signingFixture: ServiceFixture;
let documentsApp: ServiceApp;
let sealing: SealingSigning;
let sandbox: HubSandbox;
let signingUrl = '';
let hubUrl = '';
let ctxA: ReturnType<typeof workerContext>;
let ctxB: ReturnType<typeof workerContext>;
let outgoingRegister = '';
let seed = 0;
let documentsClosed = false;

const listen = async (app: { listen: ServiceApp['listen']; server: ServiceApp['server'] }) => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
};

const base = (agencyCode: string, fixture: ServiceFixture, hubUrl: string, documentsUrl: string): WorkerContext => ({
  identity: { userId: 'service:exchange', agencyCode, roles: ['service'] },
  clock: systemClock,
  logger: fixture.logger,
  hubName: 'vxp',
  hub: new VxpAdapter(hubUrl, { timeoutMs: 5000 }),
  credentialsFor: (code) => (code === agencyCode ? credentialsOf(code) : undefined),
  documents: new DocumentsClient(documentsUrl),
  serviceIdentity,
  signing: new SigningClient(signingUrl),
  trust,
  topicPrefix: '',
  profile: nationalHubProfile,
  maxMessageBytes: 8 * 1024 * 1024,
  messages: messagesOf(fixture),
});

beforeAll(async () => {
  exchangeA = await serviceFixture('xmldsig-a', migrationsDir);
  exchangeB = await serviceFixture('xmldsig-b', migrationsDir);
  documentsFixture = await serviceFixture('xmldsig-documents', documentsMigrations);
  signingFixture = await serviceFixture('xmldsig-signing', signingMigrations);
  const blobs = new BlobStore(path.join(documentsFixture.tempDir, 'blobs'));
  await blobs.init();
  documentsApp = await buildDocuments({
    logger: documentsFixture.logger,
    pool: documentsFixture.pool,
    blobs,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey,
    topicPrefix: '',
    maxUploadBytes: 8 * 1024 * 1024,
  });
  const documentsUrl = await listen(documentsApp);
  sealing = await startSealingSigning({
    fixture: signingFixture,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey,
    documentsUrl,
  });
  signingUrl = sealing.url;
  sandbox = await buildHubSandbox({ agencies });
  hubUrl = await listen(sandbox.app);
  ctxA = workerContext(base(agencyA, exchangeA, hubUrl, documentsUrl), exchangeA.pool, 'xmldsig-a');
  ctxB = workerContext(base(agencyB, exchangeB, hubUrl, documentsUrl), exchangeB.pool, 'xmldsig-b');

  const admin = {
    'x-vanthu-identity': kit.assertionFor({ userId: 'quan-tri', agencyCode: agencyA, roles: ['directory-admin'] }),
  };
  const imported = await documentsApp.inject({
    method: 'POST',
    url: '/v1/organisations/imports',
    headers: admin,
    payload: {
      organisations: [
        {
          code: agencyA,
          name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
          abbreviation: 'UBND',
          units: [{ code: 'kgvx', name: 'Phòng Khoa giáo - Văn xã', abbreviation: 'KGVX' }],
        },
        { code: agencyB, name: 'Sở Khoa học và Công nghệ', abbreviation: 'SKHCN' },
      ],
    },
  });
  expect(imported.statusCode).toBe(200);
  const register = await documentsApp.inject({
    method: 'POST',
    url: '/v1/registers',
    headers: asClerkA,
    payload: { name: 'Sổ văn bản đi', direction: 'outgoing' },
  });
  outgoingRegister = register.json().id;
});

afterAll(async () => {
  await sandbox.app.close();
  await sealing.close();
  if (!documentsClosed) await documentsApp.close();
  for (const fixture of [exchangeA, exchangeB, documentsFixture, signingFixture]) await fixture.close();
});

/** An outgoing công văn of agency A, uploaded, registered and issued in documents. */
async function issuedDocument(subject: string, options: { issue?: boolean } = {}): Promise<string> {
  const { body, contentType } = documentUpload(await makePdf(`xmldsig-${++seed}`, 2), {
    direction: 'outgoing',
    subject,
    typeCode: 'CV',
  });
  const uploaded = await documentsApp.inject({
    method: 'POST',
    url: '/v1/documents',
    headers: { ...asClerkA, 'content-type': contentType },
    payload: body,
  });
  if (uploaded.statusCode !== 201) throw new Error(uploaded.body);
  const id = uploaded.json().id as string;
  const registered = await documentsApp.inject({
    method: 'POST',
    url: `/v1/documents/${id}/registration`,
    headers: asClerkA,
    payload: { registerId: outgoingRegister },
  });
  if (registered.statusCode !== 201) throw new Error(registered.body);
  if (options.issue === false) return id;
  const issued = await documentsApp.inject({ method: 'POST', url: `/v1/documents/${id}/issue`, headers: asClerkA });
  expect(issued.statusCode).toBe(200);
  return id;
}

const exchangesOfB = async () =>
  (
    await exchangeB.pool.query<{ id: string; state: string; problems: { rule: string; message: string }[] }>(
      `SELECT id, state, problems FROM exchanges WHERE direction = 'received' ORDER BY created_at`,
    )
  ).rows;

/** Sends an issued document of A to B through the sandbox; B takes it in (incoming document, 01 sent). */
async function sendToB(subject: string): Promise<{ documentId: string; exchangeId: string }> {
  await drainQueues(); // the acknowledgements of what came before
  const documentId = await issuedDocument(subject);
  const queued = await queueDelivery(
    { deliveryId: randomUUID(), agencyCode: agencyA, documentId, version: 1, recipients: [{ organId: agencyB }] },
    ctxA,
  );
  await runHubJobs({}, ctxA);
  expect((await exchangeA.pool.query('SELECT state FROM exchanges WHERE id = $1', [queued.exchangeId])).rows).toEqual([
    { state: 'sent' },
  ]);
  expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 1, rejected: 0 });
  await runHubJobs({}, ctxB); // the incoming document, then 01 to A and the acknowledgement
  return { documentId, exchangeId: queued.exchangeId! };
}

const drainQueues = async () => {
  await runHubJobs({}, ctxA);
  await runHubJobs({}, ctxB);
};

/** A's clerk recalls an issued document in documents (thu hồi), as documents' recall event then tells exchange. */
async function recallInDocuments(documentId: string): Promise<void> {
  const recall = await documentsApp.inject({
    method: 'POST',
    url: `/v1/documents/${documentId}/recall`,
    headers: { ...asClerkA, 'idempotency-key': randomUUID() },
    payload: { reason: 'Ban hành nhầm' },
  });
  expect(recall.statusCode).toBe(200);
}

/** The statuses to `code` the hub still holds. */
const statusesAtHubFor = (code: string) =>
  sandbox.messages().filter((m) => m.messageType === 'status' && m.to === code && m.status === 'initial');

/** B's pending status `statusCode` about A's exchange `exchangeId`, at the hub. */
async function statusAtHubAbout(exchangeId: string, statusCode: string) {
  const { rows } = await exchangeA.pool.query<{ edxml_document_id: string }>(
    'SELECT edxml_document_id FROM exchanges WHERE id = $1',
    [exchangeId],
  );
  const about = `<edXML:DocumentId>${rows[0]!.edxml_document_id}</edXML:DocumentId>`;
  return statusesAtHubFor(agencyA).find((m) => {
    const text = m.edxml.toString('utf8');
    return text.includes(about) && text.includes(`<edXML:StatusCode>${statusCode}</edXML:StatusCode>`);
  })!;
}

/** The same context without the signing service: messages go unsigned. */
function unsignedContext(ctx: ExchangeContext, pool: ServiceFixture['pool'], name: string): ExchangeContext {
  const copy: WorkerContext = { ...ctx };
  delete copy.signing;
  return workerContext(copy, pool, name);
}

/** `xml` signed by a test person's software key (a signer the HSM does not hold), enveloped like the seal's. */
async function signedBy(slug: string, xml: string, afterLocalName: string): Promise<string> {
  const person = infra.pki.persons[slug]!;
  const key = createPrivateKey(fs.readFileSync(person.keyPath));
  const certificates = [
    ...pemToDers(fs.readFileSync(person.certPath, 'utf8')),
    ...pemToDers(fs.readFileSync(infra.pki.intermediateCert, 'utf8')),
  ];
  const signature = await computeEnvelopedSignature(
    xml,
    { certificates, sign: async (data) => rsaSign('sha256', data, key) },
    { afterLocalName },
  );
  return spliceSignature(xml, signature, afterLocalName);
}

const logOf = async (fixture: ServiceFixture, kind: string) =>
  (
    await fixture.pool.query<{ outcome: string; transport_id: string }>(
      `SELECT outcome, transport_id FROM exchange_log WHERE message_kind = $1 AND direction = 'received' ORDER BY position`,
      [kind],
    )
  ).rows;

describe('signed status messages and recalls, and the signer’s revocation', () => {
  afterAll(drainQueues);

  it('B’s status 01 goes out signed with B’s seal after MessageHeader; A verifies it and records it', async () => {
    const { exchangeId } = await sendToB('V/v trạng thái có chữ ký số');
    const status = await statusAtHubAbout(exchangeId, '01');
    const text = status.edxml.toString('utf8');
    expect(text).toContain('<edXML:StatusCode>01</edXML:StatusCode>');
    expect(text).toMatch(
      /<\/edXML:MessageHeader><Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature><\/edXML:edXMLHeader>/,
    );
    const check = verifyEnvelopedSignature(text);
    expect(check).toMatchObject({ present: true, valid: true });
    const sealOfB = pemToDers(fs.readFileSync(infra.hsm.seals.find((s) => s.agencyCode === agencyB)!.certPath, 'utf8'));
    if (check.present) expect(check.certificates[0]!.equals(sealOfB[0]!)).toBe(true);

    const strict = workerContext({ ...(ctxA as unknown as WorkerContext), requireSigned: true }, exchangeA.pool, 'x-a');
    expect(await receiveFromHub({ agencyCode: agencyA }, strict)).toMatchObject({ statuses: 1, rejected: 0 });
    const trail = await exchangeA.pool.query<{ status_code: string }>(
      `SELECT status_code FROM exchange_statuses WHERE exchange_id = $1 AND direction = 'received'`,
      [exchangeId],
    );
    expect(trail.rows.map((r) => r.status_code)).toEqual(['01']);
    expect((await logOf(exchangeA, 'status-01')).at(-1)).toMatchObject({ outcome: 'recorded' });
  });

  it('an unsigned status is refused where signatures are required, a badly signed one always; both logged', async () => {
    const { exchangeId } = await sendToB('V/v trạng thái không ký');
    await runHubJobs({}, ctxA); // A's acknowledgements of earlier statuses reach the hub
    const signed = await statusAtHubAbout(exchangeId, '01');
    const docIdOf = (m: { docId: string }) => m.docId;
    const unsigned = buildStatusMessage({
      from: { organId: agencyB },
      responseFor: {
        organId: agencyA,
        code: '1/UBND',
        promulgationDate: '2026-12-03',
        documentId: (
          await exchangeA.pool.query<{ edxml_document_id: string }>(
            'SELECT edxml_document_id FROM exchanges WHERE id = $1',
            [exchangeId],
          )
        ).rows[0]!.edxml_document_id,
      },
      statusCode: '03',
      description: 'Đã vào sổ',
      timestamp: '2026-12-03T10:00:00+07:00',
    });
    const tampered = Buffer.from(
      signed.edxml.toString('utf8').replace('<edXML:StatusCode>01<', '<edXML:StatusCode>06<'),
      'utf8',
    );
    // The hub refuses the tampered status itself (22); one that lets it through meets A's check.
    const refusal = await new VxpAdapter(hubUrl)
      .sendEdoc(credentialsOf(agencyB), { messageType: 'status', to: [agencyA], edxml: tampered })
      .catch((error: unknown) => error);
    expect((refusal as HubError).code).toBe('22');
    sandbox.messages().splice(sandbox.messages().indexOf(signed), 1);
    const now = new Date();
    const base = { from: agencyB, to: agencyA, messageType: 'status' as const, status: 'initial' as const };
    const pushed = [
      { ...base, docId: randomUUID(), edxml: unsigned, sha256: 'u', createdAt: now, updatedAt: now },
      { ...base, docId: randomUUID(), edxml: tampered, sha256: 't', createdAt: now, updatedAt: now },
    ];
    sandbox.messages().push(...pushed);

    const strict = workerContext({ ...(ctxA as unknown as WorkerContext), requireSigned: true }, exchangeA.pool, 'x-a');
    expect(await receiveFromHub({ agencyCode: agencyA }, strict)).toMatchObject({ statuses: 0, rejected: 2 });
    const trail = await exchangeA.pool.query<{ status_code: string }>(
      `SELECT status_code FROM exchange_statuses WHERE exchange_id = $1 AND direction = 'received'`,
      [exchangeId],
    );
    expect(trail.rows).toEqual([]);
    const refused = new Map(
      [...(await logOf(exchangeA, 'status-03')), ...(await logOf(exchangeA, 'status-06'))].map((r) => [
        r.transport_id,
        r.outcome,
      ]),
    );
    expect(refused.get(docIdOf(pushed[0]!))).toBe('rejected:edxml.signature.required');
    expect(refused.get(docIdOf(pushed[1]!))).toBe('rejected:edxml.signature');
    await runHubJobs({}, ctxA);
    expect(pushed.map((m) => sandbox.messages().find((x) => x.docId === m.docId)!.status)).toEqual(['fail', 'fail']);
    // The sandbox lists a failed message again; taken away so that later receipts do not meet it.
    for (const m of pushed)
      sandbox.messages().splice(
        sandbox.messages().findIndex((x) => x.docId === m.docId),
        1,
      );
    // Without the requirement the unsigned status passes, as real hubs send them (docs/domain/edxml-facts.md).
    sandbox.messages().push({ ...pushed[0]!, docId: randomUUID(), status: 'initial' });
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toMatchObject({ statuses: 1, rejected: 0 });
  });

  it('A’s recall goes out signed with A’s seal, only once documents has recalled the document; B verifies it', async () => {
    const { documentId } = await sendToB('V/v văn bản sẽ thu hồi');
    await recallInDocuments(documentId);
    expect(await recallSentDocument({ agencyCode: agencyA, documentId, reason: 'Ban hành nhầm' }, ctxA)).toMatchObject({
      recalls: 1,
    });
    await runHubJobs({}, ctxA);
    const atHub = sandbox
      .messages()
      .filter((m) => m.to === agencyB && m.messageType === 'edoc' && m.status === 'initial')
      .map((m) => m.edxml.toString('utf8'))
      .find((t) => t.includes('<edXML:BussinessDocType>1<'))!;
    expect(atHub).toMatch(/<\/edXML:TraceHeaderList><Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">/);
    expect(verifyEnvelopedSignature(atHub)).toMatchObject({ present: true, valid: true });
    const strict = workerContext({ ...(ctxB as unknown as WorkerContext), requireSigned: true }, exchangeB.pool, 'x-b');
    expect(await receiveFromHub({ agencyCode: agencyB }, strict)).toMatchObject({ requests: 1, rejected: 0 });
    const request = (await exchangesOfB()).at(-1)!;
    expect(request.state).toBe('awaiting-answer');
    const detail = await getExchange({ exchangeId: request.id }, { identity: clerkOf(agencyB), pool: exchangeB.pool });
    expect(detail.signature).toMatchObject({ present: true, valid: true, trusted: true, revocation: 'good' });

    // The seal signs a recall only for a document its agency recalled.
    const stillIssued = await issuedDocument('V/v văn bản chưa thu hồi');
    const unsignedRecall = atHub.replace(
      /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature>/,
      '',
    );
    const refusal = await signBytes(
      new SigningClient(signingUrl),
      { identity: serviceIdentity(agencyA), requestId: 't' },
      { documentId: stillIssued, edxml: Buffer.from(unsignedRecall) },
    ).catch((error: Error) => error);
    expect(String(refusal)).toMatch(/is issued, not recalled/);
  });

  it('an unsigned recall is refused with 02 where signatures are required', async () => {
    const { documentId } = await sendToB('V/v thu hồi không ký');
    await recallInDocuments(documentId);
    const unsignedA = unsignedContext(ctxA, exchangeA.pool, 'u-a');
    await recallSentDocument({ agencyCode: agencyA, documentId, reason: 'Ban hành nhầm' }, unsignedA);
    await runHubJobs({}, unsignedA);
    const strict = workerContext({ ...(ctxB as unknown as WorkerContext), requireSigned: true }, exchangeB.pool, 'x-b');
    expect(await receiveFromHub({ agencyCode: agencyB }, strict)).toMatchObject({ requests: 0, rejected: 1 });
    const rejected = (await exchangesOfB()).at(-1)!;
    expect(rejected).toMatchObject({ state: 'rejected' });
    expect(rejected.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'edxml.signature.required',
          message: expect.stringMatching(/recall carries no/),
        }),
      ]),
    );
    await runHubJobs({}, strict);
    expect(
      statusesAtHubFor(agencyA)
        .map((m) => m.edxml.toString('utf8'))
        .some((t) =>
          /<edXML:StatusCode>02<\/edXML:StatusCode>\s*<edXML:Description>[^<]*edxml\.signature\.required/.test(t),
        ),
    ).toBe(true);
  });

  it('a message signed by a revoked certificate is refused (OCSP through signing); a good signer passes the check', async () => {
    const checks = new SigningClient(signingUrl);
    const caller = { identity: serviceIdentity(agencyB), requestId: 't' };
    const chainOf = (certPath: string) => [
      ...pemToDers(fs.readFileSync(certPath, 'utf8')),
      ...pemToDers(fs.readFileSync(infra.pki.intermediateCert, 'utf8')),
    ];
    expect(await checks.checkSigner(caller, chainOf(infra.pki.persons['pham-van-duc']!.certPath))).toMatchObject({
      status: 'revoked',
    });
    expect(await checks.checkSigner(caller, chainOf(infra.pki.persons['nguyen-van-an']!.certPath))).toEqual({
      status: 'good',
    });

    // A message of A's document signed by a revoked person's key: it verifies and chains, but B refuses it.
    const documentId = await issuedDocument('V/v văn bản ký bởi chứng thư bị thu hồi');
    const unsignedA = unsignedContext(ctxA, exchangeA.pool, 'u-a');
    await queueDelivery(
      { deliveryId: randomUUID(), agencyCode: agencyA, documentId, version: 1, recipients: [{ organId: agencyB }] },
      unsignedA,
    );
    await runHubJobs({}, unsignedA);
    const sent = sandbox.messages().at(-1)!;
    const revokedSigned = await signedBy('pham-van-duc', sent.edxml.toString('utf8'), 'TraceHeaderList');
    expect(verifyEnvelopedSignature(revokedSigned)).toMatchObject({ valid: true });
    sent.edxml = Buffer.from(revokedSigned, 'utf8');
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 0, rejected: 1 });
    const rejected = (await exchangesOfB()).at(-1)!;
    expect(rejected.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'edxml.signature.revoked' })]),
    );
    const detail = await getExchange({ exchangeId: rejected.id }, { identity: clerkOf(agencyB), pool: exchangeB.pool });
    expect(detail.signature).toMatchObject({ valid: true, trusted: true, revocation: 'revoked' });

    // A status signed by the revoked key: refused too, and logged.
    const { exchangeId } = await sendToB('V/v trạng thái ký bởi chứng thư bị thu hồi');
    const status = await statusAtHubAbout(exchangeId, '01');
    const bare = status.edxml
      .toString('utf8')
      .replace(/<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature>/, '');
    status.edxml = Buffer.from(await signedBy('pham-van-duc', bare, 'MessageHeader'), 'utf8');
    expect(await receiveFromHub({ agencyCode: agencyA }, ctxA)).toMatchObject({ rejected: 1 });
    const log = await logOf(exchangeA, 'status-01');
    expect(log.find((r) => r.transport_id === status.docId)).toMatchObject({
      outcome: 'rejected:edxml.signature.revoked',
    });
    const trail = await exchangeA.pool.query(
      `SELECT 1 FROM exchange_statuses WHERE exchange_id = $1 AND direction = 'received'`,
      [exchangeId],
    );
    expect(trail.rowCount).toBe(0);
  });

  it('a message whose signer’s revocation is unknown (no responder answers) waits at the hub and is read again', async () => {
    // A signer of the test intermediate whose OCSP and CRL addresses are a port nothing listens on yet. Issued with
    // `openssl x509 -req`, outside the CA database, so the shared PKI is left as it was.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'revocation-unknown-'));
    const keyPath = path.join(dir, 'key.pem');
    const certPath = path.join(dir, 'cert.pem');
    fs.writeFileSync(
      path.join(dir, 'ext.cnf'),
      [
        'basicConstraints = CA:FALSE',
        'keyUsage = critical, digitalSignature, nonRepudiation',
        `authorityInfoAccess = OCSP;URI:http://127.0.0.1:${port}/ocsp`,
        `crlDistributionPoints = URI:http://127.0.0.1:${port}/crl/${intermediatePublishName}.crl`,
      ].join('\n'),
    );
    const intermediateKey = path.join(path.dirname(infra.pki.intermediateCert), 'intermediate.key');
    execFileSync('openssl', [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-subj',
      '/C=VN/CN=Khong Ro Trang Thai',
      '-out',
      path.join(dir, 'req.pem'),
    ]);
    execFileSync('openssl', [
      'x509',
      '-req',
      '-in',
      path.join(dir, 'req.pem'),
      '-CA',
      infra.pki.intermediateCert,
      '-CAkey',
      intermediateKey,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '30',
      '-sha256',
      '-extfile',
      path.join(dir, 'ext.cnf'),
      '-out',
      certPath,
    ]);
    const key = createPrivateKey(fs.readFileSync(keyPath));
    const certificates = [
      ...pemToDers(fs.readFileSync(certPath, 'utf8')),
      ...pemToDers(fs.readFileSync(infra.pki.intermediateCert, 'utf8')),
    ];

    const documentId = await issuedDocument('V/v văn bản chưa rõ trạng thái thu hồi của người ký');
    const unsignedA = unsignedContext(ctxA, exchangeA.pool, 'u-a');
    await queueDelivery(
      { deliveryId: randomUUID(), agencyCode: agencyA, documentId, version: 1, recipients: [{ organId: agencyB }] },
      unsignedA,
    );
    await runHubJobs({}, unsignedA);
    const atHub = sandbox.messages().at(-1)!;
    const xml = atHub.edxml.toString('utf8');
    const signature = await computeEnvelopedSignature(
      xml,
      { certificates, sign: async (data) => rsaSign('sha256', data, key) },
      { afterLocalName: 'TraceHeaderList' },
    );
    atHub.edxml = Buffer.from(spliceSignature(xml, signature, 'TraceHeaderList'), 'utf8');
    const held = async () =>
      (
        await exchangeB.pool.query(`SELECT id FROM exchanges WHERE direction = 'received' AND transport_id = $1`, [
          atHub.docId,
        ])
      ).rowCount;

    // The rule (receive-from-hub.ts): neither accepted nor rejected — not stored, not logged, not acknowledged.
    for (let poll = 0; poll < 2; poll += 1) {
      expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 0, rejected: 0 });
      expect(await held()).toBe(0);
      expect(atHub.status).toBe('initial');
    }
    const acknowledgements = await exchangeB.pool.query(`SELECT 1 FROM hub_jobs WHERE payload->>'docId' = $1`, [
      atHub.docId,
    ]);
    expect(acknowledgements.rowCount).toBe(0); // no acknowledgement (nor 02) queued

    // The responders come back (the CRL, served from the test PKI's own; OCSP still refuses): the next poll takes it.
    const responder = Fastify();
    responder.get('/crl/:name', async (_request, reply) =>
      reply
        .type('application/pkix-crl')
        .send(fs.readFileSync(path.join(infra.pki.publishDir, 'crl', `${intermediatePublishName}.crl`))),
    );
    responder.post('/ocsp', async (_request, reply) => reply.code(503).send());
    await responder.listen({ host: '127.0.0.1', port });
    try {
      expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 1, rejected: 0 });
    } finally {
      await responder.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await held()).toBe(1);
    const received = (await exchangesOfB()).at(-1)!;
    const detail = await getExchange({ exchangeId: received.id }, { identity: clerkOf(agencyB), pool: exchangeB.pool });
    expect(detail.signature).toMatchObject({ valid: true, trusted: true, revocation: 'good' });
    await runHubJobs({}, ctxB);
    expect(atHub.status).toBe('done');
  });

  it('the seal signs a status message only for a service of the sending agency, and only a bare status', async () => {
    const status = buildStatusMessage({
      from: { organId: agencyA },
      responseFor: {
        organId: agencyB,
        code: '1/SKHCN',
        promulgationDate: '2026-12-03',
        documentId: `${agencyB},2026/12/03,1/SKHCN`,
      },
      statusCode: '03',
      description: 'Đã vào sổ',
      timestamp: '2026-12-03T10:00:00+07:00',
    });
    const sign = (edxml: Buffer, identity: string) =>
      signBytes(new SigningClient(signingUrl), { identity, requestId: 't' }, { edxml }).catch((error: Error) => error);
    const signed = await sign(status, serviceIdentity(agencyA));
    expect(verifyEnvelopedSignature((signed as Buffer).toString('utf8'))).toMatchObject({ valid: true });
    expect(await sign(status, kit.assertionFor({ ...clerkOf(agencyA), unitCode: 'kgvx' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(String(await sign(status, serviceIdentity(agencyB)))).toMatch(/From\.OrganId .* is not/);
    const withBody = Buffer.from(
      status
        .toString('utf8')
        .replace('</edXML:StatusCode>', '</edXML:StatusCode><edXML:Subject>Nội dung khác</edXML:Subject>'),
    );
    expect(String(await sign(withBody, serviceIdentity(agencyA)))).toMatch(/holds Subject/);
    const toSelf = Buffer.from(
      status
        .toString('utf8')
        .replace(`<edXML:OrganId>${agencyB}</edXML:OrganId>`, `<edXML:OrganId>${agencyA}</edXML:OrganId>`),
    );
    expect(String(await sign(toSelf, serviceIdentity(agencyA)))).toMatch(/answers another agency/);
  });
});

describe('XML-DSig on edXML with the organisation seal', () => {
  let signedMessage: Buffer;

  it('A sends a signed message; the hub accepts it; B verifies it and its chain and keeps the result', async () => {
    const documentId = await issuedDocument('V/v liên thông văn bản có chữ ký số');
    const queued = await queueDelivery(
      { deliveryId: randomUUID(), agencyCode: agencyA, documentId, version: 1, recipients: [{ organId: agencyB }] },
      ctxA,
    );
    expect(await runHubJobs({}, ctxA)).toBe(1);
    const sentDetail = await getExchange(
      { exchangeId: queued.exchangeId! },
      { identity: clerkOf(agencyA), pool: exchangeA.pool },
    );
    expect(sentDetail).toMatchObject({ state: 'sent', signature: { present: true, valid: true } });
    const atHub = sandbox
      .messages()
      .filter((m) => m.to === agencyB && m.messageType === 'edoc')
      .at(-1)!;
    signedMessage = atHub.edxml;
    const text = signedMessage.toString('utf8');
    // The signature sits in edXMLHeader right after TraceHeaderList, in the XML-DSig namespace.
    expect(text).toMatch(
      /<\/edXML:TraceHeaderList><Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature><\/edXML:edXMLHeader>/,
    );
    expect(text).toContain('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const check = verifyEnvelopedSignature(text);
    expect(check).toMatchObject({ present: true, valid: true });
    const seal = pemToDers(fs.readFileSync(infra.hsm.seals.find((s) => s.agencyCode === agencyA)!.certPath, 'utf8'));
    if (check.present) expect(check.certificates[0]!.equals(seal[0]!)).toBe(true);

    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 1, rejected: 0 });
    const [received] = await exchangesOfB();
    const detail = await getExchange(
      { exchangeId: received!.id },
      { identity: clerkOf(agencyB), pool: exchangeB.pool },
    );
    expect(detail.signature).toMatchObject({ present: true, valid: true, trusted: true });
    expect(detail.problems).toEqual([]);
  });

  it('a message changed after signing is refused by the hub (22) and, arriving anyway, by B with 02 and the reason', async () => {
    const tampered = Buffer.from(
      signedMessage.toString('utf8').replace('V/v liên thông văn bản có chữ ký số', 'V/v liên thông văn bản đã bị sửa'),
      'utf8',
    );
    const adapter = new VxpAdapter(hubUrl);
    const refusal = await adapter
      .sendEdoc(credentialsOf(agencyA), { messageType: 'edoc', to: [agencyB], edxml: tampered })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HubError);
    expect((refusal as HubError).code).toBe('22');
    expect((refusal as HubError).message).toMatch(/edxml\.signature.*changed after signing/);

    // A hub that let it through: B refuses it and tells A why.
    const original = sandbox.messages().find((m) => m.to === agencyB)!;
    sandbox.messages().push({ ...original, docId: randomUUID(), edxml: tampered, sha256: 'x', status: 'initial' });
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxB)).toMatchObject({ documents: 0, rejected: 1 });
    const rejected = (await exchangesOfB()).filter((e) => e.state === 'rejected').at(-1)!;
    expect(rejected.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'edxml.signature', message: expect.stringMatching(/changed after signing/) }),
      ]),
    );
    await runHubJobs({}, ctxB);
    const statuses = sandbox.messages().filter((m) => m.messageType === 'status' && m.to === agencyA);
    expect(statuses.map((m) => m.edxml.toString('utf8')).join('\n')).toMatch(
      /<edXML:StatusCode>02<\/edXML:StatusCode>\s*<edXML:Description>[^<]*edxml\.signature/,
    );
  });

  it('a signer outside the trust store is refused on receipt', async () => {
    const ctxStrangers = workerContext(
      {
        ...(ctxB as unknown as WorkerContext),
        trust: pemToDers(fs.readFileSync(infra.pki.persons['nguyen-van-an']!.certPath, 'utf8')),
      },
      exchangeB.pool,
      'xmldsig-b-strangers',
    );
    const documentId = await issuedDocument('V/v văn bản thứ hai');
    await queueDelivery(
      { deliveryId: randomUUID(), agencyCode: agencyA, documentId, version: 1, recipients: [{ organId: agencyB }] },
      ctxA,
    );
    expect(await runHubJobs({}, ctxA)).toBe(1);
    expect(await receiveFromHub({ agencyCode: agencyB }, ctxStrangers)).toMatchObject({ documents: 0, rejected: 1 });
    const last = (await exchangesOfB()).at(-1)!;
    expect(last.problems).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'edxml.signature.chain' })]));
  });

  it('the signing service signs only a message of an issued document of the caller’s agency that it carries', async () => {
    const sign = (documentId: string, edxml: Buffer, identity = serviceIdentity(agencyA)) =>
      signBytes(new SigningClient(signingUrl), { identity, requestId: 'test' }, { documentId, edxml }).catch(
        (error: Error) => error,
      );
    const unsigned = Buffer.from(
      signedMessage
        .toString('utf8')
        .replace(/<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature>/, ''),
      'utf8',
    );
    // Agency A's outgoing document: B's incoming copy of it has the same subject, and signing refuses it to A (404).
    const [firstId] = (
      await documentsFixture.pool.query<{ id: string }>(
        `SELECT id FROM documents WHERE subject = 'V/v liên thông văn bản có chữ ký số' AND agency_code = $1
            AND direction = 'outgoing'`,
        [agencyA],
      )
    ).rows.map((r) => r.id);
    // The same message signs again for its own document (what the worker does).
    const resigned = await sign(firstId!, unsigned);
    expect(resigned instanceof Error ? resigned.message : 'signed').toBe('signed'); // a failure shows signing's reason
    expect(verifyEnvelopedSignature((resigned as Buffer).toString('utf8'))).toMatchObject({ valid: true });

    const other = await issuedDocument('V/v văn bản khác');
    expect(String(await sign(other, unsigned))).toMatch(/DocumentId .* is not the mã định danh/);
    const notIssued = await issuedDocument('V/v văn bản chưa phát hành', { issue: false });
    expect(String(await sign(notIssued, unsigned))).toMatch(/registered, not issued/);
    const otherPdf = Buffer.from(
      unsigned
        .toString('utf8')
        .replace(/(<edXML:ContentTransferEncoded>)[^<]+/, `$1${(await makePdf('other', 1)).toString('base64')}`),
      'utf8',
    );
    expect(String(await sign(firstId!, otherPdf))).toMatch(/not a stored version/);
    expect(String(await sign(firstId!, signedMessage))).toMatch(/signed already/);
    expect(String(await sign(firstId!, unsigned, serviceIdentity(agencyB)))).toMatch(/From\.OrganId .* is not/);

    // Documents down: signing cannot check the message and answers 503, which the hub queue retries.
    await documentsApp.close();
    documentsClosed = true;
    const unavailable = await sign(firstId!, unsigned);
    expect(unavailable).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
