import { AppError, vietnamMonthRange } from '@vanthu/platform';

// Reports follow the Vietnamese calendar month (platform vietnam-time).

export type MonthRange = { month: string; from: string; to: string };

export function monthRange(month: string): MonthRange {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match)
    throw new AppError('VALIDATION_FAILED', 'month must be YYYY-MM', {
      errors: [{ field: 'querystring.month', message: 'must be YYYY-MM' }],
    });
  return { month, ...vietnamMonthRange(Number(match[1]), Number(match[2])) };
}
