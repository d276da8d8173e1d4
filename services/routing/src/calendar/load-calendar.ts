import type { Tx } from '@vanthu/platform';
import { listCalendarYears } from '../repositories/calendars-repository';
import { buildWorkingCalendar } from './working-calendar';
import type { WorkingCalendar } from './working-calendar';

/** The agency's working calendar: the national data for 2026–2027, with the years the agency amended. */
export async function loadCalendar(tx: Tx, agencyCode: string): Promise<WorkingCalendar> {
  const years = await listCalendarYears(tx, agencyCode);
  return buildWorkingCalendar(
    agencyCode,
    years.map((y) => ({
      year: y.year,
      holidays: y.holidays,
      workingDays: y.workingDays,
      officeHours: y.officeHours,
      source: 'agency' as const,
    })),
  );
}
