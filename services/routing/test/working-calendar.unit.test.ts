import fc from 'fast-check';
import {
  addWorkingTime,
  buildWorkingCalendar,
  checkOfficeHours,
  isWorkingDate,
  isWorkingInstant,
  workingTimeBetween,
} from '../src/calendar/working-calendar';

const calendar = buildWorkingCalendar('000.00.00.H99');
// Instants are written with their +07:00 offset, as a Vietnamese clerk reads them.
const at = (local: string): Date => new Date(`${local}+07:00`);
const iso = (d: Date): string => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 16);

// Independent oracle: walk minute by minute over office hours written out by hand (07:30–11:30, 13:00–17:00,
// Monday–Friday, minus the listed dates) — no shared code with the implementation.
const offDates = new Set([
  '2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-04-27', '2026-04-30',
  '2026-05-01', '2026-09-01', '2026-09-02', '2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10',
  '2027-02-11', '2027-04-16', '2027-04-30', '2027-05-03', '2027-09-02', '2027-09-03',
]); // prettier-ignore
function oracleIsOfficeMinute(t: number): boolean {
  const local = new Date(t + 7 * 3600_000);
  const date = local.toISOString().slice(0, 10);
  const weekday = local.getUTCDay();
  if (weekday === 0 || weekday === 6 || offDates.has(date)) return false;
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  return (minute >= 450 && minute < 690) || (minute >= 780 && minute < 1020);
}
function oracleAddHours(start: Date, hours: number): Date {
  let t = Math.ceil(start.getTime() / 60_000) * 60_000;
  let remaining = hours * 60;
  for (;;) {
    if (oracleIsOfficeMinute(t)) remaining -= 1;
    t += 60_000;
    if (remaining === 0) return new Date(t);
  }
}

// Instants in 2026–2027 on whole minutes.
const instant = fc
  .integer({ min: at('2026-01-01T00:00').getTime() / 60_000, max: at('2027-11-30T00:00').getTime() / 60_000 })
  .map((m) => new Date(m * 60_000));

describe('the shipped Vietnamese calendar', () => {
  it('has Tết Bính Ngọ 2026 off from Monday 16/2 to Friday 20/2 and work again on Monday 23/2', () => {
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'])
      expect(isWorkingDate(calendar, d)).toBe(false);
    expect(isWorkingDate(calendar, '2026-02-13')).toBe(true);
    expect(isWorkingDate(calendar, '2026-02-23')).toBe(true);
    // received on Friday 13/2 afternoon, 1 working day: the end of Monday 23/2
    expect(iso(addWorkingTime(at('2026-02-13T15:00'), { workingDays: 1 }, calendar))).toBe('2026-02-23T17:00');
  });

  it('takes a holiday that falls on a weekend on the next working day (Bộ luật Lao động 2019 Điều 111.3)', () => {
    expect(isWorkingDate(calendar, '2026-04-27')).toBe(false); // Giỗ Tổ 26/4/2026 is a Sunday
    expect(isWorkingDate(calendar, '2027-05-03')).toBe(false); // 1/5/2027 is a Saturday
    expect(isWorkingDate(calendar, '2027-02-10')).toBe(false);
    expect(isWorkingDate(calendar, '2027-02-12')).toBe(true);
  });

  it('counts the same working day as day 0 and an after-hours arrival as the next working day', () => {
    expect(iso(addWorkingTime(at('2026-03-02T10:00'), { workingDays: 0 }, calendar))).toBe('2026-03-02T17:00');
    expect(iso(addWorkingTime(at('2026-03-02T17:30'), { workingDays: 0 }, calendar))).toBe('2026-03-03T17:00');
    expect(iso(addWorkingTime(at('2026-03-06T18:00'), { workingDays: 1 }, calendar))).toBe('2026-03-10T17:00');
    expect(iso(addWorkingTime(at('2026-03-07T09:00'), { workingDays: 3 }, calendar))).toBe('2026-03-12T17:00');
  });

  it('stops the clock outside office hours for deadlines in working hours', () => {
    expect(iso(addWorkingTime(at('2026-03-02T10:30'), { workingHours: 2 }, calendar))).toBe('2026-03-02T14:00');
    expect(iso(addWorkingTime(at('2026-03-06T16:00'), { workingHours: 4 }, calendar))).toBe('2026-03-09T10:30');
    expect(iso(addWorkingTime(at('2026-03-02T12:00'), { workingHours: 4 }, calendar))).toBe('2026-03-02T17:00');
    expect(iso(addWorkingTime(at('2026-03-02T05:00'), { workingHours: 0 }, calendar))).toBe('2026-03-02T07:30');
  });

  it('honours an agency’s make-up working Saturday, extra holiday and own office hours', () => {
    const amended = buildWorkingCalendar('000.00.00.H99', [
      {
        year: 2026,
        holidays: [{ date: '2026-03-09', name: 'Nghỉ hoán đổi', basis: 'announced' }],
        workingDays: [{ date: '2026-03-14', name: 'Làm bù thứ Bảy', basis: 'announced' }],
        officeHours: [
          { from: '08:00', to: '12:00' },
          { from: '13:30', to: '17:30' },
        ],
        source: 'agency',
      },
    ]);
    expect(isWorkingDate(amended, '2026-03-14')).toBe(true);
    expect(isWorkingDate(amended, '2026-03-09')).toBe(false);
    expect(isWorkingDate(amended, '2026-04-30')).toBe(true); // the amended year replaces the shipped one
    expect(iso(addWorkingTime(at('2026-03-13T16:00'), { workingDays: 1 }, amended))).toBe('2026-03-14T17:30');
    expect(iso(addWorkingTime(at('2026-03-13T16:00'), { workingHours: 2 }, amended))).toBe('2026-03-14T08:30');
    expect(isWorkingDate(amended, '2027-04-30')).toBe(false); // 2027 stays national
  });

  it('refuses negative or fractional days and malformed office hours', () => {
    expect(() => addWorkingTime(new Date(), { workingDays: -1 }, calendar)).toThrow(/zero or more/);
    expect(() => addWorkingTime(new Date(), { workingDays: 1.5 }, calendar)).toThrow(/whole number/);
    expect(() => checkOfficeHours([{ from: '13:00', to: '11:00' }])).toThrow(/end before/);
    expect(() =>
      checkOfficeHours([
        { from: '07:30', to: '11:30' },
        { from: '11:00', to: '17:00' },
      ]),
    ).toThrow(/overlap/);
  });
});

describe('working-time arithmetic (properties)', () => {
  it('never lands a deadline on a non-working instant', () => {
    fc.assert(
      fc.property(instant, fc.nat(40), fc.nat(60), (start, days, hours) => {
        for (const amount of [
          { workingDays: days },
          { workingHours: hours },
          { workingDays: days, workingHours: hours },
        ])
          expect(isWorkingInstant(calendar, addWorkingTime(start, amount, calendar))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('adding n then m working days equals adding n + m; the same for hours', () => {
    fc.assert(
      fc.property(instant, fc.nat(30), fc.nat(30), (start, n, m) => {
        const stepwise = addWorkingTime(
          addWorkingTime(start, { workingDays: n }, calendar),
          { workingDays: m },
          calendar,
        );
        expect(stepwise).toEqual(addWorkingTime(start, { workingDays: n + m }, calendar));
        const hourly = addWorkingTime(
          addWorkingTime(start, { workingHours: n }, calendar),
          { workingHours: m },
          calendar,
        );
        expect(hourly).toEqual(addWorkingTime(start, { workingHours: n + m }, calendar));
      }),
      { numRuns: 300 },
    );
  });

  it('is monotonic, and n working hours later there were exactly n hours of office time', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 80 }), (start, hours) => {
        const due = addWorkingTime(start, { workingHours: hours }, calendar);
        expect(due.getTime()).toBeGreaterThan(start.getTime());
        expect(workingTimeBetween(start, due, calendar)).toBe(hours * 3600_000);
        expect(addWorkingTime(start, { workingHours: hours + 1 }, calendar).getTime()).toBeGreaterThan(due.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with a minute-by-minute count over hand-written office hours', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 24 }), (start, hours) => {
        expect(iso(addWorkingTime(start, { workingHours: hours }, calendar))).toBe(iso(oracleAddHours(start, hours)));
      }),
      { numRuns: 60 },
    );
  });

  it('n working days end at 17:00 on a working day with exactly n working days after the start day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 25 }), (start, n) => {
        const due = addWorkingTime(start, { workingDays: n }, calendar);
        expect(iso(due).slice(11)).toBe('17:00');
        // count working days strictly between the start's working day and the due day, by hand
        const startLocal = new Date(start.getTime() + 7 * 3600_000);
        let day = startLocal.toISOString().slice(0, 10);
        const afterHours = startLocal.getUTCHours() * 60 + startLocal.getUTCMinutes() > 1020;
        const isOff = (d: string) => [0, 6].includes(new Date(`${d}T00:00Z`).getUTCDay()) || offDates.has(d);
        const next = (d: string) => new Date(new Date(`${d}T00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
        if (isOff(day) || afterHours) {
          day = next(day);
          while (isOff(day)) day = next(day);
        }
        let counted = 0;
        const dueDay = iso(due).slice(0, 10);
        while (day < dueDay) {
          day = next(day);
          if (!isOff(day)) counted += 1;
        }
        expect(counted).toBe(n);
        expect(isOff(dueDay)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
