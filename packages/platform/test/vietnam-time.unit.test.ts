import {
  startOfVietnamDay,
  vietnamClockText,
  vietnamDate,
  vietnamIsoDate,
  vietnamIsoDateTime,
  vietnamMonthRange,
} from '../src';

describe('Vietnamese civil time (UTC+07:00 all year)', () => {
  it('turns the date at 17:00 UTC, not at midnight UTC', () => {
    expect(vietnamIsoDate(new Date('2026-12-31T16:59:59.999Z'))).toBe('2026-12-31');
    expect(vietnamDate(new Date('2026-12-31T17:00:00Z'))).toEqual({ year: 2027, month: 1, day: 1 });
  });

  it('agrees with the Intl time zone database on random instants', () => {
    const intl = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Ho_Chi_Minh',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    for (let i = 0; i < 500; i++) {
      const at = new Date(Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 10 * 365 * 86_400_000));
      expect(vietnamIsoDate(at)).toBe(intl.format(at));
    }
  });

  it('prints instants with the +07:00 offset and finds the start of a day', () => {
    expect(vietnamIsoDateTime(new Date('2026-04-15T17:30:00Z'))).toBe('2026-04-16T00:30:00+07:00');
    expect(vietnamClockText(new Date('2026-12-31T17:05:09Z'))).toBe('00:05:09 01/01/2027');
    expect(startOfVietnamDay({ year: 2026, month: 4, day: 16 }).toISOString()).toBe('2026-04-15T17:00:00.000Z');
  });

  it('gives a month as a half-open interval, December rolling into the next year', () => {
    expect(vietnamMonthRange(2026, 12)).toEqual({ from: '2026-12-01T00:00:00+07:00', to: '2027-01-01T00:00:00+07:00' });
  });
});
