import { AppError, startOfVietnamDay, vietnamDate, vietnamIsoDate } from '@vanthu/platform';
import { vietnamHolidays } from './vietnam-holidays';
import type { CalendarDay } from './vietnam-holidays';

// A working calendar is pure data: deadlines are computed from it without the database, so the
// arithmetic is tested on its own and every replica computes the same instant.

/** One office-hours block of a working day, in minutes after 00:00 Vietnam time, [from, to). */
export type OfficeHoursBlock = { from: string; to: string };

export type CalendarYear = {
  year: number;
  holidays: CalendarDay[];
  workingDays: CalendarDay[];
  officeHours: OfficeHoursBlock[];
  /** Where the year comes from: the shipped national data, or the agency's own amended copy. */
  source: 'default' | 'agency';
};

export type WorkingCalendar = {
  agencyCode: string;
  /** Office hours of years the agency has not amended. */
  defaultOfficeHours: OfficeHoursBlock[];
  /** Holidays and make-up days by Vietnam date (yyyy-MM-dd). */
  holidays: ReadonlyMap<string, string>;
  workingDays: ReadonlyMap<string, string>;
  officeHoursByYear: ReadonlyMap<number, OfficeHoursBlock[]>;
  years: CalendarYear[];
};

/** Mon–Fri 07:30–11:30 and 13:00–17:00, the usual hours of a Vietnamese state agency. */
export const defaultOfficeHours: OfficeHoursBlock[] = [
  { from: '07:30', to: '11:30' },
  { from: '13:00', to: '17:00' },
];

export const shippedYears = Object.keys(vietnamHolidays).map(Number);

export function defaultCalendarYear(year: number): CalendarYear {
  const data = vietnamHolidays[year] ?? { holidays: [], workingDays: [] };
  return {
    year,
    holidays: data.holidays,
    workingDays: data.workingDays,
    officeHours: defaultOfficeHours,
    source: 'default',
  };
}

/** The calendar of an agency: the shipped years, each replaced by the agency's amended copy if it has one. */
export function buildWorkingCalendar(agencyCode: string, agencyYears: CalendarYear[] = []): WorkingCalendar {
  const byYear = new Map<number, CalendarYear>(shippedYears.map((y) => [y, defaultCalendarYear(y)]));
  for (const year of agencyYears) byYear.set(year.year, year);
  const holidays = new Map<string, string>();
  const workingDays = new Map<string, string>();
  const officeHoursByYear = new Map<number, OfficeHoursBlock[]>();
  for (const year of byYear.values()) {
    for (const d of year.holidays) holidays.set(d.date, d.name);
    for (const d of year.workingDays) workingDays.set(d.date, d.name);
    officeHoursByYear.set(year.year, year.officeHours);
  }
  return {
    agencyCode,
    defaultOfficeHours,
    holidays,
    workingDays,
    officeHoursByYear,
    years: [...byYear.values()].sort((a, b) => a.year - b.year),
  };
}

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
const hourMs = 60 * minuteMs;

export function parseClock(hhmm: string): number {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(hhmm);
  if (!match) throw new AppError('VALIDATION_FAILED', `office hours time ${hhmm} is not HH:mm`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Office hours must be ordered, non-empty and non-overlapping; the API refuses anything else. */
export function checkOfficeHours(blocks: OfficeHoursBlock[]): void {
  if (blocks.length === 0) throw new AppError('VALIDATION_FAILED', 'office hours need at least one block');
  let previousEnd = -1;
  for (const block of blocks) {
    const from = parseClock(block.from);
    const to = parseClock(block.to);
    if (to <= from)
      throw new AppError('VALIDATION_FAILED', `office hours ${block.from}–${block.to} end before they start`);
    if (from < previousEnd)
      throw new AppError('VALIDATION_FAILED', `office hours ${block.from}–${block.to} overlap the previous block`);
    previousEnd = to;
  }
}

const isoOf = (dayStart: number): string => vietnamIsoDate(new Date(dayStart));

/** A Vietnam date is a working day: Monday–Friday unless a holiday, or a make-up working day. */
export function isWorkingDate(calendar: WorkingCalendar, isoDate: string): boolean {
  if (calendar.workingDays.has(isoDate)) return true;
  if (calendar.holidays.has(isoDate)) return false;
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The office-hours intervals of the Vietnam day starting at `dayStart`, as [start, end] instants (ms). */
function intervalsOfDay(calendar: WorkingCalendar, dayStart: number): [number, number][] {
  const iso = isoOf(dayStart);
  if (!isWorkingDate(calendar, iso)) return [];
  const year = Number(iso.slice(0, 4));
  const blocks = calendar.officeHoursByYear.get(year) ?? calendar.defaultOfficeHours;
  return blocks.map((b) => [dayStart + parseClock(b.from) * minuteMs, dayStart + parseClock(b.to) * minuteMs]);
}

const dayStartOf = (at: number): number => startOfVietnamDay(vietnamDate(new Date(at))).getTime();

// A calendar with no working day for a long stretch is an administrator's mistake; stop rather than loop.
const maxDaysScanned = 3 * 366;

function noWorkingDay(calendar: WorkingCalendar, from: number): never {
  throw new AppError(
    'UNPROCESSABLE',
    `the calendar of ${calendar.agencyCode} has no working day within ${maxDaysScanned} days after ${isoOf(from)}`,
  );
}

/**
 * An instant is a working instant when it lies within an office-hours block of a working day, both
 * ends included (a deadline at 17:00 is still on that day).
 */
export function isWorkingInstant(calendar: WorkingCalendar, at: Date): boolean {
  const t = at.getTime();
  return intervalsOfDay(calendar, dayStartOf(t)).some(([s, e]) => t >= s && t <= e);
}

/** Start of the working day containing `at` if `at` is not after its office end, else of the next working day. */
function workingDayFor(calendar: WorkingCalendar, at: number): number {
  let dayStart = dayStartOf(at);
  for (let i = 0; i < maxDaysScanned; i += 1) {
    const intervals = intervalsOfDay(calendar, dayStart);
    const last = intervals[intervals.length - 1];
    if (last && (i > 0 || at <= last[1])) return dayStart;
    dayStart = dayStartOf(dayStart + dayMs + hourMs);
  }
  return noWorkingDay(calendar, at);
}

function nextWorkingDay(calendar: WorkingCalendar, dayStart: number): number {
  let next = dayStart;
  for (let i = 0; i < maxDaysScanned; i += 1) {
    next = dayStartOf(next + dayMs + hourMs);
    if (intervalsOfDay(calendar, next).length > 0) return next;
  }
  return noWorkingDay(calendar, dayStart);
}

function officeEnd(calendar: WorkingCalendar, dayStart: number): number {
  const intervals = intervalsOfDay(calendar, dayStart);
  return intervals[intervals.length - 1]![1];
}

/** Moves forward `ms` of office time from `from` (which may lie outside office hours). */
function addOfficeMs(calendar: WorkingCalendar, from: number, ms: number): number {
  let remaining = ms;
  let dayStart = workingDayFor(calendar, from);
  let cursor = Math.max(from, dayStart);
  for (let i = 0; i < maxDaysScanned; i += 1) {
    for (const [s, e] of intervalsOfDay(calendar, dayStart)) {
      if (cursor > e) continue;
      const begin = Math.max(cursor, s);
      if (remaining <= e - begin) return begin + remaining;
      remaining -= e - begin;
      cursor = e;
    }
    dayStart = nextWorkingDay(calendar, dayStart);
    cursor = dayStart;
  }
  return noWorkingDay(calendar, from);
}

export type WorkingAmount = { workingDays?: number; workingHours?: number };

/**
 * The deadline `amount` of working time after `start`.
 * - Working days: a document received during or before the office hours of a working day counts that
 *   day as day 0; received after office end or on a day off, it counts as received on the next working
 *   day. n working days end at the office end of the n-th working day after day 0 (0 = the same working
 *   day, the "same day" of NĐ 30/2020 Điều 18 and Điều 22–23).
 * - Working hours are office time: the clock stops outside office hours, at weekends and on holidays.
 * Days are applied first, then hours. The result is always a working instant.
 */
export function addWorkingTime(start: Date, amount: WorkingAmount, calendar: WorkingCalendar): Date {
  const days = amount.workingDays ?? 0;
  const hours = amount.workingHours ?? 0;
  if (!Number.isInteger(days) || days < 0)
    throw new AppError('VALIDATION_FAILED', 'workingDays must be a whole number of days, zero or more');
  if (!Number.isFinite(hours) || hours < 0)
    throw new AppError('VALIDATION_FAILED', 'workingHours must be zero or more');
  let t = start.getTime();
  if (amount.workingDays !== undefined) {
    let dayStart = workingDayFor(calendar, t);
    for (let i = 0; i < days; i += 1) dayStart = nextWorkingDay(calendar, dayStart);
    t = officeEnd(calendar, dayStart);
  }
  if (amount.workingHours !== undefined || amount.workingDays === undefined)
    t = addOfficeMs(calendar, t, Math.round(hours * hourMs));
  return new Date(t);
}

/** Office time between two instants (ms); 0 when `to` is not after `from`. */
export function workingTimeBetween(from: Date, to: Date, calendar: WorkingCalendar): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  let total = 0;
  let dayStart = dayStartOf(a);
  for (let i = 0; dayStart <= b; i += 1) {
    for (const [s, e] of intervalsOfDay(calendar, dayStart)) {
      const lo = Math.max(a, s);
      const hi = Math.min(b, e);
      if (hi > lo) total += hi - lo;
    }
    dayStart = dayStartOf(dayStart + dayMs + hourMs);
    if (i > 40 * 366) break;
  }
  return total;
}

/** The start of the working day of `at` (or the next one), for "by the end of the next working day" rules. */
export function endOfWorkingDay(calendar: WorkingCalendar, at: Date, afterWorkingDays = 0): Date {
  return addWorkingTime(at, { workingDays: afterWorkingDays }, calendar);
}
