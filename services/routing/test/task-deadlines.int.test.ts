import { randomUUID } from 'node:crypto';
import { findEventDefinition } from '@vanthu/contracts';
import { isValidEventData, withTransaction } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import {
  cancelTimers,
  loadCalendar,
  registerDeadlineHandlers,
  runDueTimers,
  scheduleSameDaySla,
  scheduleTaskDeadline,
} from '../src/timers';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';

let fx: ServiceFixture;
let unregister: () => void;
const agencyCode = '000.00.00.H99';
const local = (s: string) => new Date(`${s}+07:00`);

type OutboxRow = { event_type: string; message_key: string; topic: string; data: Record<string, unknown> };
const outbox = async (taskId: string) =>
  (
    await fx.pool.query<OutboxRow>(
      'SELECT event_type, message_key, topic, data FROM outbox WHERE message_key = $1 ORDER BY position',
      [taskId],
    )
  ).rows;
const fire = (now: Date) => runDueTimers(now, { pool: fx.pool, logger: fx.logger, topicPrefix: 'test.' });

beforeAll(async () => {
  fx = await serviceFixture('routing_deadlines', migrationsDir);
  unregister = registerDeadlineHandlers();
});
afterAll(async () => {
  unregister();
  await fx.close();
});

describe('task deadlines, reminders, escalation and same-day SLA flags', () => {
  it('reminds the assignee, then reports the task overdue to the unit head when the clock passes its deadline', async () => {
    const [taskId, processId, documentId] = [randomUUID(), randomUUID(), randomUUID()];
    // assigned Friday 5/6/2026 15:00, 2 working days: due Tuesday 9/6 17:00 (the weekend does not count)
    const scheduled = await withTransaction(fx.pool, async (tx) =>
      scheduleTaskDeadline(
        tx,
        {
          agencyCode,
          taskId,
          processId,
          step: 'cooperate',
          documentId,
          documentVersion: 1,
          assignee: { unit: 'phong-tai-chinh', role: 'unit-leader' },
          start: local('2026-06-05T15:00'),
          deadline: { workingDays: 2 },
          calendar: await loadCalendar(tx, agencyCode),
          escalateTo: { userId: 'truong-phong-tc' },
        },
        () => local('2026-06-05T15:00'),
      ),
    );
    expect(scheduled.dueAt).toEqual(local('2026-06-09T17:00'));
    // office time from Fri 15:00 to Tue 17:00 is 2 + 8 + 8 = 18 h; 75 % = 13.5 h → Tuesday 07:30 + 3.5 h = 11:00
    expect(scheduled.reminderAt).toEqual(local('2026-06-09T11:00'));

    await fire(local('2026-06-09T10:59'));
    expect(await outbox(taskId)).toEqual([]);
    await fire(local('2026-06-09T11:00'));
    await fire(local('2026-06-09T16:59'));
    await fire(local('2026-06-09T17:00'));
    await fire(local('2026-06-10T09:00')); // nothing fires twice
    const events = await outbox(taskId);
    expect(events.map((e) => e.event_type)).toEqual(['vn.vanthu.task.reminded.v1', 'vn.vanthu.task.overdue.v1']);
    expect(events.every((e) => e.topic === 'test.vanthu.routing')).toBe(true);
    for (const e of events) expect(isValidEventData(findEventDefinition(e.event_type)!, e.data)).toBe(true);
    expect(events[1]!.data).toEqual({
      taskId,
      processId,
      agencyCode,
      step: 'cooperate',
      documentId,
      documentVersion: 1,
      assignee: { unit: 'phong-tai-chinh', role: 'unit-leader' },
      dueAt: '2026-06-09T10:00:00.000Z',
      at: '2026-06-09T10:00:00.000Z',
      escalatedTo: { userId: 'truong-phong-tc' },
    });
  });

  it('a task completed in time reports nothing; an interrupting escalation fires after its extra working time', async () => {
    const onTime = randomUUID();
    const late = randomUUID();
    await withTransaction(fx.pool, async (tx) => {
      const calendar = await loadCalendar(tx, agencyCode);
      const common = { agencyCode, processId: randomUUID(), step: 'lead', documentId: randomUUID(), calendar };
      await scheduleTaskDeadline(tx, {
        ...common,
        taskId: onTime,
        start: local('2026-06-15T08:00'),
        deadline: { workingHours: 4 },
      });
      const s = await scheduleTaskDeadline(tx, {
        ...common,
        taskId: late,
        start: local('2026-06-15T08:00'),
        deadline: { workingHours: 4 },
        remindAt: false,
        escalateTo: { role: 'unit-leader', unit: 'kgvx' },
        interruptAfter: { workingHours: 2 },
      });
      // 08:00 + 4 h of office time = 13:30 (lunch 11:30–13:00 does not count); escalation 2 h later = 15:30
      expect(s).toEqual({ dueAt: local('2026-06-15T13:30'), escalationAt: local('2026-06-15T15:30') });
      expect(await cancelTimers(tx, { taskId: onTime })).toBe(2); // completed: reminder and due
    });
    await fire(local('2026-06-16T09:00'));
    expect(await outbox(onTime)).toEqual([]);
    const events = await outbox(late);
    expect(events.map((e) => [e.event_type, e.data.interrupting ?? false])).toEqual([
      ['vn.vanthu.task.overdue.v1', false],
      ['vn.vanthu.task.overdue.v1', true],
    ]);
  });

  it('flags a document not registered by the end of the next working day (received Friday after hours → Tuesday)', async () => {
    const taskId = randomUUID();
    const dueAt = await withTransaction(fx.pool, async (tx) =>
      scheduleSameDaySla(tx, {
        agencyCode,
        taskId,
        processId: randomUUID(),
        step: 'register',
        documentId: randomUUID(),
        sla: 'registration',
        since: local('2026-06-19T17:45'),
        calendar: await loadCalendar(tx, agencyCode),
        assignee: { role: 'clerk' },
      }),
    );
    expect(dueAt).toEqual(local('2026-06-23T17:00'));
    await fire(local('2026-06-23T16:00'));
    expect(await outbox(taskId)).toEqual([]);
    await fire(local('2026-06-23T17:00'));
    const [flag] = await outbox(taskId);
    expect(flag?.data).toMatchObject({ sla: 'registration', step: 'register', dueAt: '2026-06-23T10:00:00.000Z' });
    expect(isValidEventData(findEventDefinition(flag!.event_type)!, flag!.data)).toBe(true);
  });

  it('refuses a deadline already in the past', async () => {
    await expect(
      withTransaction(fx.pool, async (tx) =>
        scheduleTaskDeadline(
          tx,
          {
            agencyCode,
            taskId: randomUUID(),
            processId: randomUUID(),
            step: 'lead',
            documentId: randomUUID(),
            start: local('2026-06-01T08:00'),
            deadline: { workingHours: 1 },
            calendar: await loadCalendar(tx, agencyCode),
          },
          () => local('2026-06-02T08:00'),
        ),
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'deadline', message: 'is in the past' }] });
  });
});
