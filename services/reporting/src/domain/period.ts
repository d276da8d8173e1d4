import { AppError, startOfVietnamDay } from '@vanthu/platform';
import type { Clock } from '@vanthu/platform';

export type Period = { from: string; to: string; fromInstant: string; toInstant: string };

const dayMs = 86_400_000;

function parseDate(value: string, field: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (!match || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day)
    throw new AppError('VALIDATION_FAILED', `${field} is not a calendar date`, {
      errors: [{ field: `querystring.${field}`, message: 'must be a date YYYY-MM-DD' }],
    });
  return startOfVietnamDay({ year, month, day });
}

/** Whole Vietnamese days from `from` to `to` inclusive, begun already, at most 366 days. */
export function reportablePeriod(from: string, to: string, clock: Clock): Period {
  const start = parseDate(from, 'from');
  const end = new Date(parseDate(to, 'to').getTime() + dayMs);
  const invalid = (field: string, message: string): AppError =>
    new AppError('VALIDATION_FAILED', `${field} ${message}`, { errors: [{ field: `querystring.${field}`, message }] });
  if (end.getTime() <= start.getTime()) throw invalid('to', 'must not be before from');
  if (end.getTime() - start.getTime() > 366 * dayMs) throw invalid('to', 'must be at most 366 days after from');
  if (start.getTime() > clock().getTime()) throw invalid('from', 'must not be in the future');
  return { from, to, fromInstant: start.toISOString(), toInstant: end.toISOString() };
}
