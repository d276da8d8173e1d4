import { findEventDefinition } from '@vanthu/contracts';
import { createPool, isValidEventData } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { registerConsultationTimerHandlers } from '../src/consultations/consultation-timers';
import { runDueTimers } from '../src/timers';
import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
let second: Pool;
let unregister: () => void;
beforeAll(async () => {
  h = await startHarness('rt_cons_timers');
  second = createPool(h.fixture.db.url);
  unregister = registerConsultationTimerHandlers();
});
afterAll(async () => {
  unregister();
  await second.end();
  await h.close();
});

const local = (s: string) => new Date(`${s}+07:00`);

async function outboxOf(type: string, consultationId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await h.fixture.pool.query<{ data: Record<string, unknown> }>(
    'SELECT data FROM outbox WHERE event_type = $1 AND message_key = $2 ORDER BY position',
    [type, consultationId],
  );
  for (const row of rows) expect(isValidEventData(findEventDefinition(type)!, row.data)).toBe(true);
  return rows.map((r) => r.data);
}

/** Two replicas' workers fire what is due at `at` at the same moment. */
async function fireOnTwoReplicas(at: Date): Promise<number> {
  const [a, b] = await Promise.all([
    runDueTimers(at, { pool: h.fixture.pool, logger: h.fixture.logger, topicPrefix: 'test.', source: 'a' }),
    runDueTimers(at, { pool: second, logger: h.fixture.logger, topicPrefix: 'test.', source: 'b' }),
  ]);
  return a.fired + b.fired;
}

const timersOf = async (consultationId: string) =>
  (
    await h.fixture.pool.query<{ kind: string; state: string; fire_at: Date; task_id: string | null }>(
      'SELECT kind, state, fire_at, task_id FROM timers WHERE consultation_id = $1 ORDER BY fire_at',
      [consultationId],
    )
  ).rows;

test('a consultation reminds the members yet to answer before its deadline and marks their answers overdue at it, once across replicas', async () => {
  h.now.value = local('2026-06-15T09:30'); // Monday
  const document = await h.uploadDraft(people.specialist);
  const members = [people.unitLeader.userId, people.formatChecker.userId, people.leader.userId];
  const open = (body: Record<string, unknown>) =>
    h.call(people.specialist, 'POST', '/v1/consultations', {
      documentId: document.id,
      question: 'Đề nghị cho ý kiến dự thảo Quy chế làm việc',
      members,
      dueAt: local('2026-06-17T17:00').toISOString(),
      ...body,
    });
  expect((await open({ remindAt: local('2026-06-18T09:00').toISOString() })).statusCode).toBe(400);
  expect((await open({ remindAt: local('2026-06-15T08:00').toISOString() })).statusCode).toBe(400);
  const opened = await open({});
  expect(opened.statusCode).toBe(201);
  const consultation = opened.json();
  // Office hours 07:30–11:30 and 13:00–17:00: Monday 09:30 to Wednesday 17:00 is 6 + 8 + 8 = 22 working hours;
  // three quarters (16.5 h) is Monday's 6, Tuesday's 8 and 2.5 on Wednesday: 10:00.
  expect(await timersOf(consultation.id)).toEqual([
    { kind: 'consultation-reminder', state: 'pending', fire_at: local('2026-06-17T10:00'), task_id: null },
    { kind: 'consultation-overdue', state: 'pending', fire_at: local('2026-06-17T17:00'), task_id: null },
  ]);
  const url = `/v1/consultations/${consultation.id}`;
  const answer = (who: Identity, body: unknown) => h.call(who, 'POST', `${url}/answers`, body);
  h.now.value = local('2026-06-16T10:00');
  expect((await answer(people.unitLeader, { answer: 'agree' })).statusCode).toBe(200);

  await fireOnTwoReplicas(local('2026-06-17T09:59'));
  expect(await outboxOf('vn.vanthu.consultation.reminded.v1', consultation.id)).toEqual([]);
  expect(await fireOnTwoReplicas(local('2026-06-17T10:00'))).toBe(1);
  expect(await fireOnTwoReplicas(local('2026-06-17T16:59'))).toBe(0);
  expect(await outboxOf('vn.vanthu.consultation.reminded.v1', consultation.id)).toEqual([
    {
      consultationId: consultation.id,
      agencyCode: people.specialist.agencyCode,
      documentId: document.id,
      members: [people.formatChecker.userId, people.leader.userId].sort(),
      dueAt: local('2026-06-17T17:00').toISOString(),
      at: local('2026-06-17T10:00').toISOString(),
    },
  ]);
  h.now.value = local('2026-06-17T10:20');
  const reminded = (await h.call(people.specialist, 'GET', url)).json();
  expect(reminded).toMatchObject({
    state: 'open',
    overdue: false,
    remindedAt: local('2026-06-17T10:00').toISOString(),
  });
  expect(reminded.members.every((m: { overdue: boolean }) => !m.overdue)).toBe(true);

  expect(await fireOnTwoReplicas(local('2026-06-17T17:00'))).toBe(1);
  expect(await fireOnTwoReplicas(local('2026-06-18T09:00'))).toBe(0);
  expect(await outboxOf('vn.vanthu.consultation.overdue.v1', consultation.id)).toEqual([
    {
      consultationId: consultation.id,
      agencyCode: people.specialist.agencyCode,
      documentId: document.id,
      overdueMembers: [people.formatChecker.userId, people.leader.userId].sort(),
      answered: 1,
      members: 3,
      dueAt: local('2026-06-17T17:00').toISOString(),
      escalatedTo: { userId: people.specialist.userId },
      at: local('2026-06-17T17:00').toISOString(),
    },
  ]);
  // In the database, not through the service's view: the marks and the timers' states.
  const marks = await h.fixture.pool.query<{ user_id: string; overdue_at: Date | null }>(
    'SELECT user_id, overdue_at FROM consultation_members WHERE consultation_id = $1 ORDER BY user_id',
    [consultation.id],
  );
  expect(Object.fromEntries(marks.rows.map((r) => [r.user_id, r.overdue_at]))).toEqual({
    [people.formatChecker.userId]: local('2026-06-17T17:00'),
    [people.leader.userId]: local('2026-06-17T17:00'),
    [people.unitLeader.userId]: null,
  });
  expect((await timersOf(consultation.id)).map((t) => t.state)).toEqual(['fired', 'fired']);

  // A late answer still counts, reported late, and keeps its overdue mark.
  h.now.value = local('2026-06-18T09:30');
  const late = (await answer(people.formatChecker, { answer: 'comments', comment: 'Bổ sung Điều 5' })).json();
  expect(late.members.find((m: { userId: string }) => m.userId === people.formatChecker.userId)).toMatchObject({
    answer: 'comments',
    onTime: false,
    overdue: true,
  });
  expect(late.members.find((m: { userId: string }) => m.userId === people.unitLeader.userId)).toMatchObject({
    onTime: true,
    overdue: false,
  });
});

test('a consultation closed before its deadline has its timers cancelled: no reminder, no overdue mark', async () => {
  h.now.value = local('2026-06-22T09:00');
  const document = await h.uploadDraft(people.specialist);
  const opened = (
    await h.call(people.specialist, 'POST', '/v1/consultations', {
      documentId: document.id,
      question: 'Cho ý kiến về kế hoạch',
      members: [people.unitLeader.userId, people.leader.userId],
      dueAt: local('2026-06-23T17:00').toISOString(),
      remindAt: local('2026-06-23T09:00').toISOString(),
      completion: 'any',
    })
  ).json();
  expect((await timersOf(opened.id)).map((t) => [t.kind, t.fire_at])).toEqual([
    ['consultation-reminder', local('2026-06-23T09:00')],
    ['consultation-overdue', local('2026-06-23T17:00')],
  ]);
  // The first answer meets the rule `any` and closes it.
  const closed = await h.call(people.leader, 'POST', `/v1/consultations/${opened.id}/answers`, { answer: 'agree' });
  expect(closed.json()).toMatchObject({ state: 'closed', closeReason: 'completion-rule' });
  expect((await timersOf(opened.id)).map((t) => t.state)).toEqual(['cancelled', 'cancelled']);
  expect(await fireOnTwoReplicas(local('2026-06-24T09:00'))).toBe(0);
  expect(await outboxOf('vn.vanthu.consultation.reminded.v1', opened.id)).toEqual([]);
  expect(await outboxOf('vn.vanthu.consultation.overdue.v1', opened.id)).toEqual([]);
});

test('a timer whose consultation closed after it was claimed fires without an event (the close wins)', async () => {
  h.now.value = local('2026-06-29T09:00');
  const document = await h.uploadDraft(people.specialist);
  const opened = (
    await h.call(people.specialist, 'POST', '/v1/consultations', {
      documentId: document.id,
      question: 'Cho ý kiến',
      members: [people.unitLeader.userId],
      dueAt: local('2026-06-29T15:00').toISOString(),
    })
  ).json();
  // Closed in the database behind the service's back, leaving its timers pending (as if the close raced them).
  await h.fixture.pool.query(
    "UPDATE consultations SET state = 'closed', close_reason = 'closed-by-opener', closed_at = now() WHERE id = $1",
    [opened.id],
  );
  expect(await fireOnTwoReplicas(local('2026-06-29T16:00'))).toBe(2);
  expect(await outboxOf('vn.vanthu.consultation.reminded.v1', opened.id)).toEqual([]);
  expect(await outboxOf('vn.vanthu.consultation.overdue.v1', opened.id)).toEqual([]);
});
