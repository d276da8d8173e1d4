import { randomUUID } from 'node:crypto';
import { registerDeadlineHandlers, runDueTimers } from '../src/timers';
import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
let incomingRegister: string;
let unregister: () => void;
let serial = 0;

beforeAll(async () => {
  h = await startHarness('rt_in');
  unregister = registerDeadlineHandlers();
  const register = await h.documents.inject({
    method: 'POST',
    url: '/v1/registers',
    headers: h.as(people.clerk),
    payload: { name: 'Sổ văn bản đến', direction: 'incoming' },
  });
  incomingRegister = register.json().id;
});
afterAll(async () => {
  unregister();
  await h.close();
});

type Task = {
  id: string;
  processId: string;
  step: string;
  state: string;
  urgent: boolean;
  dueAt: string | null;
  distributionRole: string | null;
  direction: string | null;
  assignee: Record<string, string>;
};

const tasksOf = async (processId: string, step?: string): Promise<Task[]> =>
  ((await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().tasks as Task[]).filter(
    (t) => (t.state === 'open' || t.state === 'claimed') && (step === undefined || t.step === step),
  );

async function receive(urgency: string): Promise<{ documentId: string; processId: string }> {
  const document = await h.uploadDraft(people.clerk, {
    direction: 'incoming',
    subject: 'Công văn của Sở Khoa học và Công nghệ về chuyển đổi số',
    urgency,
    sender: { organId: '000.00.31.H99', organName: 'Sở Khoa học và Công nghệ' },
    codeNumber: String((serial += 1)),
    codeNotation: 'SKHCN-VP',
    issuedDate: '2026-06-12',
  });
  const started = await h.call(people.clerk, 'POST', '/v1/processes', { kind: 'incoming', documentId: document.id });
  expect(started.json()).toMatchObject({ state: 'active' });
  return { documentId: document.id, processId: started.json().id };
}

test('the incoming process: register, distribute to a lead, a cooperating unit and one for information, handle, close; overdue reported', async () => {
  const { documentId, processId } = await receive('normal');
  const [registration] = await tasksOf(processId, 'registration');
  expect(registration?.assignee).toEqual({ role: 'clerk' });
  expect(registration?.dueAt).not.toBeNull();
  const missing = await h.call(people.clerk, 'POST', `/v1/tasks/${registration?.id}/complete`, {});
  expect(missing.statusCode).toBe(400);
  const registered = await h.call(people.clerk, 'POST', `/v1/tasks/${registration?.id}/complete`, {
    registration: { registerId: incomingRegister },
  });
  expect(registered.json()).toMatchObject({ state: 'completed' });
  const document = (
    await h.documents.inject({ method: 'GET', url: `/v1/documents/${documentId}`, headers: h.as(people.clerk) })
  ).json();
  expect(document.status).toBe('registered');

  const [distribution] = await tasksOf(processId, 'distribution');
  const url = `/v1/tasks/${distribution?.id}/complete`;
  const inTwoDays = new Date(h.now.value.getTime() + 2 * 86_400_000).toISOString();
  const inFiveDays = new Date(h.now.value.getTime() + 5 * 86_400_000).toISOString();
  const direction = 'Giao Phòng KGVX chủ trì tham mưu, Phòng TCKH phối hợp; báo cáo trước hạn.';
  const noLead = await h.call(people.leader, 'POST', url, {
    distribution: { direction, cooperate: [{ unit: 'tckh', dueAt: inTwoDays }] },
  });
  expect(noLead.statusCode).toBe(400);
  expect(noLead.json().errors).toEqual([{ field: 'body.distribution.lead', message: 'required' }]);
  const past = await h.call(people.leader, 'POST', url, {
    distribution: { direction, lead: { userId: people.specialist.userId, dueAt: '2026-06-01T02:00:00.000Z' } },
  });
  expect(past.statusCode).toBe(400);
  expect(past.json().errors[0].field).toBe('body.distribution.lead.dueAt');
  const distributed = await h.call(people.leader, 'POST', url, {
    distribution: {
      direction,
      lead: { userId: people.specialist.userId, dueAt: inFiveDays },
      cooperate: [{ unit: 'tckh', dueAt: inTwoDays }],
      inform: [{ userId: people.specialist2.userId }],
    },
  });
  expect(distributed.statusCode).toBe(200);

  const lead = (await tasksOf(processId, 'lead-handling'))[0] as Task;
  expect(lead).toMatchObject({
    distributionRole: 'lead',
    direction,
    dueAt: inFiveDays,
    assignee: { userId: people.specialist.userId },
  });
  const support = await tasksOf(processId, 'support-handling');
  expect(support.map((t) => [t.distributionRole, t.assignee]).sort()).toEqual([
    ['cooperate', { role: 'unit-leader', unit: 'tckh' }],
    ['inform', { userId: people.specialist2.userId, role: 'unit-leader' }],
  ]);

  // The lead reports progress and closes on time.
  const progress = await h.call(people.specialist, 'POST', `/v1/tasks/${lead.id}/progress`, {
    text: 'Đã dự thảo báo cáo',
    percent: 60,
  });
  expect(progress.json().progress).toHaveLength(1);
  expect((await h.call(people.specialist2, 'POST', `/v1/tasks/${lead.id}/progress`, { text: 'x' })).statusCode).toBe(
    403,
  );
  h.now.value = new Date(h.now.value.getTime() + 86_400_000);
  const closed = await h.call(people.specialist, 'POST', `/v1/tasks/${lead.id}/complete`, {
    closing: { result: 'Đã báo cáo UBND tỉnh bằng Báo cáo số 12/BC-KGVX' },
  });
  expect(closed.statusCode).toBe(200);
  expect(closed.json().overdue).toBe(false);
  // The one for information reads it.
  const inform = support.find((t) => t.distributionRole === 'inform') as Task;
  expect((await h.call(people.specialist2, 'POST', `/v1/tasks/${inform.id}/complete`, {})).statusCode).toBe(200);

  // The cooperating unit misses its deadline: the timers report it overdue once.
  h.now.value = new Date(h.now.value.getTime() + 2 * 86_400_000);
  const fired = await runDueTimers(h.now.value, {
    pool: h.fixture.pool,
    logger: h.fixture.logger,
    topicPrefix: 'test.',
  });
  expect(fired.failed).toBe(0);
  const again = await runDueTimers(h.now.value, {
    pool: h.fixture.pool,
    logger: h.fixture.logger,
    topicPrefix: 'test.',
  });
  expect(again.fired).toBe(0);
  const cooperate = support.find((t) => t.distributionRole === 'cooperate') as Task;
  const { rows } = await h.fixture.pool.query<{ data: { taskId: string; dueAt: string; escalatedTo?: unknown } }>(
    "SELECT data FROM outbox WHERE event_type = 'vn.vanthu.task.overdue.v1'",
  );
  expect(rows.map((r) => r.data.taskId)).toEqual([cooperate.id]);
  expect(rows[0]?.data.dueAt).toBe(inTwoDays);
  const { rows: completions } = await h.fixture.pool.query<{ data: { taskId: string; onTime: boolean } }>(
    "SELECT data FROM outbox WHERE event_type = 'vn.vanthu.task.completed.v1'",
  );
  expect(completions.find((c) => c.data.taskId === lead.id)?.data.onTime).toBe(true);

  // Still open until the cooperating unit finishes; then the process completes.
  expect((await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().state).toBe('active');
  await h.call(people.otherUnitLeader, 'POST', `/v1/tasks/${cooperate.id}/claim`);
  const late = await h.call(people.otherUnitLeader, 'POST', `/v1/tasks/${cooperate.id}/complete`, {
    comment: 'Đã góp ý',
  });
  expect(late.json().overdue).toBe(true);
  const finished = (await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json();
  expect(finished).toMatchObject({ state: 'completed', outcome: 'closed' });
  expect((await h.call(people.admin, 'GET', `/v1/processes/${processId}/history/verification`)).json().valid).toBe(
    true,
  );
});

test('urgent documents are flagged and come first in the inbox; the clerk may return one to its sender', async () => {
  h.now.value = new Date('2026-06-22T02:00:00.000Z');
  const normal = await receive('normal');
  const urgent = await receive('immediate');
  const inbox = (await h.call(people.clerk, 'GET', '/v1/tasks?assignee=me&limit=1')).json();
  expect(inbox.items[0]).toMatchObject({ step: 'registration', urgent: true, processId: urgent.processId });
  expect(inbox.nextCursor).not.toBeNull();
  const next = (await h.call(people.clerk, 'GET', `/v1/tasks?assignee=me&limit=50&cursor=${inbox.nextCursor}`)).json();
  expect(next.items.map((t: Task) => t.processId)).toContain(normal.processId);
  expect(next.items.map((t: Task) => t.processId)).not.toContain(urgent.processId);
  const { rows } = await h.fixture.pool.query<{ data: { urgent?: boolean; processId: string } }>(
    "SELECT data FROM outbox WHERE event_type = 'vn.vanthu.task.assigned.v1' AND data->>'processId' = $1",
    [urgent.processId],
  );
  expect(rows[0]?.data.urgent).toBe(true);

  const [registration] = await tasksOf(normal.processId, 'registration');
  const returned = await h.call(people.clerk, 'POST', `/v1/tasks/${registration?.id}/return`, {
    reason: 'Gửi nhầm cơ quan (NĐ 30/2020 Điều 21.2)',
  });
  expect(returned.statusCode).toBe(200);
  expect((await h.call(people.admin, 'GET', `/v1/processes/${normal.processId}`)).json()).toMatchObject({
    state: 'completed',
    outcome: 'returned-to-sender',
  });
  expect((await h.call(people.outsider, 'GET', `/v1/processes/${normal.processId}`)).statusCode).toBe(404);
});

test('a document the hub brought starts the incoming process once, however often exchange.received arrives', async () => {
  const document = await h.uploadDraft(people.clerk, {
    direction: 'incoming',
    subject: 'Công văn của Bộ Nội vụ qua trục liên thông',
    urgency: 'urgent',
    sender: { organId: '000.00.99.H98', organName: 'Bộ Nội vụ' },
    codeNumber: '77',
    codeNotation: 'BNV-VP',
    issuedDate: '2026-06-12',
  });
  const event = {
    exchangeId: randomUUID(),
    agencyCode: people.clerk.agencyCode,
    documentId: document.id,
    version: 1,
    sha256: 'd'.repeat(64),
    from: { organId: '000.00.99.H98', organName: 'Bộ Nội vụ' },
    edxmlDocumentId: `000.00.99.H98,2026/06/12,77/BNV-VP`,
    receivedAt: '2026-06-22T09:00:00+07:00',
  };
  expect(await h.deliver('vn.vanthu.exchange.received.v1', event)).toBe(true);
  // Redelivered under another event id (a rebuild): the process it started is found, none is added.
  expect(await h.deliver('vn.vanthu.exchange.received.v1', event)).toBe(true);
  const { rows } = await h.fixture.pool.query<{ id: string; variables: Record<string, unknown>; urgency: string }>(
    "SELECT id, variables, urgency FROM processes WHERE document_id = $1 AND kind = 'incoming'",
    [document.id],
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    urgency: 'urgent',
    variables: { receivedVia: 'hub', receivedFrom: { exchangeId: event.exchangeId, organId: '000.00.99.H98' } },
  });
  const [registration] = await tasksOf(rows[0]?.id as string, 'registration');
  expect(registration).toMatchObject({ urgent: true, assignee: { role: 'clerk' } });

  // An event naming a document of another agency starts nothing and fails loudly (the inbox retries, then parks it).
  await expect(
    h.deliver('vn.vanthu.exchange.received.v1', { ...event, agencyCode: '000.00.31.H99', exchangeId: randomUUID() }),
  ).rejects.toThrow(/not found|not an incoming document/);
});
