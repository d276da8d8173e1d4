import fc from 'fast-check';
import { firstWorkingDayOfMonth } from '@vanthu/platform';
import { monthRange } from '../src/domain/month';

describe('monthRange (Asia/Ho_Chi_Minh calendar months)', () => {
  it('starts at local midnight on the 1st and ends at the next 1st', () => {
    expect(monthRange('2026-11')).toEqual({
      month: '2026-11',
      from: '2026-11-01T00:00:00+07:00',
      to: '2026-12-01T00:00:00+07:00',
    });
    expect(monthRange('2026-12').to).toBe('2027-01-01T00:00:00+07:00');
  });

  it('refuses malformed months', () => {
    for (const bad of ['2026-13', '2026-1', '26-11', '2026/11', '']) expect(() => monthRange(bad)).toThrow(/YYYY-MM/);
  });

  it('tiles time: consecutive months share their boundary and every instant falls in exactly one month', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        (instant) => {
          const local = new Date(instant.getTime() + 7 * 3600_000);
          const month = `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
          const range = monthRange(month);
          return Date.parse(range.from) <= instant.getTime() && instant.getTime() < Date.parse(range.to);
        },
      ),
    );
  });
});

describe('firstWorkingDayOfMonth (shipped calendar)', () => {
  it('skips weekends and public holidays', () => {
    expect(firstWorkingDayOfMonth(2026, 1)).toBe('2026-01-02'); // 1/1 Tết Dương lịch
    expect(firstWorkingDayOfMonth(2026, 5)).toBe('2026-05-04'); // 1/5 holiday (Friday), then the weekend
    expect(firstWorkingDayOfMonth(2026, 8)).toBe('2026-08-03'); // 1/8 is a Saturday
    expect(firstWorkingDayOfMonth(2026, 12)).toBe('2026-12-01');
    expect(firstWorkingDayOfMonth(2027, 1)).toBe('2027-01-04');
  });
});
