import { startTimeHarness } from './time-harness';
import type { TimeHarness } from './time-harness';
import { addWorkingTime, loadCalendar } from '../src/timers';
import { withTransaction } from '@vanthu/platform';
import { agencyA, agencyB } from '../../../test/support/identities';

let h: TimeHarness;
beforeAll(async () => {
  h = await startTimeHarness('routing_calendars');
});
afterAll(async () => h.close());

const amended2026 = {
  holidays: [
    { date: '2026-01-01', name: 'Tết Dương lịch' },
    { date: '2026-02-16', name: 'Tết' },
    { date: '2026-09-01', name: 'Quốc khánh' },
    { date: '2026-09-02', name: 'Quốc khánh' },
    { date: '2026-06-15', name: 'Ngày truyền thống của tỉnh' },
  ],
  workingDays: [{ date: '2026-06-20', name: 'Làm bù thứ Bảy' }],
  officeHours: [
    { from: '07:00', to: '11:00' },
    { from: '13:30', to: '17:00' },
  ],
};

describe('GET|PUT /v1/calendars/{year}', () => {
  it('serves the national calendar with Tết and counts its working days', async () => {
    const res = await h.request('GET', '/v1/calendars/2026', h.specialistA);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ agencyCode: agencyA, year: 2026, source: 'default' });
    expect(body.holidays.map((d: { date: string }) => d.date)).toEqual(
      expect.arrayContaining(['2026-02-16', '2026-02-17', '2026-02-20', '2026-04-27', '2026-09-02']),
    );
    // 261 weekdays in 2026 minus 11 weekday holidays
    expect(body.workingDayCount).toBe(261 - 11);
    expect((await h.request('GET', '/v1/calendars/2027', h.specialistA)).json().workingDayCount).toBe(261 - 11);
  });

  it('lets an administrator amend a year for the agency only; deadlines follow the amended year', async () => {
    expect((await h.request('PUT', '/v1/calendars/2026', h.specialistA, amended2026)).statusCode).toBe(403);
    const put = await h.request('PUT', '/v1/calendars/2026', h.adminA, amended2026);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ source: 'agency', updatedBy: 'quan-tri', workingDayCount: 261 - 5 + 1 });
    expect((await h.request('GET', '/v1/calendars/2026', h.adminA)).json().source).toBe('agency');
    expect((await h.request('GET', '/v1/calendars/2026', h.adminB)).json().source).toBe('default');

    await withTransaction(h.fixture.pool, async (tx) => {
      const a = await loadCalendar(tx, agencyA);
      const b = await loadCalendar(tx, agencyB);
      const friday = new Date('2026-06-12T15:00:00+07:00');
      // A: Monday 15/6 is off, Saturday 20/6 is worked; office ends 17:00
      expect(addWorkingTime(friday, { workingDays: 1 }, a).toISOString()).toBe('2026-06-16T10:00:00.000Z');
      expect(addWorkingTime(new Date('2026-06-19T16:30:00+07:00'), { workingHours: 1 }, a).toISOString()).toBe(
        '2026-06-20T00:30:00.000Z', // 07:30 on Saturday 20/6, after 07:00 start
      );
      expect(addWorkingTime(friday, { workingDays: 1 }, b).toISOString()).toBe('2026-06-15T10:00:00.000Z');
    });
  });

  it('refuses dates outside the year, duplicates, weekday make-up days and bad office hours, naming the field', async () => {
    const bad = async (patch: object) => h.request('PUT', '/v1/calendars/2026', h.adminA, { ...amended2026, ...patch });
    const outside = await bad({ holidays: [{ date: '2027-01-01', name: 'x' }] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().errors).toEqual([{ field: 'holidays/0/date', message: '2027-01-01 is not in 2026' }]);
    expect((await bad({ workingDays: [{ date: '2026-06-15', name: 'x' }] })).json().errors[0].message).toMatch(
      /listed twice/,
    );
    expect((await bad({ workingDays: [{ date: '2026-06-17', name: 'x' }] })).json().errors[0].message).toMatch(
      /weekday/,
    );
    expect((await bad({ holidays: [{ date: '2026-02-30', name: 'x' }] })).json().errors[0].message).toMatch(
      /not a calendar date/,
    );
    expect((await bad({ officeHours: [{ from: '12:00', to: '08:00' }] })).json().detail).toMatch(/end before/);
    expect((await h.request('GET', '/v1/calendars/1999', h.adminA)).statusCode).toBe(400);
  });
});
