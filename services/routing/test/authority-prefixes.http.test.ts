import type { Identity } from '@vanthu/platform';
import outgoing from '../src/definitions/defaults/outgoing.json';
import { people, signatureApplied, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_authority');
});
afterAll(async () => h.close());

type Task = {
  id: string;
  step: string;
  state: string;
  authority: { prefix: string | null; onBehalfOf: string | null } | null;
};
async function openTask(processId: string, step: string): Promise<Task> {
  const tasks = ((await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().tasks as Task[]).filter(
    (t) => t.step === step && (t.state === 'open' || t.state === 'claimed'),
  );
  expect(tasks).toHaveLength(1);
  return tasks[0] as Task;
}

/** Signing's part by hand: the signed PDF becomes the next version in documents, then signature.applied. */
async function sign(documentId: string, who: Identity, kind: 'initial' | 'approval', authorityPrefix: string | null) {
  const version = await h.uploadVersion(who, documentId, 'signature');
  await h.pumpDocumentEvents();
  const event = {
    ...signatureApplied({ documentId, kind, signer: who.userId, signedVersion: version - 1, version }),
    authorityPrefix,
  };
  await h.deliver('vn.vanthu.signature.applied.v1', event);
  return event;
}

const outboxOf = async (type: string, taskId: string) =>
  (
    await h.fixture.pool.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM outbox WHERE event_type = $1 AND data->>'taskId' = $2 ORDER BY position",
      [type, taskId],
    )
  ).rows.map((r) => r.data);

test('a prefix on a signature that is not an approval is refused naming the step', async () => {
  const elements = outgoing.elements.map((e) =>
    e.id === 'unit-review' ? { ...e, signature: { kind: 'initial', authorityPrefix: 'KT.' } } : e,
  );
  const refused = await h.call(people.admin, 'POST', '/v1/workflows/definitions', { ...outgoing, elements });
  expect(refused.statusCode).toBe(400);
  expect(refused.json().errors).toEqual([
    {
      field: 'body.elements.unit-review.signature.authorityPrefix',
      message: 'step unit-review is a initial signature, which carries no authority prefix',
    },
  ]);
});

test('the approval carries its authority: TM. from the definition, KT. on behalf of the Chairman once delegated; a signature without it does not complete the step', async () => {
  // The collective regime (NĐ 30/2020 Điều 13.2): the Chairman signs TM. Ủy ban nhân dân.
  const elements = outgoing.elements.map((e) =>
    e.id === 'approval' ? { ...e, signature: { kind: 'approval', authorityPrefix: 'TM.' } } : e,
  );
  expect((await h.call(people.admin, 'POST', '/v1/workflows/definitions', { ...outgoing, elements })).statusCode).toBe(
    201,
  );
  const draft = await h.uploadDraft(people.specialist);
  const processId = (
    await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id })
  ).json().id as string;
  const drafting = await openTask(processId, 'draft');
  expect(drafting.authority).toBeNull();
  await h.call(people.specialist, 'POST', `/v1/tasks/${drafting.id}/complete`, {});
  const review = await openTask(processId, 'unit-review');
  await h.call(people.unitLeader, 'POST', `/v1/tasks/${review.id}/claim`);
  // A delegated initial is not signed under a prefix.
  const noPrefix = await h.call(people.unitLeader, 'POST', `/v1/tasks/${review.id}/delegate`, {
    to: people.otherUnitLeader.userId,
    authorityPrefix: 'KT.',
  });
  expect(noPrefix.statusCode).toBe(400);
  expect(noPrefix.json().errors).toEqual([
    { field: 'body.authorityPrefix', message: 'only for a step the assignee signs as the approver' },
  ]);
  await sign(draft.id, people.unitLeader, 'initial', null);
  const check = await openTask(processId, 'format-check');
  await h.call(people.formatChecker, 'POST', `/v1/tasks/${check.id}/claim`);
  await sign(draft.id, people.formatChecker, 'initial', null);

  const approval = await openTask(processId, 'approval');
  expect(approval.authority).toEqual({ prefix: 'TM.', onBehalfOf: null });
  expect((await h.call(people.leader, 'POST', `/v1/tasks/${approval.id}/claim`)).json().authority).toEqual({
    prefix: 'TM.',
    onBehalfOf: null,
  });
  expect(
    (
      await h.call(people.leader, 'POST', `/v1/tasks/${approval.id}/delegate`, {
        to: people.leader2.userId,
        authorityPrefix: 'XX.',
      })
    ).statusCode,
  ).toBe(400);
  // The Chairman gives it to a Vice-Chairman, who signs KT. Chủ tịch (ký thay, Điều 13.1).
  const delegated = await h.call(people.leader, 'POST', `/v1/tasks/${approval.id}/delegate`, {
    to: people.leader2.userId,
    authorityPrefix: 'KT.',
    reason: 'Chủ tịch đi công tác',
  });
  expect(delegated.json()).toMatchObject({
    assignee: { userId: people.leader2.userId },
    ownerUserId: people.leader.userId,
    authority: { prefix: 'KT.', onBehalfOf: people.leader.userId },
  });

  // Signed without the prefix it was given under: recorded, ignored, the step still waits.
  await sign(draft.id, people.leader2, 'approval', 'TM.');
  expect((await openTask(processId, 'approval')).id).toBe(approval.id);
  const history = (await h.call(people.admin, 'GET', `/v1/processes/${processId}/history`)).json().items as {
    action: string;
    detail: { reason?: string };
  }[];
  expect(history.filter((e) => e.action === 'signature-ignored').map((e) => e.detail.reason)).toEqual([
    `signed with prefix TM., but step approval is signed KT. on behalf of ${people.leader.userId}`,
  ]);
  const signed = await sign(draft.id, people.leader2, 'approval', 'KT.');
  await openTask(processId, 'sealing');

  expect((await outboxOf('vn.vanthu.task.assigned.v1', approval.id)).map((e) => e.authority)).toEqual([
    { prefix: 'TM.', onBehalfOf: null },
  ]);
  expect((await outboxOf('vn.vanthu.task.delegated.v1', approval.id))[0]).toMatchObject({
    from: people.leader.userId,
    to: people.leader2.userId,
    authority: { prefix: 'KT.', onBehalfOf: people.leader.userId },
  });
  expect((await outboxOf('vn.vanthu.task.completed.v1', approval.id))[0]).toMatchObject({
    completedBy: people.leader2.userId,
    signatureId: signed.signatureId,
    authorityPrefix: 'KT.',
    authority: { prefix: 'KT.', onBehalfOf: people.leader.userId },
  });
  const process = (await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json();
  expect(process.signatures.find((s: { step: string }) => s.step === 'approval')).toMatchObject({
    signerUserId: people.leader2.userId,
    authorityPrefix: 'KT.',
  });
});

test('a delegation in force that gives an approval to someone else makes them sign TUQ. on the owner’s behalf', async () => {
  // The Chairman is away: all of their tasks go to the Vice-Chairman for the period.
  const delegation = await h.call(people.leader, 'POST', '/v1/delegations', {
    kind: 'delegation',
    delegateUserId: people.leader2.userId,
    validFrom: h.now.value.toISOString(),
    validUntil: new Date(h.now.value.getTime() + 30 * 86_400_000).toISOString(),
    reason: 'Nghỉ phép',
  });
  expect(delegation.statusCode).toBe(201);
  // The agency's definition names the approver through a process variable (the leader in charge of the field).
  const elements = outgoing.elements.map((e) =>
    e.id === 'approval'
      ? { ...e, assignee: { role: 'agency-leader', user: 'variable:approver' }, signature: { kind: 'approval' } }
      : e,
  );
  expect((await h.call(people.admin, 'POST', '/v1/workflows/definitions', { ...outgoing, elements })).statusCode).toBe(
    201,
  );
  const draft = await h.uploadDraft(people.specialist);
  const processId = (
    await h.call(people.specialist, 'POST', '/v1/processes', {
      kind: 'outgoing',
      documentId: draft.id,
      variables: { approver: people.leader.userId },
    })
  ).json().id as string;
  await h.call(people.specialist, 'POST', `/v1/tasks/${(await openTask(processId, 'draft')).id}/complete`, {});
  await h.call(people.unitLeader, 'POST', `/v1/tasks/${(await openTask(processId, 'unit-review')).id}/claim`);
  await sign(draft.id, people.unitLeader, 'initial', null);
  await h.call(people.formatChecker, 'POST', `/v1/tasks/${(await openTask(processId, 'format-check')).id}/claim`);
  await sign(draft.id, people.formatChecker, 'initial', null);
  const approval = (await h.call(people.admin, 'GET', `/v1/processes/${processId}`))
    .json()
    .tasks.find((t: { step: string }) => t.step === 'approval');
  expect(approval).toMatchObject({
    assignee: { userId: people.leader2.userId },
    ownerUserId: people.leader.userId,
    authority: { prefix: 'TUQ.', onBehalfOf: people.leader.userId },
  });
});
