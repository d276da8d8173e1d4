// The one place that knows Vietnamese civil time. Asia/Ho_Chi_Minh is UTC+07:00 all year (no daylight
// saving), so dates, months and years of numbering, deadlines and reports are computed in that zone,
// never in UTC or the server's local zone.

export const vietnamZone = 'Asia/Ho_Chi_Minh';
export const vietnamOffset = '+07:00';
const offsetMs = 7 * 60 * 60 * 1000;

/** The time a use case runs at; tests pass a clock they move instead of sleeping. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export type VietnamDate = { year: number; month: number; day: number };

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The calendar date in Vietnam: numbering restarts on 1 January there, not in UTC. */
export function vietnamDate(at: Date): VietnamDate {
  const shifted = new Date(at.getTime() + offsetMs);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** yyyy-MM-dd in Vietnam. */
export function vietnamIsoDate(at: Date): string {
  const { year, month, day } = vietnamDate(at);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** ISO 8601 with the +07:00 offset, to the second: how Vietnamese documents and reports print an instant. */
export function vietnamIsoDateTime(at: Date): string {
  const shifted = new Date(at.getTime() + offsetMs);
  return `${shifted.toISOString().slice(0, 19)}${vietnamOffset}`;
}

/** `HH:mm:ss dd/MM/yyyy` in Vietnam: how signature appearances and reports print a time for people. */
export function vietnamClockText(at: Date): string {
  const t = vietnamIsoDateTime(at);
  return `${t.slice(11, 19)} ${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)}`;
}

/** 00:00 in Vietnam of the given calendar date, as an instant. */
export function startOfVietnamDay(date: VietnamDate): Date {
  return new Date(Date.UTC(date.year, date.month - 1, date.day) - offsetMs);
}

/** A calendar month in Vietnam as the half-open interval [first day 00:00+07:00, next first day 00:00+07:00). */
export function vietnamMonthRange(year: number, month: number): { from: string; to: string } {
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return {
    from: `${year}-${pad2(month)}-01T00:00:00${vietnamOffset}`,
    to: `${next.year}-${pad2(next.month)}-01T00:00:00${vietnamOffset}`,
  };
}
