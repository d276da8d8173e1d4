import type { UseCaseContext } from '@vanthu/platform';
import { listCalendarYears } from '../repositories/calendars-repository';
import type { CalendarYearRecord } from '../repositories/calendars-repository';
import type { CalendarYear } from '../schemas/calendar';
import { buildWorkingCalendar, defaultCalendarYear, isWorkingDate } from './working-calendar';

export type GetCalendarYearInput = { year: number };

export function describeCalendarYear(agencyCode: string, year: number, record?: CalendarYearRecord): CalendarYear {
  const data = record
    ? { ...record, source: 'agency' as const }
    : { ...defaultCalendarYear(year), source: 'default' as const };
  const calendar = buildWorkingCalendar(agencyCode, [{ ...data, year }]);
  let workingDayCount = 0;
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000)
    if (isWorkingDate(calendar, new Date(t).toISOString().slice(0, 10))) workingDayCount += 1;
  return {
    agencyCode,
    year,
    source: data.source,
    holidays: data.holidays,
    workingDays: data.workingDays,
    officeHours: data.officeHours,
    workingDayCount,
    ...(record ? { updatedBy: record.updatedBy, updatedAt: record.updatedAt.toISOString() } : {}),
  };
}

/** The caller's agency's calendar for a year: its amended copy, or the national data. */
export async function getCalendarYear(input: GetCalendarYearInput, ctx: UseCaseContext): Promise<CalendarYear> {
  const agencyCode = ctx.identity.agencyCode;
  const { result } = await ctx.runInTransaction(async (tx) => {
    const record = (await listCalendarYears(tx, agencyCode)).find((y) => y.year === input.year);
    return describeCalendarYear(agencyCode, input.year, record);
  });
  return result;
}
