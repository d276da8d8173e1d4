import { FormatRegistry } from '@sinclair/typebox';

// The platform registers uuid and date-time for TypeBox's own checks; multipart metadata here
// also carries calendar dates (Phụ lục VI: IssuedDate, DueDate are Date(10)).
const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const match = isoDate.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', isCalendarDate);
