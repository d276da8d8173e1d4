import incoming from '../src/definitions/defaults/incoming.json';
import outgoing from '../src/definitions/defaults/outgoing.json';
import { people, registeredIncoming, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
let incomingRegister: string;
beforeAll(async () => {
  h = await startHarness('rt_review');
  const register = await h.documents.inject({
    method: 'POST',
    url: '/v1/registers',
    headers: h.as(people.clerk),
    payload: { name: 'Sổ văn bản đến', direction: 'incoming' },
  });
  incomingRegister = register.json().id;
});
afterAll(async () => h.close());

type Task = { id: string; step: string; state: string; assignee: Record<string, string> };
const openTasks = async (processId: string, step: string): Promise<Task[]> =>
  ((await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().tasks as Task[]).filter(
    (t) => (t.state === 'open' || t.state === 'claimed') && t.step === step,
  );
const outbox = async (type: string) =>
  (
    await h.fixture.pool.query<{ data: Record<string, unknown> }>(
      'SELECT data FROM outbox WHERE event_type = $1 ORDER BY position',
      [type],
    )
  ).rows.map((r) => r.data);

test('a definition asking for the owner’s review of a signature step is refused naming the step', async () => {
  const elements = outgoing.elements.map((e) => (e.id === 'approval' ? { ...e, ownerReview: true } : e));
  const refused = await h.call(people.admin, 'POST', '/v1/workflows/definitions', { ...outgoing, elements });
  expect(refused.statusCode).toBe(400);
  expect(refused.json().errors).toEqual([
    {
      field: 'body.elements.approval.ownerReview',
      message: "step approval completes by a signature, which an owner's review cannot take back",
    },
  ]);
});

test('work done by a delegate goes back to its owner, who returns it once with a reason and then accepts it', async () => {
  const elements = incoming.elements.map((e) => (e.id === 'distribution' ? { ...e, ownerReview: true } : e));
  const uploaded = await h.call(people.admin, 'POST', '/v1/workflows/definitions', { ...incoming, elements });
  expect(uploaded.statusCode).toBe(201);

  const processId = await registeredIncoming(h, {
    registerId: incomingRegister,
    sender: { organId: '000.00.31.H99', organName: 'Sở Nội vụ' },
    subject: 'Công văn của Sở Nội vụ về cải cách hành chính',
    codeNumber: '41',
    codeNotation: 'SNV-CCHC',
  });

  // The Chairman claims the distribution and delegates it to a Vice-Chairman (ủy quyền).
  const task = (await openTasks(processId, 'distribution'))[0] as Task;
  const url = (action: string) => `/v1/tasks/${task.id}/${action}`;
  expect((await h.call(people.leader, 'POST', url('claim'))).statusCode).toBe(200);
  const delegated = await h.call(people.leader, 'POST', url('delegate'), {
    to: people.leader2.userId,
    reason: 'Đi công tác',
  });
  expect(delegated.json()).toMatchObject({ assignee: { userId: people.leader2.userId }, ownerUserId: 'chu-tich-1' });

  const inFiveDays = new Date(h.now.value.getTime() + 5 * 86_400_000).toISOString();
  const distribution = (lead: string) => ({
    distribution: {
      direction: 'Giao Phòng KGVX chủ trì tham mưu.',
      lead: { userId: lead, dueAt: inFiveDays },
    },
    comment: 'Đề xuất giao Phòng KGVX',
  });
  // The delegate's completion comes back to the owner; the process does not move on.
  const submitted = await h.call(people.leader2, 'POST', url('complete'), distribution(people.specialist2.userId));
  expect(submitted.statusCode).toBe(200);
  expect(submitted.json()).toMatchObject({
    state: 'claimed',
    assignee: { userId: people.leader.userId },
    allowedActions: ['review'],
    review: { submittedBy: people.leader2.userId, comment: 'Đề xuất giao Phòng KGVX' },
  });
  expect(await openTasks(processId, 'lead-handling')).toEqual([]);
  expect((await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().variables.lead).toBeUndefined();

  // Only the owner reviews; completing instead of reviewing is refused naming the allowed action.
  expect((await h.call(people.leader2, 'POST', url('review'), { decision: 'accept' })).statusCode).toBe(403);
  const complete = await h.call(people.leader, 'POST', url('complete'), distribution(people.specialist.userId));
  expect(complete.statusCode).toBe(409);
  expect(complete.json().detail).toMatch(/allowed: review/);
  const noReason = await h.call(people.leader, 'POST', url('review'), { decision: 'return' });
  expect(noReason.statusCode).toBe(400);
  expect(noReason.json().errors).toEqual([{ field: 'body.reason', message: 'required when the decision is return' }]);

  const returned = await h.call(people.leader, 'POST', url('review'), {
    decision: 'return',
    reason: 'Giao chuyên viên Nguyễn Văn A chủ trì, không giao chuyên viên 2',
  });
  expect(returned.json()).toMatchObject({
    state: 'claimed',
    assignee: { userId: people.leader2.userId },
    review: null,
    ownerUserId: people.leader.userId,
  });
  expect((await h.call(people.leader, 'POST', url('review'), { decision: 'accept' })).statusCode).toBe(403);

  // Corrected and submitted again; the owner accepts: the distribution is applied and the process moves on.
  await h.call(people.leader2, 'POST', url('complete'), distribution(people.specialist.userId));
  const accepted = await h.call(people.leader, 'POST', url('review'), { decision: 'accept' });
  expect(accepted.statusCode).toBe(200);
  expect(accepted.json()).toMatchObject({ state: 'completed', completedBy: people.leader2.userId, review: null });
  const [lead] = await openTasks(processId, 'lead-handling');
  expect(lead?.assignee).toEqual({ userId: people.specialist.userId, role: 'specialist' });
  expect((await h.call(people.leader, 'POST', url('review'), { decision: 'accept' })).statusCode).toBe(409);

  const handovers = (await outbox('vn.vanthu.task.delegated.v1')).filter((e) => e.taskId === task.id);
  expect(handovers.map((e) => [e.mode, e.from, e.to, e.reason ?? null])).toEqual([
    ['delegate', people.leader.userId, people.leader2.userId, null],
    ['review', people.leader2.userId, people.leader.userId, null],
    [
      'review-return',
      people.leader.userId,
      people.leader2.userId,
      'Giao chuyên viên Nguyễn Văn A chủ trì, không giao chuyên viên 2',
    ],
    ['review', people.leader2.userId, people.leader.userId, null],
  ]);
  expect((await outbox('vn.vanthu.task.completed.v1')).find((e) => e.taskId === task.id)).toMatchObject({
    completedBy: people.leader2.userId,
    reviewedBy: people.leader.userId,
  });
  const history = (await h.call(people.admin, 'GET', `/v1/processes/${processId}/history`)).json().items as {
    action: string;
    taskId: string | null;
  }[];
  expect(history.filter((e) => e.taskId === task.id).map((e) => e.action)).toEqual([
    'task-opened',
    'task-claimed',
    'task-delegated',
    'delegated-work-submitted',
    'delegated-work-returned',
    'delegated-work-submitted',
    'delegated-work-accepted',
    'task-completed',
  ]);
  expect((await h.call(people.admin, 'GET', `/v1/processes/${processId}/history/verification`)).json().valid).toBe(
    true,
  );
});

test('the owner doing the step themselves completes it at once, with no review', async () => {
  const processId = await registeredIncoming(h, {
    registerId: incomingRegister,
    sender: { organId: '000.00.31.H99', organName: 'Sở Tài chính' },
    subject: 'Công văn của Sở Tài chính',
    codeNumber: '42',
    codeNotation: 'STC-NS',
  });
  const task = (await openTasks(processId, 'distribution'))[0] as Task;
  const done = await h.call(people.leader, 'POST', `/v1/tasks/${task.id}/complete`, {
    distribution: { direction: 'Giao chủ trì', lead: { userId: people.specialist.userId } },
  });
  expect(done.json()).toMatchObject({ state: 'completed', completedBy: people.leader.userId, review: null });
});
