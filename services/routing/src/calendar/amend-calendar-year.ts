import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation, UseCaseContext } from '@vanthu/platform';
import { upsertCalendarYear } from '../repositories/calendars-repository';
import type { CalendarYear, CalendarYearUpdate } from '../schemas/calendar';
import { describeCalendarYear } from './get-calendar-year';
import { checkOfficeHours } from './working-calendar';

export type AmendCalendarYearInput = { year: number; calendar: CalendarYearUpdate };

const weekday = (isoDate: string): number => new Date(`${isoDate}T00:00:00Z`).getUTCDay();

function checkDays(input: AmendCalendarYearInput): void {
  const errors: { field: string; message: string }[] = [];
  const seen = new Map<string, string>();
  const lists = [
    ['holidays', input.calendar.holidays],
    ['workingDays', input.calendar.workingDays],
  ] as const;
  for (const [field, days] of lists) {
    days.forEach((d, i) => {
      const parsed = new Date(`${d.date}T00:00:00Z`);
      if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== d.date)
        errors.push({ field: `${field}/${i}/date`, message: `${d.date} is not a calendar date` });
      else if (Number(d.date.slice(0, 4)) !== input.year)
        errors.push({ field: `${field}/${i}/date`, message: `${d.date} is not in ${input.year}` });
      else if (seen.has(d.date))
        errors.push({
          field: `${field}/${i}/date`,
          message: `${d.date} is listed twice (also in ${seen.get(d.date)})`,
        });
      else if (field === 'workingDays' && weekday(d.date) !== 0 && weekday(d.date) !== 6)
        errors.push({
          field: `${field}/${i}/date`,
          message: `${d.date} is a weekday; a make-up working day is a Saturday or Sunday`,
        });
      seen.set(d.date, field);
    });
  }
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', errors[0]!.message, { errors });
}

/**
 * Replaces the agency's calendar for one year (an administrator records the year's official notice,
 * a local holiday or make-up Saturday). Deadlines already set keep their instant; new ones use this.
 */
export async function amendCalendarYear(
  input: AmendCalendarYearInput,
  ctx: UseCaseContext,
): Promise<Mutation<CalendarYear>> {
  requireRole(ctx.identity, 'admin');
  checkDays(input);
  checkOfficeHours(input.calendar.officeHours);
  const agencyCode = ctx.identity.agencyCode;
  return ctx.runInTransaction(async (tx) => {
    const record = await upsertCalendarYear(tx, {
      agencyCode,
      year: input.year,
      holidays: input.calendar.holidays.map((d) => ({ ...d, basis: d.basis ?? 'announced' })),
      workingDays: input.calendar.workingDays.map((d) => ({ ...d, basis: d.basis ?? 'announced' })),
      officeHours: input.calendar.officeHours,
      updatedBy: ctx.identity.userId,
      updatedAt: ctx.clock(),
    });
    return describeCalendarYear(agencyCode, input.year, record);
  });
}
