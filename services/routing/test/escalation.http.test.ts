import { findEventDefinition } from '@vanthu/contracts';
import { createPool, isValidEventData } from '@vanthu/platform';
import type { Pool } from '@vanthu/platform';
import incoming from '../src/definitions/defaults/incoming.json';
import { DocumentsClient } from '../src';
import { registerEscalationHandler } from '../src/events/escalation-timer';
import { moduleTimers } from '../src/module-timers';
import { registerDeadlineHandlers, runDueTimers } from '../src/timers';
import { withWriteBuffer } from '../src/domain/write-buffer';
import pg from 'pg';
import { agency, otherAgency, people, registeredIncoming, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
let second: Pool;
let incomingRegister: string;
const unregister: (() => void)[] = [];
beforeAll(async () => {
  h = await startHarness('rt_escalation');
  second = createPool(h.fixture.db.url);
  const clock = () => new Date(h.now.value);
  unregister.push(registerDeadlineHandlers());
  // As the server does: the engine's handler replaces the timers module's announcement of escalations.
  unregister.push(
    registerEscalationHandler({
      documents: new DocumentsClient('http://127.0.0.1:9'),
      timers: moduleTimers(clock),
      events: { topicPrefix: 'test.', source: '/vanthu/routing' },
      localAgencies: [agency, otherAgency],
      logger: h.fixture.logger,
      clock,
    }),
  );
  incomingRegister = (
    await h.documents.inject({
      method: 'POST',
      url: '/v1/registers',
      headers: h.as(people.clerk),
      payload: { name: 'Sổ văn bản đến', direction: 'incoming' },
    })
  ).json().id;
});
afterAll(async () => {
  unregister.forEach((u) => u());
  await second.end();
  await h.close();
});

type Task = { id: string; step: string; state: string; dueAt: string; assignee: Record<string, string> };
const tasksOf = async (processId: string, step: string): Promise<Task[]> =>
  ((await h.call(people.admin, 'GET', `/v1/processes/${processId}`)).json().tasks as Task[]).filter(
    (t) => t.step === step,
  );
const events = async (type: string, taskId: string) => {
  const { rows } = await h.fixture.pool.query<{ data: Record<string, unknown> }>(
    "SELECT data FROM outbox WHERE event_type = $1 AND data->>'taskId' = $2 ORDER BY position",
    [type, taskId],
  );
  for (const row of rows) expect(isValidEventData(findEventDefinition(type)!, row.data)).toBe(true);
  return rows.map((r) => r.data);
};
const fireOnTwoReplicas = async (at: Date) => {
  // As the server runs them: each batch's history and outbox rows written with one statement.
  const options = { logger: h.fixture.logger, topicPrefix: 'test.', bufferWrites: withWriteBuffer };
  const [a, b] = await Promise.all([
    runDueTimers(at, { ...options, pool: h.fixture.pool, source: 'a' }),
    runDueTimers(at, { ...options, pool: second, source: 'b' }),
  ]);
  expect(a.failed + b.failed).toBe(0);
  return a.fired + b.fired;
};

test('an interrupting escalation takes the task from its assignee after the deadline and gives it to the escalation target, once across replicas', async () => {
  // The agency's incoming process: a distribution not done two working hours after its deadline goes to the Vice-Chairman.
  const elements = incoming.elements.map((e) =>
    e.id === 'distribution'
      ? {
          ...e,
          boundaryEvents: [
            {
              type: 'timer',
              kind: 'escalation',
              offset: { workingHours: 2 },
              interrupting: true,
              escalateTo: { role: 'agency-leader', user: 'variable:deputy' },
            },
          ],
        }
      : e,
  );
  expect((await h.call(people.admin, 'POST', '/v1/workflows/definitions', { ...incoming, elements })).statusCode).toBe(
    201,
  );
  const processId = await registeredIncoming(h, {
    registerId: incomingRegister,
    sender: { organId: otherAgency, organName: 'Sở Xây dựng' },
    subject: 'Công văn của Sở Xây dựng',
    codeNumber: '77',
    codeNotation: 'SXD-QLN',
    variables: { deputy: people.leader2.userId },
  });
  const [distribution] = (await tasksOf(processId, 'distribution')) as [Task];
  expect((await h.call(people.leader, 'POST', `/v1/tasks/${distribution.id}/claim`)).statusCode).toBe(200);
  const { rows: timers } = await h.fixture.pool.query<{ kind: string; fire_at: Date }>(
    "SELECT kind, fire_at FROM timers WHERE task_id = $1 AND kind IN ('due', 'escalation') ORDER BY fire_at",
    [distribution.id],
  );
  expect(timers.map((t) => t.kind)).toEqual(['due', 'escalation']);
  const [due, escalation] = timers.map((t) => t.fire_at) as [Date, Date];
  expect(due.toISOString()).toBe(distribution.dueAt);
  expect(escalation.getTime()).toBeGreaterThan(due.getTime());

  // At the deadline the unit head is alerted; the task stays with the Chairman (not interrupting).
  await fireOnTwoReplicas(due);
  expect((await tasksOf(processId, 'distribution'))[0]).toMatchObject({
    state: 'claimed',
    assignee: { userId: people.leader.userId },
  });
  // Two working hours later the escalation interrupts: the task is the Vice-Chairman's.
  await fireOnTwoReplicas(new Date(escalation.getTime() - 1));
  expect((await tasksOf(processId, 'distribution'))[0]?.assignee.userId).toBe(people.leader.userId);
  expect(await fireOnTwoReplicas(escalation)).toBe(1);
  expect(await fireOnTwoReplicas(new Date(escalation.getTime() + 86_400_000))).toBe(0);
  expect((await tasksOf(processId, 'distribution'))[0]).toMatchObject({
    id: distribution.id,
    state: 'claimed',
    assignee: { userId: people.leader2.userId, role: 'agency-leader' },
  });
  const { rows: stored } = await h.fixture.pool.query<{ assignee_user_id: string; state: string }>(
    'SELECT assignee_user_id, state FROM tasks WHERE id = $1',
    [distribution.id],
  );
  expect(stored).toEqual([{ assignee_user_id: people.leader2.userId, state: 'claimed' }]);

  const overdue = await events('vn.vanthu.task.overdue.v1', distribution.id);
  // (The same-day transfer flag of NĐ 30/2020 Điều 22 fires at its own time and is not the step's deadline.)
  expect(overdue.filter((e) => e.sla === undefined).map((e) => [e.interrupting ?? false, e.escalatedTo])).toEqual([
    [false, { role: 'agency-leader', userId: people.leader2.userId }],
    [true, { role: 'agency-leader', userId: people.leader2.userId }],
  ]);
  expect((await events('vn.vanthu.task.delegated.v1', distribution.id)).map((e) => [e.mode, e.from, e.to])).toEqual([
    ['escalation', people.leader.userId, people.leader2.userId],
  ]);

  // The Chairman can no longer act on it; the Vice-Chairman distributes and the process moves on.
  const body = { distribution: { direction: 'Giao Phòng KGVX chủ trì', lead: { userId: people.specialist.userId } } };
  expect((await h.call(people.leader, 'POST', `/v1/tasks/${distribution.id}/complete`, body)).statusCode).toBe(403);
  expect((await h.call(people.leader2, 'POST', `/v1/tasks/${distribution.id}/complete`, body)).statusCode).toBe(200);
  expect((await tasksOf(processId, 'lead-handling')).map((t) => t.state)).toEqual(['open']);
  const history = (await h.call(people.admin, 'GET', `/v1/processes/${processId}/history`)).json().items as {
    action: string;
    actor: string;
  }[];
  expect(history.filter((e) => e.action === 'task-escalated').map((e) => e.actor)).toEqual(['routing-timer']);
  expect((await h.call(people.admin, 'GET', `/v1/processes/${processId}/history/verification`)).json().valid).toBe(
    true,
  );
});

test('escalations of several processes firing in one batch write their history and events with one statement, each chain intact', async () => {
  // The agency's definition from the test above: the distribution escalates two working hours after its deadline.
  const started: { processId: string; taskId: string }[] = [];
  for (const n of [1, 2, 3]) {
    const processId = await registeredIncoming(h, {
      registerId: incomingRegister,
      sender: { organId: otherAgency, organName: 'Sở Tài chính' },
      subject: `Công văn số ${n} của Sở Tài chính`,
      codeNumber: String(80 + n),
      codeNotation: 'STC-NS',
      variables: { deputy: people.leader2.userId },
    });
    const [distribution] = (await tasksOf(processId, 'distribution')) as [Task];
    expect((await h.call(people.leader, 'POST', `/v1/tasks/${distribution.id}/claim`)).statusCode).toBe(200);
    started.push({ processId, taskId: distribution.id });
  }
  const { rows } = await h.fixture.pool.query<{ fire_at: Date }>(
    "SELECT max(fire_at) AS fire_at FROM timers WHERE kind = 'escalation' AND task_id = ANY($1::uuid[])",
    [started.map((s) => s.taskId)],
  );
  const at = (rows[0] as { fire_at: Date }).fire_at;
  // Every statement the worker sends that writes history rows.
  const historyWrites: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = jest.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text && /INSERT INTO process_history/.test(text)) historyWrites.push(text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  try {
    const fired = await runDueTimers(at, {
      pool: h.fixture.pool,
      logger: h.fixture.logger,
      topicPrefix: 'test.',
      bufferWrites: withWriteBuffer,
      concurrency: 1,
    });
    expect(fired.failed).toBe(0);
    expect(fired.fired).toBeGreaterThanOrEqual(3);
  } finally {
    spy.mockRestore();
  }
  // One batch: the history rows and events of all three escalations in one statement (one per escalation before).
  expect(historyWrites).toHaveLength(1);
  const { rows: escalated } = await h.fixture.pool.query<{ n: number; tx: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT xmin::text)::int AS tx FROM process_history
      WHERE action = 'task-escalated' AND process_id = ANY($1::uuid[])`,
    [started.map((s) => s.processId)],
  );
  expect(escalated).toEqual([{ n: 3, tx: 1 }]);
  for (const { processId, taskId } of started) {
    expect((await tasksOf(processId, 'distribution'))[0]?.assignee.userId).toBe(people.leader2.userId);
    expect((await events('vn.vanthu.task.delegated.v1', taskId)).map((e) => e.mode)).toEqual(['escalation']);
    expect((await h.call(people.admin, 'GET', `/v1/processes/${processId}/history/verification`)).json().valid).toBe(
      true,
    );
  }
});
