import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServiceClaimSigner, createServiceIdentitySigner, withTransaction } from '@vanthu/platform';
import type { CloudEvent, EventHandler, Identity, ServiceApp } from '@vanthu/platform';
import { BlobStore, buildApp as buildDocuments, migrationsDir as documentsMigrations } from '@vanthu/documents';
import { buildApp, DocumentsClient, migrationsDir, routingEventHandlers, SigningClient } from '../src';
import { certificateProjectionHandlers } from '../src/gating/certificate-projection';
import { moduleTimers } from '../src/module-timers';
import { statementReader } from '../src/routes/context';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { createIdentityKit } from '../../../test/support/identities';
import { documentUpload } from '../../../test/support/multipart';
import { makePdf } from '../../../test/support/pdfs';
import { migrationsDir as signingMigrations } from '../../signing/src/config';
import { startSealingSigning } from '../../signing/test/sealing-service';
import type { SealingSigning } from '../../signing/test/sealing-service';

export const agency = '000.00.00.H99';
export const otherAgency = '000.00.31.H99';

/** The people of the outgoing and incoming flows in agency A (unit kgvx drafts, vp is the Office). */
export const people = {
  specialist: { userId: 'chuyen-vien-1', agencyCode: agency, unitCode: 'kgvx', roles: ['specialist'] },
  specialist2: { userId: 'chuyen-vien-2', agencyCode: agency, unitCode: 'kgvx', roles: ['specialist'] },
  unitLeader: { userId: 'truong-phong-1', agencyCode: agency, unitCode: 'kgvx', roles: ['unit-leader'] },
  otherUnitLeader: { userId: 'truong-phong-2', agencyCode: agency, unitCode: 'tckh', roles: ['unit-leader'] },
  formatChecker: { userId: 'kiem-tra-1', agencyCode: agency, unitCode: 'vp', roles: ['format-checker'] },
  leader: { userId: 'chu-tich-1', agencyCode: agency, unitCode: 'vp', roles: ['agency-leader'] },
  leader2: { userId: 'pho-chu-tich-1', agencyCode: agency, unitCode: 'vp', roles: ['agency-leader'] },
  clerk: { userId: 'van-thu-1', agencyCode: agency, unitCode: 'vp', roles: ['clerk'] },
  inspector: { userId: 'van-phong-1', agencyCode: agency, unitCode: 'vp', roles: ['dossier-inspector'] },
  admin: { userId: 'quan-tri', agencyCode: agency, roles: ['admin'] },
  uncertified: {
    userId: 'chuyen-vien-moi',
    agencyCode: agency,
    unitCode: 'kgvx',
    roles: ['specialist', 'unit-leader'],
  },
  otherClerk: { userId: 'van-thu-b', agencyCode: otherAgency, unitCode: 'vp', roles: ['clerk'] },
  outsider: {
    userId: 'chuyen-vien-b',
    agencyCode: otherAgency,
    unitCode: 'kgvx',
    roles: ['specialist', 'unit-leader'],
  },
} satisfies Record<string, Identity>;

export type Harness = {
  routing: ServiceApp;
  /** The public half of the service key routing signs its identity and its claims with. */
  servicePublicKey: string;
  documents: ServiceApp;
  /** The real signing service, when the harness was started with `{ signing: true }` (consultation summaries sealed). */
  signing?: SealingSigning;
  fixture: ServiceFixture;
  documentsFixture: ServiceFixture;
  now: { value: Date };
  as: (who: Identity) => Record<string, string>;
  call: (
    who: Identity,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<LightMyRequestResponse>;
  uploadDraft: (who: Identity, metadata?: Record<string, unknown>) => Promise<{ id: string }>;
  uploadVersion: (who: Identity, documentId: string, kind: 'upload' | 'signature') => Promise<number>;
  /** Delivers documents' new events to routing, as its Kafka consumer would (inbox included). */
  pumpDocumentEvents: () => Promise<number>;
  /** Delivers one event to routing's handlers through the inbox table, exactly like InboxConsumer. */
  deliver: (type: string, data: unknown, eventId?: string) => Promise<boolean>;
  activateCertificate: (who: Identity) => Promise<void>;
  /** Stops the documents service (routing's calls to it fail from then on). */
  stopDocuments: () => Promise<void>;
  close: () => Promise<void>;
};

export async function startHarness(label: string, options: { signing?: boolean } = {}): Promise<Harness> {
  const kit = createIdentityKit();
  // Routing's own identity for an agency (delivery to agencies on this instance, documents the hub brought).
  const serviceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serviceIdentity = createServiceIdentitySigner(
    serviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    'routing',
  );
  const documentsFixture = await serviceFixture(`${label}_doc`, documentsMigrations);
  const blobs = new BlobStore(path.join(documentsFixture.tempDir, 'blobs'));
  await blobs.init();
  const documents = await buildDocuments({
    logger: documentsFixture.logger,
    pool: documentsFixture.pool,
    blobs,
    identityPublicKey: kit.publicKeyPem,
    servicePublicKey: serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    topicPrefix: 'test.',
    maxUploadBytes: 512 * 1024,
  });
  const address = await documents.listen({ host: '127.0.0.1', port: 0 });
  const signingFixture = options.signing ? await serviceFixture(`${label}_sig`, signingMigrations) : undefined;
  const signing = signingFixture
    ? await startSealingSigning({
        fixture: signingFixture,
        identityPublicKey: kit.publicKeyPem,
        servicePublicKey: serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        documentsUrl: address,
      })
    : undefined;
  const fixture = await serviceFixture(label, migrationsDir);
  const now = { value: new Date('2026-06-15T02:00:00.000Z') }; // a Monday, 09:00 in Hà Nội
  const clock = () => new Date(now.value);
  const routingDeps = {
    // The documents app runs in this jest worker: under a loaded machine its PDF indexing can hold the loop.
    documents: new DocumentsClient(address, 120_000),
    ...(signing ? { signing: new SigningClient(signing.url, 120_000) } : {}),
    timers: moduleTimers(clock),
    events: { topicPrefix: 'test.', source: '/vanthu/routing' },
    localAgencies: [agency, otherAgency],
    serviceIdentity,
    autocommit: statementReader(fixture.pool),
    serviceClaims: createServiceClaimSigner(
      serviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'routing',
    ),
  };
  const routing = await buildApp({
    logger: fixture.logger,
    identityPublicKey: kit.publicKeyPem,
    pool: fixture.pool,
    routing: routingDeps,
    clock,
  });
  const handlers: Record<string, EventHandler> = {
    ...certificateProjectionHandlers(),
    ...routingEventHandlers({ ...routingDeps, logger: fixture.logger, clock }),
  };
  const as = (who: Identity) => ({ 'x-vanthu-identity': kit.assertionFor(who) });
  const call: Harness['call'] = (who, method, url, body, headers = {}) =>
    routing.inject({
      method,
      url,
      headers: { ...as(who), ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const deliver: Harness['deliver'] = async (type, data, eventId = randomUUID()) => {
    const handler = handlers[type];
    if (!handler) return false;
    const event: CloudEvent = {
      specversion: '1.0',
      id: eventId,
      source: '/test',
      type,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
      extensions: {},
    };
    return withTransaction(fixture.pool, async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO inbox (event_id, consumer, event_type, topic, kafka_partition, kafka_offset)
         VALUES ($1, 'routing-test', $2, 'test', 0, 0) ON CONFLICT DO NOTHING`,
        [event.id, event.type],
      );
      if (inserted.rowCount !== 1) return false;
      await handler(tx, event);
      return true;
    });
  };
  /** Signing registers and activates a person's certificate (after 16/4/2026 no task goes to anyone without one). */
  const activateCertificate: Harness['activateCertificate'] = async (who) => {
    const certificateId = randomUUID();
    const base = { certificateId, agencyCode: who.agencyCode, userId: who.userId, sha256: 'c'.repeat(64) };
    await deliver('vn.vanthu.certificate.registered.v1', {
      ...base,
      subject: `CN=${who.userId}`,
      notAfter: '2028-12-31T00:00:00.000Z',
      registeredAt: '2026-01-05T02:00:00.000Z',
    });
    await deliver('vn.vanthu.certificate.activated.v1', {
      ...base,
      activatedBy: 'quan-tri',
      activatedAt: '2026-01-05T03:00:00.000Z',
    });
  };
  for (const [name, who] of Object.entries(people)) if (name !== 'uncertified') await activateCertificate(who);
  let pumped = 0;
  const pumpDocumentEvents = async () => {
    const { rows } = await documentsFixture.pool.query<{
      position: string;
      event_id: string;
      event_type: string;
      data: unknown;
    }>('SELECT position, event_id, event_type, data FROM outbox WHERE position > $1 ORDER BY position', [pumped]);
    let delivered = 0;
    for (const row of rows) {
      pumped = Number(row.position);
      if (await deliver(row.event_type, row.data, row.event_id)) delivered += 1;
    }
    return delivered;
  };
  let documentsRunning = true;
  const stopDocuments = async () => {
    if (!documentsRunning) return;
    documentsRunning = false;
    await documents.close();
  };
  let seed = 0;
  const uploadDraft: Harness['uploadDraft'] = async (who, metadata = {}) => {
    seed += 1;
    const { body, contentType } = documentUpload(await makePdf(`${label}-${seed}`, 1), {
      direction: 'outgoing',
      subject: 'Công văn về việc triển khai văn bản điện tử',
      ...metadata,
    });
    const response = await documents.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...as(who), 'content-type': contentType },
      payload: body,
    });
    if (response.statusCode !== 201) throw new Error(`upload failed: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const uploadVersion: Harness['uploadVersion'] = async (who, documentId, kind) => {
    seed += 1;
    const current = (
      await documents.inject({ method: 'GET', url: `/v1/documents/${documentId}`, headers: as(who) })
    ).json().currentVersion as number;
    const { body, contentType } = documentUpload(await makePdf(`${label}-v${seed}`, 1), {
      kind,
      basedOnVersion: current,
    });
    const response = await documents.inject({
      method: 'POST',
      url: `/v1/documents/${documentId}/versions`,
      headers: { ...as(who), 'content-type': contentType },
      payload: body,
    });
    if (response.statusCode !== 201) throw new Error(`new version failed: ${response.statusCode} ${response.body}`);
    return response.json().currentVersion as number;
  };
  return {
    routing,
    servicePublicKey: serviceKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    documents,
    ...(signing ? { signing } : {}),
    fixture,
    documentsFixture,
    now,
    as,
    call,
    uploadDraft,
    uploadVersion,
    pumpDocumentEvents,
    deliver,
    activateCertificate,
    stopDocuments,
    close: async () => {
      await routing.close();
      await signing?.close();
      await signingFixture?.close();
      await stopDocuments();
      await fixture.close();
      await documentsFixture.close();
    },
  };
}

/**
 * An incoming document from another agency, uploaded and registered by the clerk in `registerId`: its process
 * waits at the distribution. Returns the process id.
 */
export async function registeredIncoming(
  h: Harness,
  options: {
    registerId: string;
    sender: { organId: string; organName: string };
    subject: string;
    codeNumber: string;
    codeNotation: string;
    variables?: Record<string, unknown>;
  },
): Promise<string> {
  const { registerId, variables, ...metadata } = options;
  const document = await h.uploadDraft(people.clerk, { direction: 'incoming', ...metadata, issuedDate: '2026-06-12' });
  const started = await h.call(people.clerk, 'POST', '/v1/processes', {
    kind: 'incoming',
    documentId: document.id,
    ...(variables ? { variables } : {}),
  });
  const processId = started.json().id as string;
  const tasks = (await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().tasks as {
    id: string;
    step: string;
  }[];
  const registration = tasks.find((t) => t.step === 'registration');
  await h.call(people.clerk, 'POST', `/v1/tasks/${registration?.id}/complete`, { registration: { registerId } });
  return processId;
}

/** What signing publishes after it stored a signed version (the event routing waits for). */
export function signatureApplied(options: {
  documentId: string;
  kind: 'initial' | 'approval' | 'issue';
  signer: string | null;
  signedVersion: number;
  version: number;
  agencyCode?: string;
}) {
  return {
    signatureId: randomUUID(),
    documentId: options.documentId,
    agencyCode: options.agencyCode ?? agency,
    kind: options.kind,
    level: 'B-T',
    signedVersion: options.signedVersion,
    version: options.version,
    sha256: 'a'.repeat(64),
    signerUserId: options.signer,
    certificateSha256: 'b'.repeat(64),
    certificateSubject: `CN=${options.signer ?? 'seal'}`,
    authorityPrefix: options.kind === 'approval' ? 'TM.' : null,
    signedAt: new Date().toISOString(),
  };
}
