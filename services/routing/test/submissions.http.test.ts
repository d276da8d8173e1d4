import { randomUUID } from 'node:crypto';
import { agency, otherAgency, people, signatureApplied, startHarness } from './http-harness';
import type { Harness } from './http-harness';

// Hồ sơ trình (docs/domain/directives.md, Đà Nẵng §1d, §2a, §2c; Lục Nam §1): a dossier sent up from the unit leader's
// account, checked by the Office for its components, the content initial and valid signatures.

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_sub');
});
afterAll(async () => h.close());

type Task = { id: string; step: string; state: string; assignee: Record<string, string> };
type HistoryEntry = { action: string; step: string | null; detail: Record<string, unknown> };

async function tasksOf(processId: string): Promise<Task[]> {
  return (await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().tasks as Task[];
}

async function openTask(processId: string, step: string): Promise<Task> {
  const open = (await tasksOf(processId)).filter(
    (t) => t.step === step && (t.state === 'open' || t.state === 'claimed'),
  );
  expect(open).toHaveLength(1);
  return open[0] as Task;
}

async function history(processId: string): Promise<HistoryEntry[]> {
  return (await h.call(people.admin, 'GET', `/v1/processes/${processId}/history`)).json().items as HistoryEntry[];
}

/** Signing's part, by hand: the signed PDF becomes the next version, then `signature.applied`. */
async function sign(documentId: string, who: { userId: string }, kind: 'initial' | 'approval') {
  const version = await h.uploadVersion(who as never, documentId, 'signature');
  await h.pumpDocumentEvents();
  const event = signatureApplied({ documentId, kind, signer: who.userId, signedVersion: version - 1, version });
  await h.deliver('vn.vanthu.signature.applied.v1', event);
  return { version, event };
}

async function newDossier(typeCode = 'QĐ') {
  const draft = await h.uploadDraft(people.unitLeader, { typeCode, subject: 'Dự thảo Quyết định ban hành Quy chế' });
  const toTrinh = await h.uploadDraft(people.unitLeader, { typeCode: 'TTr', subject: 'Tờ trình đề nghị ban hành' });
  await h.pumpDocumentEvents();
  return { draft: draft.id, toTrinh: toTrinh.id };
}

const start = (who: (typeof people)[keyof typeof people], body: unknown) => h.call(who, 'POST', '/v1/processes', body);

async function send(processId: string, components?: { component: string; documentId: string }[]) {
  const sending = await openTask(processId, 'send');
  const response = await h.call(
    people.unitLeader,
    'POST',
    `/v1/tasks/${sending.id}/complete`,
    components ? { submission: { components } } : {},
  );
  expect(response.statusCode).toBe(200);
}

async function officeCheck(processId: string) {
  const check = await openTask(processId, 'office-check');
  expect(check.assignee).toEqual({ role: 'dossier-inspector' });
  expect((await h.call(people.inspector, 'POST', `/v1/tasks/${check.id}/claim`)).statusCode).toBe(200);
  const response = await h.call(people.inspector, 'POST', `/v1/tasks/${check.id}/complete`, {});
  expect(response.statusCode).toBe(200);
  return response.json() as { state: string };
}

test('a dossier sent up is returned while incomplete and presented after corrections; the history shows every round', async () => {
  const { draft, toTrinh } = await newDossier();
  const started = await start(people.unitLeader, { kind: 'submission', documentId: draft });
  expect(started.statusCode).toBe(201);
  const processId = started.json().id as string;
  expect(started.json()).toMatchObject({ kind: 'submission', state: 'active' });

  // Round 1: the leader initials the draft and sends it without its tờ trình.
  const initial = await openTask(processId, 'content-initial');
  expect(initial.assignee).toEqual({ userId: people.unitLeader.userId, role: 'unit-leader' });
  await sign(draft, people.unitLeader, 'initial');
  await send(processId);
  expect((await officeCheck(processId)).state).toBe('returned');
  let rows = await history(processId);
  const firstReturn = rows.filter((r) => r.action === 'task-returned').at(-1) as HistoryEntry;
  expect(firstReturn.detail).toMatchObject({ toStep: 'content-initial', round: 1 });
  expect(firstReturn.detail.reason).toMatch(/no to-trinh/);
  expect(firstReturn.detail.findings).toEqual([
    expect.objectContaining({ code: 'missing-component', component: 'to-trinh' }),
  ]);

  // Round 2: the leader corrects the draft (a new content version) and must initial it again; the tờ trình
  // is attached but not signed yet.
  await openTask(processId, 'content-initial');
  await h.uploadVersion(people.unitLeader, draft, 'upload');
  await h.pumpDocumentEvents();
  await sign(draft, people.unitLeader, 'initial');
  await send(processId, [{ component: 'to-trinh', documentId: toTrinh }]);
  expect((await officeCheck(processId)).state).toBe('returned');
  rows = await history(processId);
  expect((rows.filter((r) => r.action === 'task-returned').at(-1) as HistoryEntry).detail.findings).toEqual([
    expect.objectContaining({ code: 'unsigned', component: 'to-trinh', documentId: toTrinh }),
  ]);

  // Round 3: the tờ trình is signed, the leader initials again and resends: presented to the leaders.
  await sign(toTrinh, people.unitLeader, 'approval');
  await sign(draft, people.unitLeader, 'initial');
  await send(processId);
  expect((await officeCheck(processId)).state).toBe('completed');
  const decision = await openTask(processId, 'decision');
  expect(decision.assignee).toEqual({ role: 'agency-leader' });

  rows = await history(processId);
  expect(rows.filter((r) => r.action === 'submission-sent').map((r) => r.detail.round)).toEqual([1, 2, 3]);
  expect(rows.filter((r) => r.action === 'task-returned').map((r) => r.detail.round)).toEqual([1, 2]);
  expect(rows.filter((r) => r.action === 'submission-presented').map((r) => r.detail.round)).toEqual([3]);
  expect((await h.call(people.admin, 'GET', `/v1/processes/${processId}/history/verification`)).json()).toMatchObject({
    valid: true,
  });
  const { rows: events } = await h.fixture.pool.query<{ event_type: string }>(
    `SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY position`,
    [processId],
  );
  expect(events.filter((e) => e.event_type === 'vn.vanthu.process.returned.v1')).toHaveLength(2);
});

test('a signature that signing found invalid sends the dossier back, naming it', async () => {
  const { draft, toTrinh } = await newDossier();
  const processId = (
    await start(people.unitLeader, {
      kind: 'submission',
      documentId: draft,
      components: [{ component: 'to-trinh', documentId: toTrinh }],
    })
  ).json().id as string;
  const signed = await sign(toTrinh, people.unitLeader, 'approval');
  await h.deliver('vn.vanthu.document.validated.v1', {
    documentId: toTrinh,
    agencyCode: agency,
    version: signed.version,
    sha256: 'd'.repeat(64),
    verdict: 'TOTAL_FAILED',
    verdictReason: 'REVOKED: the signer’s certificate was revoked before signing',
    signatures: [],
    reportId: randomUUID(),
    validatedAt: new Date().toISOString(),
  });
  await sign(draft, people.unitLeader, 'initial');
  await send(processId);
  expect((await officeCheck(processId)).state).toBe('returned');
  const returned = (await history(processId)).filter((r) => r.action === 'task-returned').at(-1) as HistoryEntry;
  expect(returned.detail.findings).toEqual([
    expect.objectContaining({ code: 'invalid-signature', component: 'to-trinh', documentId: toTrinh }),
  ]);
  expect(returned.detail.reason).toMatch(/REVOKED/);
});

test('a dossier sent from a specialist account is returned at once with that reason (unless the agency allows it)', async () => {
  const { draft } = await newDossier();
  const started = await start(people.specialist, { kind: 'submission', documentId: draft });
  expect(started.statusCode).toBe(201);
  expect(started.json()).toMatchObject({ state: 'completed', outcome: 'returned-to-sender' });
  expect(await tasksOf(started.json().id)).toEqual([]);
  const returned = (await history(started.json().id)).find((r) => r.action === 'submission-returned') as HistoryEntry;
  expect(returned.detail.reason).toMatch(/not the unit's leader/);

  // An agency that lets specialists send (configurable per agency).
  const policy = {
    senderMustBeUnitLeader: false,
    requiredComponents: { '*': ['to-trinh'] },
    signedComponents: ['to-trinh'],
  };
  expect((await h.call(people.specialist, 'PUT', '/v1/workflows/submission-policy', policy)).statusCode).toBe(403);
  expect(
    (await h.call(people.admin, 'PUT', '/v1/workflows/submission-policy', { ...policy, extra: 1 })).statusCode,
  ).toBe(400);
  expect((await h.call(people.admin, 'PUT', '/v1/workflows/submission-policy', policy)).json()).toMatchObject({
    source: 'agency',
    senderMustBeUnitLeader: false,
  });
  const second = await newDossier();
  const allowed = await start(people.specialist, { kind: 'submission', documentId: second.draft });
  expect(allowed.json()).toMatchObject({ state: 'active' });
  expect((await openTask(allowed.json().id, 'content-initial')).assignee.userId).toBe(people.specialist.userId);
  const restored = { ...policy, senderMustBeUnitLeader: true };
  expect((await h.call(people.admin, 'PUT', '/v1/workflows/submission-policy', restored)).statusCode).toBe(200);
});

test('required components per document type are the agency’s to set', async () => {
  const policy = {
    senderMustBeUnitLeader: true,
    requiredComponents: { '*': ['to-trinh'], QĐ: ['to-trinh', 'opinions'] },
    signedComponents: ['to-trinh'],
  };
  expect((await h.call(people.admin, 'PUT', '/v1/workflows/submission-policy', policy)).statusCode).toBe(200);
  expect((await h.call(people.specialist, 'GET', '/v1/workflows/submission-policy')).json()).toMatchObject(policy);
  try {
    const { draft, toTrinh } = await newDossier('QĐ');
    await sign(toTrinh, people.unitLeader, 'approval');
    const components = [{ component: 'to-trinh', documentId: toTrinh }];
    const processId = (await start(people.unitLeader, { kind: 'submission', documentId: draft, components })).json().id;
    await sign(draft, people.unitLeader, 'initial');
    await send(processId);
    expect((await officeCheck(processId)).state).toBe('returned');
    const returned = (await history(processId)).filter((r) => r.action === 'task-returned').at(-1) as HistoryEntry;
    expect(returned.detail.findings).toEqual([
      expect.objectContaining({ code: 'missing-component', component: 'opinions' }),
    ]);

    // A công văn needs only the signed tờ trình.
    const cv = await newDossier('CV');
    await sign(cv.toTrinh, people.unitLeader, 'approval');
    const cvProcess = (
      await start(people.unitLeader, {
        kind: 'submission',
        documentId: cv.draft,
        components: [{ component: 'to-trinh', documentId: cv.toTrinh }],
      })
    ).json().id;
    await sign(cv.draft, people.unitLeader, 'initial');
    await send(cvProcess);
    expect((await officeCheck(cvProcess)).state).toBe('completed');
  } finally {
    await h.call(people.admin, 'PUT', '/v1/workflows/submission-policy', {
      ...policy,
      requiredComponents: { '*': ['to-trinh'] },
    });
  }
});

test('bad input: another agency’s submission or component is 404, a component listed twice is 400, components only on a submission', async () => {
  const { draft, toTrinh } = await newDossier();
  const foreign = await h.uploadDraft(people.outsider, { subject: 'Tờ trình của cơ quan khác' });
  const withForeign = await start(people.unitLeader, {
    kind: 'submission',
    documentId: draft,
    components: [{ component: 'to-trinh', documentId: foreign.id }],
  });
  expect(withForeign.statusCode).toBe(404);
  const twice = await start(people.unitLeader, {
    kind: 'submission',
    documentId: draft,
    components: [
      { component: 'to-trinh', documentId: toTrinh },
      { component: 'attachment', documentId: toTrinh },
    ],
  });
  expect(twice.statusCode).toBe(400);
  expect((await start(people.unitLeader, { kind: 'outgoing', documentId: draft, components: [] })).statusCode).toBe(
    400,
  );
  expect((await start(people.outsider, { kind: 'submission', documentId: draft })).statusCode).toBe(404);
  expect((await start(people.clerk, { kind: 'submission', documentId: draft })).statusCode).toBe(403);

  const processId = (await start(people.unitLeader, { kind: 'submission', documentId: draft })).json().id as string;
  expect((await h.call(people.outsider, 'GET', `/v1/processes/${processId}`)).statusCode).toBe(404);
  await sign(draft, people.unitLeader, 'initial');
  const sending = await openTask(processId, 'send');
  expect((await h.call(people.specialist, 'POST', `/v1/tasks/${sending.id}/complete`, {})).statusCode).toBe(403);
  expect((await h.call(people.outsider, 'POST', `/v1/tasks/${sending.id}/complete`, {})).statusCode).toBe(404);
  const foreignAgain = await h.call(people.unitLeader, 'POST', `/v1/tasks/${sending.id}/complete`, {
    submission: { components: [{ component: 'to-trinh', documentId: foreign.id }] },
  });
  expect(foreignAgain.statusCode).toBe(404);
  await send(processId, [{ component: 'to-trinh', documentId: toTrinh }]);
  const check = await openTask(processId, 'office-check');
  expect((await h.call(people.outsider, 'POST', `/v1/tasks/${check.id}/claim`)).statusCode).toBe(404);
  expect((await h.call(people.unitLeader, 'POST', `/v1/tasks/${check.id}/claim`)).statusCode).toBe(403);
  void otherAgency;
});
