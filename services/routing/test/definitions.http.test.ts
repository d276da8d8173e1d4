import outgoing from '../src/definitions/defaults/outgoing.json';
import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_def');
});
afterAll(async () => h.close());

const upload = (definition: unknown) => h.call(people.admin, 'POST', '/v1/workflows/definitions', definition);

test('a definition that does not parse is refused naming the field', async () => {
  const response = await upload({ ...outgoing, elements: [...outgoing.elements, { id: 'x', type: 'userTask' }] });
  expect(response.statusCode).toBe(400);
  expect(response.json().errors.map((e: { field: string }) => e.field)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^body\.elements\.8/)]),
  );
});

test('an unreachable step, a step that never ends and an unknown flow target are refused naming the step', async () => {
  const island = {
    id: 'legal-check',
    type: 'userTask',
    name: 'Thẩm định pháp chế',
    assignee: { role: 'specialist' },
    actions: ['complete'],
  };
  const unreachable = await upload({
    ...outgoing,
    elements: [...outgoing.elements, island],
    flows: [...outgoing.flows, { from: 'legal-check', to: 'end' }],
  });
  expect(unreachable.statusCode).toBe(400);
  expect(unreachable.json().detail).toBe('step legal-check is unreachable from the start');

  const deadEnd = await upload({
    ...outgoing,
    elements: [...outgoing.elements, island],
    flows: [...outgoing.flows, { from: 'draft', to: 'legal-check' }],
  });
  expect(deadEnd.statusCode).toBe(400);
  expect(deadEnd.json().detail).toMatch(/step legal-check never reaches an end event/);

  const unknown = await upload({ ...outgoing, flows: [...outgoing.flows, { from: 'draft', to: 'nowhere' }] });
  expect(unknown.statusCode).toBe(400);
  expect(unknown.json().errors[0]).toEqual({
    field: 'body.flows.7.to',
    message: 'flow refers to unknown step nowhere',
  });
});

test('only an administrator uploads; a new version applies to new processes, running ones keep theirs', async () => {
  expect((await h.call(people.specialist, 'POST', '/v1/workflows/definitions', outgoing)).statusCode).toBe(403);
  const draft = await h.uploadDraft(people.specialist);
  const before = (
    await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id })
  ).json();
  expect(before.definitionVersion).toBe(1);

  // The agency skips the format check: its own version 1 overrides the shipped default.
  const shorter = {
    ...outgoing,
    name: 'Văn bản đi (không kiểm tra thể thức riêng)',
    elements: outgoing.elements
      .filter((e) => e.id !== 'format-check')
      .map((e) => (e.id === 'approval' ? { ...e, requiresSignaturesOf: ['unit-review'] } : e)),
    flows: [
      ...outgoing.flows.filter((f) => f.from !== 'format-check' && f.to !== 'format-check'),
      { from: 'unit-review', to: 'approval' },
    ],
  };
  const stored = await upload(shorter);
  expect(stored.statusCode).toBe(201);
  expect(stored.json()).toMatchObject({ agencyCode: people.admin.agencyCode, kind: 'outgoing', version: 1 });
  expect((await upload(shorter)).json().version).toBe(2);

  const second = await h.uploadDraft(people.specialist);
  const after = (
    await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: second.id })
  ).json();
  expect(after.definitionVersion).toBe(2);
  expect(after.tasks.map((t: { step: string }) => t.step)).toEqual(['draft']);
  // A third version later does not move the process started on the second.
  expect((await upload(shorter)).json().version).toBe(3);
  expect((await h.call(people.admin, 'GET', `/v1/processes/${after.id}`)).json().definitionVersion).toBe(2);
  const running = (await h.call(people.admin, 'GET', `/v1/processes/${before.id}`)).json();
  expect(running.definitionId).toBe(before.definitionId);
  expect(running.definitionVersion).toBe(1);

  const list = (await h.call(people.admin, 'GET', '/v1/workflows/definitions')).json().items;
  expect(list.map((d: { agencyCode: string | null; version: number }) => [d.agencyCode, d.version])).toEqual(
    expect.arrayContaining([
      [null, 1],
      [people.admin.agencyCode, 3],
    ]),
  );
});

test('one active process of a kind per document, and only on the caller agency’s own documents', async () => {
  const draft = await h.uploadDraft(people.specialist);
  const first = await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id });
  expect(first.json()).toMatchObject({ state: 'active' });
  const twice = await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id });
  expect(twice.statusCode).toBe(409);
  const foreign = await h.call(people.outsider, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id });
  expect(foreign.statusCode).toBe(404);
  const wrongKind = await h.call(people.clerk, 'POST', '/v1/processes', { kind: 'incoming', documentId: draft.id });
  expect(wrongKind.statusCode).toBe(422);
});

test('after the gating date no task goes to a person without an activated certificate', async () => {
  const draft = await h.uploadDraft(people.uncertified);
  const refused = await h.call(people.uncertified, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id });
  expect(refused.statusCode).toBe(422);
  expect(refused.json().detail).toMatch(/chuyen-vien-moi/);

  const own = await h.uploadDraft(people.specialist);
  const started = (
    await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: own.id })
  ).json();
  const draftTask = started.tasks[0].id as string;
  const delegated = await h.call(people.specialist, 'POST', `/v1/tasks/${draftTask}/delegate`, {
    to: people.uncertified.userId,
  });
  // The draft step allows only complete: delegation is refused naming what is allowed.
  expect(delegated.statusCode).toBe(409);
  expect(delegated.json().detail).toMatch(/allowed: complete/);
  await h.activateCertificate(people.uncertified);
  expect(
    (await h.call(people.uncertified, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id })).statusCode,
  ).toBe(201);
});
