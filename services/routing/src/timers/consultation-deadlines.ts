import { AppError } from '@vanthu/platform';
import type { Clock, Tx } from '@vanthu/platform';
import { addWorkingTime, workingTimeBetween } from '../calendar/working-calendar';
import type { WorkingCalendar } from '../calendar/working-calendar';
import { scheduleConsultationTimer } from './timer-worker';

export type ScheduleConsultationDeadlineInput = {
  agencyCode: string;
  consultationId: string;
  /** When it was opened; the reminder counts working time from here on the agency's calendar. */
  start: Date;
  dueAt: Date;
  calendar: WorkingCalendar;
  /** An explicit reminder instant (after now, before the deadline); default: 75 % of the working time. */
  remindAt?: Date;
};

export type ScheduledConsultationDeadline = { dueAt: Date; reminderAt?: Date };

/**
 * A consultation's deadline with the boundary timers a task's has: a non-interrupting reminder before it (by
 * default after three quarters of the working time, like a task's) and the overdue mark at it.
 */
export async function scheduleConsultationDeadline(
  tx: Tx,
  input: ScheduleConsultationDeadlineInput,
  clock: Clock,
): Promise<ScheduledConsultationDeadline> {
  const now = clock();
  let reminderAt = input.remindAt;
  if (reminderAt) {
    if (reminderAt.getTime() <= now.getTime() || reminderAt.getTime() >= input.dueAt.getTime())
      throw new AppError('VALIDATION_FAILED', `remindAt ${reminderAt.toISOString()} is not between now and dueAt`, {
        errors: [{ field: 'body.remindAt', message: 'must be after now and before the deadline' }],
      });
  } else {
    const total = workingTimeBetween(input.start, input.dueAt, input.calendar);
    const candidate = addWorkingTime(input.start, { workingHours: (total * 0.75) / 3_600_000 }, input.calendar);
    // A deadline inside one stretch of non-working time leaves no working time to remind in.
    if (total > 0 && candidate.getTime() > now.getTime() && candidate.getTime() < input.dueAt.getTime())
      reminderAt = candidate;
  }
  const base = { agencyCode: input.agencyCode, consultationId: input.consultationId };
  const payload = { dueAt: input.dueAt.toISOString() };
  if (reminderAt)
    await scheduleConsultationTimer(tx, { ...base, kind: 'consultation-reminder', fireAt: reminderAt, payload }, clock);
  await scheduleConsultationTimer(tx, { ...base, kind: 'consultation-overdue', fireAt: input.dueAt, payload }, clock);
  return { dueAt: input.dueAt, ...(reminderAt ? { reminderAt } : {}) };
}
