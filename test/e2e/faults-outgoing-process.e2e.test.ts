import fs from 'node:fs';
import { sign as nodeSign } from 'node:crypto';
import { certificateDer, gatewayClient, json } from '../support/gateway-client';
import { multipartBody } from '../support/multipart';
import { agencyA, agencyB } from '../support/identities';
import { queryOnce } from '../support/sql';
import { eventually } from '../support/wait';
import { awaitHealthy, cellTitle, cells, expectStatus, startFaultStack, untilAnswered } from '../support/faults';
import type { Cell, FaultStack } from '../support/faults';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { blueSignaturePng, redSealPng } from '../../services/signing/test/fixtures/images';

// Fault matrix (ARCHITECTURE.md "Fault matrix"), flow "the outgoing routing process": a specialist starts the
// outgoing process on a draft (NĐ 30/2020 Điều 10–19, here the agency's shortened definition: draft → the agency
// leader's approval → the clerk numbers and seals → the clerk issues), the leader approves by two-step signing, the
// clerk registers and seals, routing moves on from signing's signature.applied events, and the issue delivers the
// document to agency B on this instance directly (Điều 16.1, its incoming process starts). One fault per cell at a
// point of the flow, the clients repeating what failed with the same Idempotency-Key. Afterwards, from routing's,
// documents' and reporting's databases: the process ended, each step has exactly one task and it is completed, the
// recipient got one incoming document and one incoming process, and reporting counts each task once.

type Client = ReturnType<typeof gatewayClient>;

const matrix = cells([
  { fault: { kind: 'kill', service: 'routing' }, point: 'when the approval is signed' },
  { fault: { kind: 'kill', service: 'routing' }, point: 'during the issue', sample: true },
  { fault: { kind: 'kill', service: 'documents' }, point: 'during the issue' },
  { fault: { kind: 'kill', service: 'signing' }, point: 'when the approval is signed' },
  { fault: { kind: 'kill', service: 'signing' }, point: 'during the seal' },
  { fault: { kind: 'kill', service: 'routing' }, point: 'during the seal' },
  { fault: { kind: 'kill', service: 'reporting' }, point: 'during the issue' },
  { fault: { kind: 'postgres-restart' }, point: 'when the approval is signed' },
  { fault: { kind: 'postgres-restart' }, point: 'during the issue' },
  { fault: { kind: 'kafka-restart' }, point: 'when the approval is signed', sample: true },
  { fault: { kind: 'kafka-restart' }, point: 'during the issue' },
]);

const shortened = {
  kind: 'outgoing',
  name: 'Văn bản đi (rút gọn cho kiểm thử sự cố)',
  elements: [
    { id: 'start', type: 'startEvent' },
    {
      id: 'draft',
      type: 'userTask',
      name: 'Soạn thảo và trình (chuyên viên)',
      assignee: { role: 'specialist', user: 'starter' },
      actions: ['complete'],
      submitsVersion: true,
    },
    {
      id: 'approval',
      type: 'userTask',
      name: 'Lãnh đạo cơ quan duyệt và ký số',
      assignee: { role: 'agency-leader' },
      actions: ['claim', 'complete', 'return'],
      signature: { kind: 'approval' },
    },
    {
      id: 'sealing',
      type: 'userTask',
      name: 'Văn thư cấp số, ký số của cơ quan',
      assignee: { role: 'clerk' },
      actions: ['claim', 'complete', 'return'],
      signature: { kind: 'issue' },
      requiresSignaturesOf: ['approval'],
    },
    {
      id: 'issue',
      type: 'userTask',
      name: 'Văn thư phát hành và gửi',
      assignee: { role: 'clerk' },
      actions: ['claim', 'complete'],
      form: 'issuance',
    },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { from: 'start', to: 'draft' },
    { from: 'draft', to: 'approval' },
    { from: 'approval', to: 'sealing' },
    { from: 'sealing', to: 'issue' },
    { from: 'issue', to: 'end' },
  ],
};

let f: FaultStack;
let registerId: string;
let specialist: Client;
let clerk: Client;
let leader: { client: Client; certPath: string; key: string };
const processes: { processId: string; documentId: string }[] = [];

beforeAll(async () => {
  f = await startFaultStack('fproc');
  const token = (user: string, roles: string[], unit: string, name?: string) =>
    f.stack.token({ user, agency: agencyA, roles, unit, ttlSeconds: 7200, ...(name ? { name } : {}) } as never);
  // directory-admin: the set-up imports two agencies.
  const admin = gatewayClient(f.stack.gatewayUrl, await token('quan-tri', ['admin', 'directory-admin'], 'vp'));
  specialist = gatewayClient(f.stack.gatewayUrl, await token('chuyen-vien', ['specialist'], 'kgvx'));
  clerk = gatewayClient(f.stack.gatewayUrl, await token('van-thu', ['clerk'], 'vp'));
  const p = f.stack.infra.pki.persons['nguyen-van-an'];
  if (!p) throw new Error('no test person nguyen-van-an');
  leader = {
    client: gatewayClient(f.stack.gatewayUrl, await token('an', ['agency-leader'], 'vp', 'Nguyễn Văn An')),
    certPath: p.certPath,
    key: fs.readFileSync(p.keyPath, 'utf8'),
  };
  const imported = await admin.call(
    'POST',
    '/v1/organisations/imports',
    json({
      organisations: [
        {
          code: agencyA,
          name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
          abbreviation: 'UBND',
          units: [
            { code: 'kgvx', name: 'Phòng Khoa giáo - Văn xã', abbreviation: 'KGVX' },
            { code: 'vp', name: 'Văn phòng', abbreviation: 'VP' },
          ],
        },
        { code: agencyB, name: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm', abbreviation: 'SKHCN' },
      ],
    }),
  );
  expectStatus(imported, 200);
  expectStatus(await admin.call('POST', '/v1/workflows/definitions', json(shortened)), 201);
  const register = await clerk.call('POST', '/v1/registers', json({ name: 'Sổ công văn đi', direction: 'outgoing' }));
  expectStatus(register, 201);
  registerId = (register.body as { id: string }).id;
  const certificate = await leader.client.call(
    'POST',
    '/v1/certificates',
    json({ certificate: fs.readFileSync(leader.certPath, 'utf8') }),
  );
  expectStatus(certificate, 201);
  const activated = await admin.call(
    'POST',
    `/v1/certificates/${(certificate.body as { id: string }).id}/activate`,
    json({}),
  );
  expectStatus(activated, 200);
  await uploadImage(clerk, redSealPng(), { kind: 'seal', widthMm: 36 });
  await uploadImage(leader.client, blueSignaturePng(), { kind: 'signature' });
  // Tasks go only to people with an activated certificate or the head of the agency's written exception (certificate
  // gating): the specialist and the clerk, who sign nothing personally here, get the exception.
  for (const userId of ['chuyen-vien', 'van-thu'])
    expectStatus(
      await admin.call(
        'POST',
        '/v1/certificate-exceptions',
        json({ userId, referenceDocument: '15/QĐ-UBND', reason: 'Kiểm thử sự cố: chưa được cấp chứng thư số' }),
      ),
      201,
    );
}, 300_000);
afterAll(async () => {
  await f?.close();
});

async function uploadImage(client: Client, png: Buffer, metadata: unknown): Promise<void> {
  const { body, contentType } = multipartBody([
    { name: 'metadata', value: JSON.stringify(metadata) },
    { name: 'file', value: png, filename: 'image.png', contentType: 'image/png' },
  ]);
  expectStatus(await client.call('POST', '/v1/signature-images', { body, contentType }), 201);
}

type Task = { id: string; step: string; state: string };

/** The open task of `step`, once routing has created it (it may wait for an event). */
async function openTask(processId: string, step: string): Promise<Task> {
  const process = await eventually(
    async () => (await specialist.get(`/v1/processes/${processId}`)).body as { tasks?: Task[] },
    (p) => (p.tasks ?? []).some((t) => t.step === step && (t.state === 'open' || t.state === 'claimed')),
    240_000,
    `the ${step} task of ${processId}`,
  );
  return (process.tasks ?? []).find((t) => t.step === step && (t.state === 'open' || t.state === 'claimed')) as Task;
}

async function claim(client: Client, task: Task): Promise<void> {
  // Claiming the approval waits for routing to learn of the leader's activated certificate (an event).
  await eventually(
    () => untilAnswered(() => client.call('POST', `/v1/tasks/${task.id}/claim`), 'claim'),
    (r) => r.status === 200 || (r.status === 409 && /claimed/.test(JSON.stringify(r.body))),
    240_000,
    `claiming ${task.step}`,
  );
}

async function withFault(cell: Cell, point: string, work: () => Promise<void>): Promise<void> {
  if (cell.point !== point) return work();
  await Promise.all([
    work(),
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await f.inject(cell.fault);
    })(),
  ]);
}

describe.each(matrix.map((cell) => [cellTitle(cell), cell] as const))('the outgoing routing process: %s', (_, cell) => {
  it('ends with one completed task per step and one delivery to the recipient', async () => {
    const draft = await specialist.uploadDocument(await makeCongVan({ pages: 1 }), {
      direction: 'outgoing',
      subject: `Về việc kiểm thử sự cố: ${cellTitle(cell)}`,
      typeCode: 'CV',
    });
    expectStatus(draft, 201);
    const documentId = (draft.body as { id: string }).id;
    const started = await untilAnswered(
      () =>
        specialist.call('POST', '/v1/processes', {
          ...json({ kind: 'outgoing', documentId }),
          headers: { 'idempotency-key': `start-${documentId}` },
        }),
      'start the process',
    );
    expectStatus(started, 201);
    const processId = (started.body as { id: string }).id;
    processes.push({ processId, documentId });

    const drafting = await openTask(processId, 'draft');
    expectStatus(await specialist.call('POST', `/v1/tasks/${drafting.id}/complete`, json({})), 200);

    const approval = await openTask(processId, 'approval');
    await claim(leader.client, approval);
    await withFault(cell, 'when the approval is signed', async () => {
      const prepared = await untilAnswered(
        () =>
          leader.client.call('POST', '/v1/signing-sessions', {
            ...json({
              kind: 'approval',
              level: 'B-B',
              positionText: 'CHỦ TỊCH',
              authorityPrefix: 'TM.',
              documents: [{ documentId }],
            }),
            headers: { 'idempotency-key': `prepare-${documentId}` },
          }),
        'prepare the approval',
      );
      expectStatus(prepared, 201);
      const session = prepared.body as { id: string; items: { dataToSign: string }[] };
      const signatureValue = nodeSign(
        'sha256',
        Buffer.from(session.items[0]?.dataToSign ?? '', 'base64'),
        leader.key,
      ).toString('base64');
      const done = await untilAnswered(
        () =>
          leader.client.call('POST', `/v1/signing-sessions/${session.id}/complete`, {
            ...json({ certificateChain: [certificateDer(leader.certPath)], items: [{ documentId, signatureValue }] }),
            headers: { 'idempotency-key': `complete-${session.id}` },
          }),
        'complete the approval',
      );
      expectStatus(done, 200);
    });

    const sealing = await openTask(processId, 'sealing');
    await claim(clerk, sealing);
    const registered = await untilAnswered(
      () =>
        clerk.call('POST', `/v1/documents/${documentId}/registration`, {
          ...json({ registerId, unitCode: 'vp' }),
          headers: { 'idempotency-key': `register-${documentId}` },
        }),
      'register',
    );
    expectStatus(registered, 201);
    await withFault(cell, 'during the seal', async () => {
      const sealed = await untilAnswered(
        () =>
          clerk.call('POST', `/v1/documents/${documentId}/signatures`, {
            ...json({ kind: 'issue', level: 'B-B' }),
            headers: { 'idempotency-key': `seal-${documentId}` },
          }),
        'seal',
      );
      expectStatus(sealed, 201);
    });

    const issuing = await openTask(processId, 'issue');
    await claim(clerk, issuing);
    await withFault(cell, 'during the issue', async () => {
      const issued = await untilAnswered(
        () =>
          clerk.call('POST', `/v1/tasks/${issuing.id}/complete`, {
            ...json({ issuance: { recipients: [{ organId: agencyB, organName: 'Sở Khoa học và Công nghệ' }] } }),
            headers: { 'idempotency-key': `issue-${issuing.id}` },
          }),
        'issue',
      );
      expectStatus(issued, 200);
    });
    await awaitHealthy(f.stack);
    await expectInvariants();
  });
});

async function expectInvariants(): Promise<void> {
  const { envs } = f.stack;
  const ids = processes.map((p) => p.processId);
  // Every process ended; each step has exactly one task and it is completed (none lost, none doubled).
  const states = await eventually(
    () =>
      queryOnce<{ id: string; state: string }>(
        envs.routing.DATABASE_URL as string,
        'SELECT id, state FROM processes WHERE id = ANY($1::uuid[]) ORDER BY id',
        [ids],
      ),
    (rows) => rows.length === ids.length && rows.every((r) => r.state !== 'active'),
    120_000,
    'every outgoing process to end',
  );
  expect(states.map((s) => s.state)).toEqual(ids.map(() => 'completed'));
  const tasks = await queryOnce<{ process_id: string; steps: string[]; states: string[] }>(
    envs.routing.DATABASE_URL as string,
    `SELECT process_id, array_agg(step ORDER BY created_at, step) AS steps, array_agg(state ORDER BY created_at, step) AS states
       FROM tasks WHERE process_id = ANY($1::uuid[]) GROUP BY process_id`,
    [ids],
  );
  for (const row of tasks) {
    expect({ process: row.process_id, steps: row.steps, states: row.states }).toEqual({
      process: row.process_id,
      steps: ['draft', 'approval', 'sealing', 'issue'],
      states: ['completed', 'completed', 'completed', 'completed'],
    });
  }
  // The recipient on this instance got each issued document once, with one incoming process on it.
  const delivered = await queryOnce<{ id: string }>(
    envs.documents.DATABASE_URL as string,
    `SELECT id FROM documents WHERE agency_code = $1 AND direction = 'incoming'`,
    [agencyB],
  );
  expect(delivered).toHaveLength(ids.length);
  const incoming = await queryOnce<{ document_id: string }>(
    envs.routing.DATABASE_URL as string,
    `SELECT document_id FROM processes WHERE agency_code = $1 AND kind = 'incoming'`,
    [agencyB],
  );
  expect(incoming.map((r) => r.document_id).sort()).toEqual(delivered.map((d) => d.id).sort());
  // Each outgoing document carries the approval and the seal once.
  const signatures = await queryOnce<{ document_id: string; kinds: string[] }>(
    envs.signing.DATABASE_URL as string,
    `SELECT document_id, array_agg(kind ORDER BY version) AS kinds FROM signatures
      WHERE document_id = ANY($1::uuid[]) GROUP BY document_id`,
    [processes.map((p) => p.documentId)],
  );
  expect(signatures.map((s) => s.kinds)).toEqual(processes.map(() => ['approval', 'issue']));
  // Reporting counts each task once: its facts are the tasks routing has, no more, no fewer.
  const routingTasks = await queryOnce<{ id: string }>(envs.routing.DATABASE_URL as string, 'SELECT id FROM tasks');
  await eventually(
    () => queryOnce<{ task_id: string }>(envs.reporting.DATABASE_URL as string, 'SELECT task_id FROM task_facts'),
    (rows) => rows.length === routingTasks.length,
    180_000,
    `reporting to count ${routingTasks.length} tasks`,
  );
  const facts = await queryOnce<{ task_id: string }>(
    envs.reporting.DATABASE_URL as string,
    'SELECT task_id FROM task_facts',
  );
  expect(facts.map((r) => r.task_id).sort()).toEqual(routingTasks.map((r) => r.id).sort());
}
