import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sign as nodeSign } from 'node:crypto';
import { certificateDer, gatewayClient, json } from '../support/gateway-client';
import { multipartBody } from '../support/multipart';
import { agencyA } from '../support/identities';
import { queryOnce } from '../support/sql';
import { currentVietnamMonth, eventually } from '../support/wait';
import { awaitHealthy, cellTitle, cells, expectStatus, startFaultStack, untilAnswered } from '../support/faults';
import type { Cell, FaultStack } from '../support/faults';
import { pdfsig } from '../../services/signing/test/support';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { blueSignaturePng, redSealPng } from '../../services/signing/test/fixtures/images';

// Fault matrix (ARCHITECTURE.md "Fault matrix"), flows "two-step signing batch" and "seal and issue".
// Two-step: the leader prepares a session for a batch, signs the data-to-sign on "the token" (a key in this process)
// and completes; signing embeds each signature and stores it as documents' next version. Seal and issue: the clerk
// registers each approved document (the register's next number, NĐ 30/2020 Điều 15.1), seals it with the agency key
// in the HSM and issues it. One fault per cell, at a point of the flow; the client repeats what failed with the same
// Idempotency-Key. Afterwards, from the databases, pdfsig and the reports: each document carries each signature
// once, no version was added twice, no number is burnt or repeated, and reporting counts each signature once.

type Client = ReturnType<typeof gatewayClient>;

const batchCells = cells([
  { fault: { kind: 'kill', service: 'signing' }, point: 'between prepare and complete' },
  { fault: { kind: 'kill', service: 'signing' }, point: 'during complete', sample: true },
  { fault: { kind: 'kill', service: 'documents' }, point: 'during complete' },
  { fault: { kind: 'kill', service: 'documents' }, point: 'between prepare and complete' },
  { fault: { kind: 'kill', service: 'gateway' }, point: 'during complete' },
  { fault: { kind: 'postgres-restart' }, point: 'between prepare and complete' },
  { fault: { kind: 'postgres-restart' }, point: 'during complete' },
  { fault: { kind: 'kafka-restart' }, point: 'during complete' },
]);
const sealCells = cells([
  { fault: { kind: 'kill', service: 'documents' }, point: 'during the registrations', sample: true },
  { fault: { kind: 'kill', service: 'signing' }, point: 'during the seals' },
  { fault: { kind: 'kill', service: 'documents' }, point: 'during the seals' },
  { fault: { kind: 'kill', service: 'documents' }, point: 'during the issues' },
  { fault: { kind: 'postgres-restart' }, point: 'during the registrations' },
  { fault: { kind: 'postgres-restart' }, point: 'during the seals' },
  { fault: { kind: 'kafka-restart' }, point: 'during the seals' },
]);

const batchSize = 6;
let f: FaultStack;
let dir: string;
let registerId: string;
let clerk: Client;
type Signer = { client: Client; certPath: string; key: string; user: string };
let unitLeader: Signer;
let agencyLeader: Signer;
/** Every document whose signature the tests asked for, with the kinds it must carry once each. */
const expected = new Map<string, string[]>();
let registered = 0;
let issuedCount = 0;

beforeAll(async () => {
  f = await startFaultStack('fsign');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-signing-'));
  const token = (user: string, roles: string[], name?: string) =>
    f.stack.token({ user, agency: agencyA, roles, ttlSeconds: 7200, ...(name ? { name } : {}) } as never);
  clerk = gatewayClient(f.stack.gatewayUrl, await token('van-thu', ['clerk']));
  const admin = gatewayClient(f.stack.gatewayUrl, await token('quan-tri', ['admin']));
  const signer = async (user: string, role: string, name: string, slug: string): Promise<Signer> => {
    const p = f.stack.infra.pki.persons[slug];
    if (!p) throw new Error(slug);
    const client = gatewayClient(f.stack.gatewayUrl, await token(user, [role], name));
    const certificate = await client.call(
      'POST',
      '/v1/certificates',
      json({ certificate: fs.readFileSync(p.certPath, 'utf8') }),
    );
    expectStatus(certificate, 201);
    const id = (certificate.body as { id: string }).id;
    expectStatus(await admin.call('POST', `/v1/certificates/${id}/activate`, json({})), 200);
    return { client, certPath: p.certPath, key: fs.readFileSync(p.keyPath, 'utf8'), user };
  };
  unitLeader = await signer('cuong', 'unit-leader', 'Lê Hoàng Cường', 'le-hoang-cuong');
  agencyLeader = await signer('an', 'agency-leader', 'Nguyễn Văn An', 'nguyen-van-an');
  await uploadImage(clerk, redSealPng(), { kind: 'seal', widthMm: 36 });
  await uploadImage(agencyLeader.client, blueSignaturePng(), { kind: 'signature' });
  const imported = await admin.call(
    'POST',
    '/v1/organisations/imports',
    json({
      organisations: [
        {
          code: agencyA,
          name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
          abbreviation: 'UBND',
          units: [{ code: 'vp', name: 'Văn phòng', abbreviation: 'VP' }],
        },
      ],
    }),
  );
  expectStatus(imported, 200);
  const register = await clerk.call('POST', '/v1/registers', json({ name: 'Sổ công văn đi', direction: 'outgoing' }));
  expectStatus(register, 201);
  registerId = (register.body as { id: string }).id;
}, 300_000);
afterAll(async () => {
  await f?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function uploadImage(client: Client, png: Buffer, metadata: unknown): Promise<void> {
  const { body, contentType } = multipartBody([
    { name: 'metadata', value: JSON.stringify(metadata) },
    { name: 'file', value: png, filename: 'image.png', contentType: 'image/png' },
  ]);
  expectStatus(await client.call('POST', '/v1/signature-images', { body, contentType }), 201);
}

async function uploadDrafts(cell: Cell, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const created = await clerk.uploadDocument(await makeCongVan({ pages: 1 }), {
      direction: 'outgoing',
      subject: `${cellTitle(cell)} — công văn ${i}`,
      typeCode: 'CV',
    });
    expectStatus(created, 201);
    ids.push((created.body as { id: string }).id);
  }
  return ids;
}

/** A two-step session for `ids`; `between` runs after prepare and before complete, `during` beside complete. */
async function twoStep(
  signer: Signer,
  ids: string[],
  request: Record<string, unknown>,
  faults: { between?: () => Promise<void>; during?: () => Promise<void> } = {},
): Promise<void> {
  const prepared = await untilAnswered(
    () =>
      signer.client.call('POST', '/v1/signing-sessions', {
        ...json({ ...request, level: 'B-B', documents: ids.map((documentId) => ({ documentId })) }),
        headers: { 'idempotency-key': `prepare-${ids[0]}-${String(request.kind)}` },
      }),
    'prepare',
  );
  expectStatus(prepared, 201);
  const session = prepared.body as { id: string; items: { documentId: string; dataToSign: string }[] };
  const items = session.items.map((item) => ({
    documentId: item.documentId,
    signatureValue: nodeSign('sha256', Buffer.from(item.dataToSign, 'base64'), signer.key).toString('base64'),
  }));
  await faults.between?.();
  const key = `complete-${session.id}`;
  const complete = () =>
    signer.client.call('POST', `/v1/signing-sessions/${session.id}/complete`, {
      ...json({ certificateChain: [certificateDer(signer.certPath)], items }),
      headers: { 'idempotency-key': key },
    });
  const [done] = await Promise.all([
    untilAnswered(complete, 'complete'),
    (async () => {
      if (!faults.during) return;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await faults.during();
    })(),
  ]);
  expectStatus(done, 200);
  const results = (done.body as { results: { documentId: string; outcome: string }[] }).results;
  expect(results.map((r) => [r.documentId, r.outcome])).toEqual(ids.map((id) => [id, 'signed']));
  for (const id of ids) expected.set(id, [...(expected.get(id) ?? []), String(request.kind)]);
}

describe.each(batchCells.map((cell) => [cellTitle(cell), cell] as const))('two-step signing batch: %s', (_, cell) => {
  it('signs every document of the batch once', async () => {
    const ids = await uploadDrafts(cell, batchSize);
    const inject = () => f.inject(cell.fault);
    await twoStep(
      unitLeader,
      ids,
      { kind: 'initial', step: 'content' },
      cell.point === 'between prepare and complete' ? { between: inject } : { during: inject },
    );
    await awaitHealthy(f.stack);
    await expectInvariants(ids);
  });
});

describe.each(sealCells.map((cell) => [cellTitle(cell), cell] as const))('seal and issue: %s', (_, cell) => {
  it('numbers, seals and issues every document once', async () => {
    const ids = await uploadDrafts(cell, batchSize);
    await twoStep(agencyLeader, ids, { kind: 'approval', positionText: 'CHỦ TỊCH', authorityPrefix: 'TM.' });
    const step = async (name: string, call: (id: string) => Promise<void>) => {
      let done = 0;
      const work = (async () => {
        for (const id of ids) {
          await call(id);
          done += 1;
        }
      })();
      if (cell.point === `during the ${name}`) {
        // (a failing step fails the cell at once instead of waiting for the eventually to time out)
        await Promise.race([
          work,
          eventually(
            async () => done,
            (n) => n >= 2,
            240_000,
            `the first ${name}`,
          ),
        ]);
        await f.inject(cell.fault);
      }
      await work;
    };
    await step('registrations', async (id) => {
      const answer = await untilAnswered(
        () =>
          clerk.call('POST', `/v1/documents/${id}/registration`, {
            ...json({ registerId, unitCode: 'vp' }),
            headers: { 'idempotency-key': `register-${id}` },
          }),
        'registration',
      );
      expectStatus(answer, 201);
      registered += 1;
    });
    await step('seals', async (id) => {
      const answer = await untilAnswered(
        () =>
          clerk.call('POST', `/v1/documents/${id}/signatures`, {
            ...json({ kind: 'issue', level: 'B-B' }),
            headers: { 'idempotency-key': `seal-${id}` },
          }),
        'seal',
      );
      expectStatus(answer, 201);
      expected.set(id, [...(expected.get(id) ?? []), 'issue']);
    });
    await step('issues', async (id) => {
      const answer = await untilAnswered(
        () =>
          clerk.call('POST', `/v1/documents/${id}/issue`, {
            ...json({}),
            headers: { 'idempotency-key': `issue-${id}` },
          }),
        'issue',
      );
      expectStatus(answer, 200);
      issuedCount += 1;
    });
    await awaitHealthy(f.stack);
    await expectInvariants(ids);

    // No number is burnt or repeated: the register's numbers are 1…n in the order of registration.
    const numbers = await queryOnce<{ number: number }>(
      f.stack.envs.documents.DATABASE_URL as string,
      'SELECT number FROM registrations WHERE register_id = $1 ORDER BY number',
      [registerId],
    );
    expect(numbers.map((r) => Number(r.number))).toEqual(Array.from({ length: registered }, (_, i) => i + 1));
    const statuses = await queryOnce<{ status: string }>(
      f.stack.envs.documents.DATABASE_URL as string,
      'SELECT status FROM documents WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(statuses.map((s) => s.status)).toEqual(ids.map(() => 'issued'));
  });
});

async function expectInvariants(ids: string[]): Promise<void> {
  const { envs } = f.stack;
  const all = [...expected.keys()];
  // Each signature once, each on its own new version: versions = 1 + signatures, per document.
  const rows = await queryOnce<{ document_id: string; kinds: string[]; versions: number[] }>(
    envs.signing.DATABASE_URL as string,
    `SELECT document_id, array_agg(kind ORDER BY version) AS kinds, array_agg(version ORDER BY version) AS versions
       FROM signatures WHERE document_id = ANY($1::uuid[]) GROUP BY document_id`,
    [all],
  );
  const byDocument = new Map(rows.map((r) => [r.document_id, r]));
  for (const id of all) {
    const kinds = expected.get(id) ?? [];
    expect({ id, kinds: byDocument.get(id)?.kinds }).toEqual({ id, kinds });
    expect({ id, versions: byDocument.get(id)?.versions }).toEqual({ id, versions: kinds.map((_, i) => i + 2) });
  }
  const versions = await queryOnce<{ document_id: string; n: number }>(
    envs.documents.DATABASE_URL as string,
    'SELECT document_id, count(*)::int AS n FROM document_versions WHERE document_id = ANY($1::uuid[]) GROUP BY document_id',
    [all],
  );
  for (const v of versions)
    expect(v).toEqual({ document_id: v.document_id, n: 1 + (expected.get(v.document_id)?.length ?? 0) });
  // signature.applied once per signature, and reporting counts each once.
  const events = await queryOnce<{ n: number }>(
    envs.signing.DATABASE_URL as string,
    `SELECT count(*)::int AS n FROM outbox WHERE event_type = 'vn.vanthu.signature.applied.v1'`,
  );
  const signatureCount = [...expected.values()].reduce((sum, kinds) => sum + kinds.length, 0);
  expect(events[0]?.n).toBe(signatureCount);
  await eventually(
    () =>
      queryOnce<{ n: number }>(envs.reporting.DATABASE_URL as string, 'SELECT count(*)::int AS n FROM signature_facts'),
    (r) => r[0]?.n === signatureCount,
    180_000,
    `reporting to count ${signatureCount} signatures`,
  );
  // The signed files themselves, checked by poppler: one valid signature per signature recorded.
  for (const id of [ids[0], ids[ids.length - 1]] as string[]) {
    const file = path.join(dir, `${id}.pdf`);
    fs.writeFileSync(file, (await clerk.get(`/v1/documents/${id}/content`)).raw);
    expect(pdfsig(file).map((s) => s.valid)).toEqual((expected.get(id) ?? []).map(() => true));
  }
  // Reporting counts each issued document once.
  await eventually(
    async () =>
      (
        (await clerk.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`)).body as {
          documents?: { issued: number };
        }
      ).documents?.issued,
    (n) => n === issuedCount,
    180_000,
    `reporting to count ${issuedCount} issued documents`,
  );
}
