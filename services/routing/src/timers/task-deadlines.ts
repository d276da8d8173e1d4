import { taskOverdueV1, taskRemindedV1 } from '@vanthu/contracts';
import type { TaskOverdueV1, TaskRemindedV1 } from '@vanthu/contracts';
import { AppError, enqueueEvents } from '@vanthu/platform';
import type { Clock, Tx } from '@vanthu/platform';
import { addWorkingTime, workingTimeBetween } from '../calendar/working-calendar';
import type { WorkingAmount, WorkingCalendar } from '../calendar/working-calendar';
import { registerTimerBatchHandler, scheduleTimer, scheduleTimers } from './timer-worker';
import type { Timer, TimerContext } from './timer-worker';

type Assignee = { userId?: string; role?: string; unit?: string };

/** What a deadline timer carries so its handler needs no other table to announce it. */
export type DeadlinePayload = {
  step: string;
  documentId: string;
  documentVersion?: number;
  assignee?: Assignee;
  dueAt: string;
  escalateTo?: Assignee;
  sla?: 'registration' | 'transfer' | 'issue';
};

export type ScheduleTaskDeadlineInput = {
  agencyCode: string;
  taskId: string;
  processId: string;
  step: string;
  documentId: string;
  documentVersion?: number;
  assignee?: Assignee;
  /** When the task was assigned (the deadline counts from here on the agency's calendar). */
  start: Date;
  deadline: WorkingAmount;
  calendar: WorkingCalendar;
  /**
   * Share of the working time after which the assignee is reminded (default 0.75); `false` for none. A
   * reminder never interrupts the task.
   */
  remindAt?: number | false;
  /** Who is alerted when the deadline passes (the unit head). */
  escalateTo?: Assignee;
  /**
   * Also schedules an `escalation` timer this much working time after the deadline, for definitions whose
   * escalation takes the task away (interrupting); the engine registers the handler that moves it.
   */
  interruptAfter?: WorkingAmount;
};

export type ScheduledDeadline = { dueAt: Date; reminderAt?: Date; escalationAt?: Date };

/**
 * Computes a task's deadline in working time and schedules its reminder and overdue timers in the caller's
 * transaction. Cancel them with `cancelTimers(tx, {taskId})` when the task completes.
 */
export async function scheduleTaskDeadline(
  tx: Tx,
  input: ScheduleTaskDeadlineInput,
  clock?: Clock,
): Promise<ScheduledDeadline> {
  const dueAt = addWorkingTime(input.start, input.deadline, input.calendar);
  if (clock && dueAt.getTime() <= clock().getTime())
    throw new AppError('VALIDATION_FAILED', `the deadline ${dueAt.toISOString()} is already past`, {
      errors: [{ field: 'deadline', message: 'is in the past' }],
    });
  const payload: DeadlinePayload = {
    step: input.step,
    documentId: input.documentId,
    dueAt: dueAt.toISOString(),
    ...(input.documentVersion !== undefined ? { documentVersion: input.documentVersion } : {}),
    ...(input.assignee ? { assignee: input.assignee } : {}),
    ...(input.escalateTo ? { escalateTo: input.escalateTo } : {}),
  };
  const base = { agencyCode: input.agencyCode, taskId: input.taskId, processId: input.processId, payload };
  const result: ScheduledDeadline = { dueAt };
  const timers: Parameters<typeof scheduleTimers>[1] = [];
  const share = input.remindAt === undefined ? 0.75 : input.remindAt;
  if (share !== false) {
    if (!(share > 0 && share < 1)) throw new AppError('VALIDATION_FAILED', 'remindAt must be between 0 and 1');
    const total = workingTimeBetween(input.start, dueAt, input.calendar);
    const reminderAt = addWorkingTime(input.start, { workingHours: (total * share) / 3_600_000 }, input.calendar);
    if (reminderAt.getTime() < dueAt.getTime() && (!clock || reminderAt.getTime() > clock().getTime())) {
      timers.push({ ...base, kind: 'reminder', fireAt: reminderAt });
      result.reminderAt = reminderAt;
    }
  }
  timers.push({ ...base, kind: 'due', fireAt: dueAt });
  if (input.interruptAfter) {
    const escalationAt = addWorkingTime(dueAt, input.interruptAfter, input.calendar);
    timers.push({ ...base, kind: 'escalation', fireAt: escalationAt });
    result.escalationAt = escalationAt;
  }
  // One statement for all of the task's timers.
  await scheduleTimers(tx, timers, clock);
  return result;
}

export type ScheduleSameDaySlaInput = {
  agencyCode: string;
  taskId: string;
  processId: string;
  step: string;
  documentId: string;
  sla: 'registration' | 'transfer' | 'issue';
  /** When the document arrived (registration), was registered (transfer) or was signed (issue). */
  since: Date;
  calendar: WorkingCalendar;
  assignee?: Assignee;
  escalateTo?: Assignee;
};

/**
 * Flags a document not registered, transferred or issued by the end of the next working day (NĐ 30/2020
 * Điều 18.1, 22, 23.1: the same day, at the latest the next working day).
 */
export async function scheduleSameDaySla(tx: Tx, input: ScheduleSameDaySlaInput, clock?: Clock): Promise<Date> {
  const dueAt = addWorkingTime(input.since, { workingDays: 1 }, input.calendar);
  const payload: DeadlinePayload = {
    step: input.step,
    documentId: input.documentId,
    dueAt: dueAt.toISOString(),
    sla: input.sla,
    ...(input.assignee ? { assignee: input.assignee } : {}),
    ...(input.escalateTo ? { escalateTo: input.escalateTo } : {}),
  };
  await scheduleTimer(
    tx,
    {
      agencyCode: input.agencyCode,
      taskId: input.taskId,
      processId: input.processId,
      kind: 'sla',
      fireAt: dueAt,
      payload,
    },
    clock,
  );
  return dueAt;
}

const payloadOf = (timer: Timer): DeadlinePayload => timer.payload as DeadlinePayload;

/** The task a deadline timer belongs to (the timers_subject constraint gives every task timer both ids). */
function taskOf(timer: Timer): { taskId: string; processId: string } {
  if (!timer.taskId || !timer.processId) throw new Error(`timer ${timer.id} of kind ${timer.kind} names no task`);
  return { taskId: timer.taskId, processId: timer.processId };
}

/** A reminder (task.reminded.v1), which an overdue mark extends: the task, its step, document and deadline, and when. */
function deadlineEvent(timer: Timer, ctx: TimerContext): TaskRemindedV1 {
  const p = payloadOf(timer);
  return {
    ...taskOf(timer),
    agencyCode: timer.agencyCode,
    step: p.step,
    documentId: p.documentId,
    dueAt: p.dueAt,
    at: ctx.now.toISOString(),
    ...(p.documentVersion !== undefined ? { documentVersion: p.documentVersion } : {}),
    ...(p.assignee ? { assignee: p.assignee } : {}),
  };
}

function overdueEvent(timer: Timer, ctx: TimerContext, interrupting: boolean): TaskOverdueV1 {
  const p = payloadOf(timer);
  return {
    ...deadlineEvent(timer, ctx),
    ...(p.escalateTo ? { escalatedTo: p.escalateTo } : {}),
    ...(interrupting ? { interrupting: true } : {}),
    ...(p.sla ? { sla: p.sla } : {}),
  };
}

const eventContext = (timer: Timer, ctx: TimerContext) => ({ source: ctx.source, agencyCode: timer.agencyCode });

/**
 * reminder → task.reminded; due and sla → task.overdue (escalated to the unit head when named); escalation →
 * task.overdue, interrupting. Each batch of due timers is published with one outbox statement.
 */
export function registerDeadlineHandlers(): () => void {
  const overdue = (interrupting: boolean) => async (tx: Tx, timers: Timer[], ctx: TimerContext) => {
    const items = timers.map((t) => ({
      aggregateId: taskOf(t).taskId,
      data: overdueEvent(t, ctx, interrupting),
      context: eventContext(t, ctx),
    }));
    await enqueueEvents(tx, taskOverdueV1, items, ctx.topicPrefix);
  };
  const unregister = [
    registerTimerBatchHandler('reminder', async (tx, timers, ctx) => {
      const items = timers.map((t) => ({
        aggregateId: taskOf(t).taskId,
        data: deadlineEvent(t, ctx),
        context: eventContext(t, ctx),
      }));
      await enqueueEvents(tx, taskRemindedV1, items, ctx.topicPrefix);
    }),
    registerTimerBatchHandler('due', overdue(false)),
    registerTimerBatchHandler('sla', overdue(false)),
    registerTimerBatchHandler('escalation', overdue(true)),
  ];
  return () => unregister.forEach((u) => u());
}
