import { agency, otherAgency, people, signatureApplied, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
let outgoingRegister: string;

const directory = {
  organisations: [
    {
      code: agency,
      name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
      abbreviation: 'UBND',
      units: [
        { code: 'kgvx', name: 'Phòng Khoa giáo - Văn xã', abbreviation: 'KGVX' },
        { code: 'vp', name: 'Văn phòng', abbreviation: 'VP' },
      ],
    },
    { code: otherAgency, name: 'Sở Khoa học và Công nghệ', abbreviation: 'SKHCN' },
  ],
};

beforeAll(async () => {
  h = await startHarness('rt_out');
  const imported = await h.documents.inject({
    method: 'POST',
    url: '/v1/organisations/imports',
    // Two agencies: the province's directory-admin imports them.
    headers: { ...h.as({ userId: 'quan-tri', agencyCode: agency, roles: ['directory-admin'] }) },
    payload: directory,
  });
  expect(imported.statusCode).toBe(200);
  const register = await h.documents.inject({
    method: 'POST',
    url: '/v1/registers',
    headers: h.as(people.clerk),
    payload: { name: 'Sổ văn bản đi', direction: 'outgoing' },
  });
  outgoingRegister = register.json().id;
});
afterAll(async () => h.close());

type Task = { id: string; step: string; state: string; documentVersion: number; assignee: Record<string, string> };

async function openTask(processId: string, step: string): Promise<Task> {
  const process = (await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json();
  const tasks = (process.tasks as Task[]).filter(
    (t) => t.step === step && (t.state === 'open' || t.state === 'claimed'),
  );
  expect(tasks).toHaveLength(1);
  return tasks[0] as Task;
}

/** Signing's part, done by hand: the signed PDF becomes the next version in documents, then the event. */
async function sign(
  documentId: string,
  who: { userId: string } | null,
  kind: 'initial' | 'approval' | 'issue',
  signedVersion?: number,
) {
  const version = await h.uploadVersion(who ? (who as never) : people.clerk, documentId, 'signature');
  await h.pumpDocumentEvents();
  const event = signatureApplied({
    documentId,
    kind,
    signer: who?.userId ?? null,
    signedVersion: signedVersion ?? version - 1,
    version,
  });
  await h.deliver('vn.vanthu.signature.applied.v1', event);
  return { version, event };
}

async function outboxTypes(): Promise<string[]> {
  const { rows } = await h.fixture.pool.query<{ event_type: string }>(
    'SELECT event_type FROM outbox ORDER BY position',
  );
  return rows.map((r) => r.event_type);
}

test('the outgoing process of NĐ 30: initials, a return with a reason, initials again on the new version, approval, seal, issue', async () => {
  const draft = await h.uploadDraft(people.specialist, { to: [{ organId: otherAgency, organName: 'Sở KH&CN' }] });
  const started = await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id });
  expect(started.statusCode).toBe(201);
  const processId = started.json().id as string;
  expect(started.json()).toMatchObject({ kind: 'outgoing', definitionVersion: 1, documentVersion: 1, state: 'active' });

  // The specialist submits the draft.
  const drafting = await openTask(processId, 'draft');
  expect(drafting.assignee).toEqual({ userId: people.specialist.userId, role: 'specialist' });
  expect((await h.call(people.specialist, 'POST', `/v1/tasks/${drafting.id}/complete`, {})).statusCode).toBe(200);

  // The unit leader's review waits for the role in the drafting unit.
  const review = await openTask(processId, 'unit-review');
  expect(review.assignee).toEqual({ role: 'unit-leader', unit: 'kgvx' });
  const inbox = (await h.call(people.unitLeader, 'GET', '/v1/tasks?assignee=me')).json();
  expect(inbox.items.map((t: Task) => t.id)).toContain(review.id);
  expect(inbox.counts.open).toBeGreaterThanOrEqual(1);
  const foreign = await h.call(people.otherUnitLeader, 'POST', `/v1/tasks/${review.id}/claim`);
  expect(foreign.statusCode).toBe(403);
  expect((await h.call(people.outsider, 'POST', `/v1/tasks/${review.id}/claim`)).statusCode).toBe(404);
  const early = await h.call(people.unitLeader, 'POST', `/v1/tasks/${review.id}/complete`, {});
  expect(early.statusCode).toBe(409);
  expect(early.json().detail).toMatch(/allowed: claim, return, delegate, forward/);
  expect((await h.call(people.unitLeader, 'POST', `/v1/tasks/${review.id}/claim`)).statusCode).toBe(200);
  const byClient = await h.call(people.unitLeader, 'POST', `/v1/tasks/${review.id}/complete`, {});
  expect(byClient.statusCode).toBe(409);
  expect(byClient.json().detail).toMatch(/allowed: return, delegate, forward/);

  // A signature by someone else does not complete the step; the assignee's own does.
  await sign(draft.id, people.specialist, 'initial');
  expect((await openTask(processId, 'unit-review')).id).toBe(review.id);
  const firstInitial = await sign(draft.id, people.unitLeader, 'initial');
  expect(firstInitial.event.signedVersion).toBe(2);
  const check = await openTask(processId, 'format-check');
  expect(check.documentVersion).toBe(firstInitial.version);

  // The format checker returns it to the drafter with a reason (a return without one is refused).
  expect((await h.call(people.formatChecker, 'POST', `/v1/tasks/${check.id}/claim`)).statusCode).toBe(200);
  const noReason = await h.call(people.formatChecker, 'POST', `/v1/tasks/${check.id}/return`, { toStep: 'draft' });
  expect(noReason.statusCode).toBe(400);
  const later = await h.call(people.formatChecker, 'POST', `/v1/tasks/${check.id}/return`, {
    toStep: 'approval',
    reason: 'x',
  });
  expect(later.statusCode).toBe(400);
  const returned = await h.call(people.formatChecker, 'POST', `/v1/tasks/${check.id}/return`, {
    toStep: 'draft',
    reason: 'Sai thể thức: thiếu Nơi nhận, trích yếu quá dài',
  });
  expect(returned.statusCode).toBe(200);
  expect(returned.json().state).toBe('returned');
  const again = await h.call(people.formatChecker, 'POST', `/v1/tasks/${check.id}/return`, { reason: 'lần hai' });
  expect(again.statusCode).toBe(409);
  expect(again.json().detail).toMatch(/already returned/);

  // The drafter uploads a corrected version: the old initials no longer vouch for the content.
  const redraft = await openTask(processId, 'draft');
  expect(redraft.assignee.userId).toBe(people.specialist.userId);
  const corrected = await h.uploadVersion(people.specialist, draft.id, 'upload');
  await h.pumpDocumentEvents();
  const afterEdit = (await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json();
  expect(afterEdit.contentVersion).toBe(corrected);
  expect(afterEdit.signatures.every((s: { valid: boolean }) => !s.valid)).toBe(true);
  expect((await h.call(people.specialist, 'POST', `/v1/tasks/${redraft.id}/complete`, {})).statusCode).toBe(200);

  // Both initials again, on the corrected content.
  const review2 = await openTask(processId, 'unit-review');
  expect(review2.documentVersion).toBe(corrected);
  await h.call(people.unitLeader, 'POST', `/v1/tasks/${review2.id}/claim`);
  // A signature on the content before the correction is refused.
  await sign(draft.id, people.unitLeader, 'initial', corrected - 1);
  expect((await openTask(processId, 'unit-review')).id).toBe(review2.id);
  await sign(draft.id, people.unitLeader, 'initial');
  const check2 = await openTask(processId, 'format-check');
  await h.call(people.formatChecker, 'POST', `/v1/tasks/${check2.id}/claim`);
  await sign(draft.id, people.formatChecker, 'initial');

  // Two leaders take the approval at once: exactly one wins.
  const approval = await openTask(processId, 'approval');
  const claims = await Promise.all([
    h.call(people.leader, 'POST', `/v1/tasks/${approval.id}/claim`),
    h.call(people.leader2, 'POST', `/v1/tasks/${approval.id}/claim`),
  ]);
  expect(claims.map((c) => c.statusCode).sort()).toEqual([200, 403]);
  const winner = claims[0]?.statusCode === 200 ? people.leader : people.leader2;
  await sign(draft.id, winner, 'approval');

  // The clerk numbers (documents), seals (signing, issue) and issues.
  const sealing = await openTask(processId, 'sealing');
  await h.call(people.clerk, 'POST', `/v1/tasks/${sealing.id}/claim`);
  const registered = await h.documents.inject({
    method: 'POST',
    url: `/v1/documents/${draft.id}/registration`,
    headers: h.as(people.clerk),
    payload: { registerId: outgoingRegister, typeCode: 'CV', unitCode: 'kgvx' },
  });
  expect(registered.json()).toMatchObject({ document: { status: 'registered' } });
  // A personal signature is not the organisation seal.
  await sign(draft.id, people.clerk, 'issue');
  expect((await openTask(processId, 'sealing')).id).toBe(sealing.id);
  const seal = await sign(draft.id, null, 'issue');
  const issuing = await openTask(processId, 'issue');
  expect(issuing.documentVersion).toBe(seal.version);
  // The same issuance twice under one Idempotency-Key: the second is the first's answer, replayed.
  const issue = () =>
    h.call(
      people.clerk,
      'POST',
      `/v1/tasks/${issuing.id}/complete`,
      {
        issuance: {
          recipients: [
            { organId: otherAgency, organName: 'Sở Khoa học và Công nghệ' },
            { organId: '000.00.99.H98', organName: 'Bộ Nội vụ' },
          ],
        },
      },
      { 'idempotency-key': `issue-${issuing.id}` },
    );
  const issued = await issue();
  expect(issued.statusCode).toBe(200);
  const replay = await issue();
  expect(replay.statusCode).toBe(200);
  expect(replay.headers['idempotent-replayed']).toBe('true');

  const finished = (await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json();
  expect(finished).toMatchObject({ state: 'completed', outcome: 'issued' });
  const valid = finished.signatures.filter((s: { valid: boolean }) => s.valid).map((s: { step: string }) => s.step);
  expect(valid).toEqual(['unit-review', 'format-check', 'approval', 'sealing']);

  // History: every step, the return reason and every signature reference, chained and verifiable.
  const history = (await h.call(people.admin, 'GET', `/v1/processes/${processId}/history`)).json().items as {
    action: string;
    detail: Record<string, unknown>;
  }[];
  expect(history.find((e) => e.action === 'task-returned')?.detail.reason).toBe(
    'Sai thể thức: thiếu Nơi nhận, trích yếu quá dài',
  );
  expect(history.filter((e) => e.action === 'signature-accepted')).toHaveLength(5);
  expect(history.filter((e) => e.action === 'signature-ignored').map((e) => e.detail.reason)).toEqual([
    expect.stringMatching(/signed by chuyen-vien-1, but step unit-review is assigned to truong-phong-1/),
    expect.stringMatching(/on version \d+, older than version \d+ that step unit-review concerns/),
    expect.stringMatching(/must be the organisation seal/),
  ]);
  const verdict = (await h.call(people.admin, 'GET', `/v1/processes/${processId}/history/verification`)).json();
  expect(verdict).toMatchObject({ valid: true, entries: history.length });
  await expect(
    h.fixture.pool.query("UPDATE process_history SET actor = 'x' WHERE process_id = $1", [processId]),
  ).rejects.toThrow(/append-only/);

  // Events: what reporting needs, and the hub delivery only for the recipient not on this instance.
  const types = await outboxTypes();
  for (const type of [
    'process.started',
    'task.assigned',
    'task.claimed',
    'task.completed',
    'task.returned',
    'process.returned',
    'process.completed',
    'delivery.requested',
  ])
    expect(types).toContain(`vn.vanthu.${type}.v1`);
  const { rows } = await h.fixture.pool.query<{ data: { recipients: { organId: string }[] } }>(
    "SELECT data FROM outbox WHERE event_type = 'vn.vanthu.delivery.requested.v1'",
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]?.data.recipients.map((r) => r.organId)).toEqual(['000.00.99.H98']);

  // The recipient on this instance got the issued version as its incoming document, and its incoming process runs.
  const delivered = history.find((e) => e.action === 'document-issued')?.detail.localDeliveries as {
    organId: string;
    documentId: string;
    processId: string;
  }[];
  expect(delivered.map((d) => d.organId)).toEqual([otherAgency]);
  const [local] = delivered;
  const received = (
    await h.documents.inject({
      method: 'GET',
      url: `/v1/documents/${local?.documentId}`,
      headers: h.as(people.otherClerk),
    })
  ).json();
  expect(received).toMatchObject({
    agencyCode: otherAgency,
    direction: 'incoming',
    subject: 'Công văn về việc triển khai văn bản điện tử',
    metadata: { sender: { organId: people.clerk.agencyCode }, codeNotation: expect.stringMatching(/^UBND-KGVX$/) },
  });
  const issuedBytes = await h.documents.inject({
    method: 'GET',
    url: `/v1/documents/${draft.id}/content?version=${seal.version}`,
    headers: h.as(people.clerk),
  });
  const receivedBytes = await h.documents.inject({
    method: 'GET',
    url: `/v1/documents/${local?.documentId}/content`,
    headers: h.as(people.otherClerk),
  });
  expect(receivedBytes.rawPayload.equals(issuedBytes.rawPayload)).toBe(true);
  const theirs = (await h.call(people.otherClerk, 'GET', `/v1/processes/${local?.processId}`)).json();
  expect(theirs).toMatchObject({
    agencyCode: otherAgency,
    kind: 'incoming',
    state: 'active',
    documentId: local?.documentId,
    variables: { receivedVia: 'instance', receivedFrom: { processId, documentId: draft.id, version: seal.version } },
  });
  expect(theirs.tasks.map((t: Task) => [t.step, t.state])).toEqual([['registration', 'open']]);
  expect((await h.call(people.clerk, 'GET', `/v1/processes/${local?.processId}`)).statusCode).toBe(404);
  const theirInbox = (await h.call(people.otherClerk, 'GET', '/v1/tasks?assignee=me')).json();
  expect(theirInbox.items.map((t: Task & { processId: string }) => t.processId)).toContain(local?.processId);
});
