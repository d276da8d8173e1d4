import fs from 'node:fs';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServiceIdentitySigner, systemClock } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { BlobStore, buildApp as buildDocuments, migrationsDir as documentsMigrations } from '@vanthu/documents';
import {
  HsmConnection,
  buildApp as buildSigning,
  createSigningDeps,
  migrationsDir as signingMigrations,
} from '@vanthu/signing';
import { pemToDers, verifyEnvelopedSignature } from '@vanthu/xmldsig';
import { migrationsDir } from '../src/config';
import { DocumentsClient } from '../src/clients/documents-client';
import { SigningClient } from '../src/clients/signing-client';
import { nationalHubProfile } from '../src/domain/edxml/model';
import { queueDelivery } from '../src/domain/exchanges/queue-delivery';
import { receiveFromHub } from '../src/domain/exchanges/receive-from-hub';
import { runHubJobs } from '../src/domain/exchanges/run-hub-jobs';
import { getExchange } from '../src/domain/exchanges/get-exchange';
import { buildHubSandbox } from '../src/hub-sandbox/sandbox-app';
import type { HubSandbox, SandboxAgency } from '../src/hub-sandbox/sandbox-app';
import { HubError } from '../src/hub/hub-adapter';
import { VxpAdapter } from '../src/hub/vxp-adapter';
import { workerContext } from '../src/worker';
import type { WorkerContext } from '../src/worker';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, agencyB, clerkOf, createIdentityKit } from '../../../test/support/identities';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { documentUpload } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';
import { readPin } from '../../signing/src/hsm/hsm-connection';

// XML-DSig end to end: A's exchange builds the edXML of a document issued in a real documents
// service, the real signing service signs it with A's seal in SoftHSM (after checking it against that
// document), the hub sandbox checks the signature, and B verifies it and its chain to the test PKI.

const infra = loadInfrastructure();
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'UBND tỉnh Thử Nghiệm', systemId: 'sys-a', secret: 'secret-of-a' },
  { code: agencyB, name: 'Sở Khoa học và Công nghệ', systemId: 'sys-b', secret: 'secret-of-b' },
];
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
let signingApp: ServiceApp;
let hsm: HsmConnection;
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
  hsm = new HsmConnection({
    modulePath: infra.hsm.modulePath,
    tokenLabel: infra.hsm.tokenLabel,
    pin: readPin(infra.hsm.pinFile),
    poolSize: 1,
  });
  hsm.open();
  const signingConfig = {
    TRUST_CERTS_FILE: infra.pki.chainPem,
    HSM_SEALS: JSON.stringify(
      infra.hsm.seals.map((s) => ({ agencyCode: s.agencyCode, keyIdHex: s.keyIdHex, certPath: s.certPath })),
    ),
    DOCUMENTS_URL: documentsUrl,
    TSA_URLS: infra.tsaUrl,
    TSA_TIMEOUT_MS: 10_000,
    REVOCATION_TIMEOUT_MS: 5_000,
    SIGNATURE_HASH: 'sha256',
    APPEARANCE_FONT_PATH: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
    APPEARANCE_ANCHORS: '{}',
    SIGNING_SESSION_TTL_SECONDS: 300,
    KAFKA_TOPIC_PREFIX: '',
  } as unknown as Parameters<typeof createSigningDeps>[0];
  signingApp = await buildSigning({
    logger: signingFixture.logger,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey,
    hsm,
    signing: createSigningDeps(signingConfig, signingFixture.pool, hsm),
  });
  signingUrl = await listen(signingApp);
  sandbox = await buildHubSandbox({ agencies });
  hubUrl = await listen(sandbox.app);
  ctxA = workerContext(base(agencyA, exchangeA, hubUrl, documentsUrl), exchangeA.pool, 'xmldsig-a');
  ctxB = workerContext(base(agencyB, exchangeB, hubUrl, documentsUrl), exchangeB.pool, 'xmldsig-b');

  const admin = {
    'x-vanthu-identity': kit.assertionFor({ userId: 'quan-tri', agencyCode: agencyA, roles: ['admin'] }),
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
  await signingApp.close();
  hsm.close();
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
    const atHub = sandbox.messages().find((m) => m.to === agencyB)!;
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
    const rejected = (await exchangesOfB()).find((e) => e.state === 'rejected')!;
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
      new SigningClient(signingUrl)
        .signEdxml({ identity, requestId: 'test' }, { documentId, edxml })
        .catch((error: Error) => error);
    const unsigned = Buffer.from(
      signedMessage
        .toString('utf8')
        .replace(/<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature>/, ''),
      'utf8',
    );
    const [firstId] = (
      await documentsFixture.pool.query<{ id: string }>(
        `SELECT id FROM documents WHERE subject = 'V/v liên thông văn bản có chữ ký số'`,
      )
    ).rows.map((r) => r.id);
    // The same message signs again for its own document (what the worker does).
    const resigned = await sign(firstId!, unsigned);
    expect(Buffer.isBuffer(resigned)).toBe(true);
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
