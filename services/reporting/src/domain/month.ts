import { AppError } from '@vanthu/platform';

// Reports follow the Vietnamese calendar month: Asia/Ho_Chi_Minh is UTC+07:00 all year
// (no daylight saving), so a month is [first day 00:00+07:00, next first day 00:00+07:00).
export const vietnamOffset = '+07:00';

export type MonthRange = { month: string; from: string; to: string };

export function monthRange(month: string): MonthRange {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match)
    throw new AppError('VALIDATION_FAILED', 'month must be YYYY-MM', {
      errors: [{ field: 'querystring.month', message: 'must be YYYY-MM' }],
    });
  const year = Number(match[1]);
  const monthNumber = Number(match[2]);
  const next = monthNumber === 12 ? { year: year + 1, month: 1 } : { year, month: monthNumber + 1 };
  const pad = (n: number): string => String(n).padStart(2, '0');
  return {
    month,
    from: `${year}-${pad(monthNumber)}-01T00:00:00${vietnamOffset}`,
    to: `${next.year}-${pad(next.month)}-01T00:00:00${vietnamOffset}`,
  };
}
