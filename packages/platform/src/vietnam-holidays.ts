// Days off and make-up working days of Vietnamese state agencies, shipped as data an administrator
// amends per agency (PUT /v1/calendars/{year}). The public holidays are those of Bộ luật Lao động 2019
// Điều 112.1 (Tết Dương lịch 1 day, Tết Âm lịch 5 days, Giỗ Tổ Hùng Vương 10/3 âm lịch, 30/4, 1/5,
// Quốc khánh 2/9 and one day next to it); a holiday falling on the weekly rest day is taken on the
// next working day (Điều 111.3). Each year the Thủ tướng fixes the exact Tết and Quốc khánh days for
// cán bộ, công chức, viên chức (announced by Bộ Nội vụ); `basis` says whether a day follows such a
// notice or is derived from the Code's rules while the notice for that year is not yet recorded.

export type CalendarDay = { date: string; name: string; basis: 'announced' | 'derived' };
export type YearCalendarData = { holidays: CalendarDay[]; workingDays: CalendarDay[] };

const day = (date: string, name: string, basis: CalendarDay['basis'] = 'derived'): CalendarDay => ({
  date,
  name,
  basis,
});

export const vietnamHolidays: Record<number, YearCalendarData> = {
  2026: {
    holidays: [
      day('2026-01-01', 'Tết Dương lịch'),
      // Tết Bính Ngọ (mùng 1 = 17/2/2026): nghỉ từ thứ Hai 16/2 (29 tháng Chạp) đến hết thứ Sáu 20/2
      // (mùng 4), with the weekends either side nine days in a row, as announced for công chức.
      day('2026-02-16', 'Tết Nguyên đán Bính Ngọ (29 tháng Chạp)', 'announced'),
      day('2026-02-17', 'Tết Nguyên đán Bính Ngọ (mùng 1)', 'announced'),
      day('2026-02-18', 'Tết Nguyên đán Bính Ngọ (mùng 2)', 'announced'),
      day('2026-02-19', 'Tết Nguyên đán Bính Ngọ (mùng 3)', 'announced'),
      day('2026-02-20', 'Tết Nguyên đán Bính Ngọ (mùng 4)', 'announced'),
      // 10/3 âm lịch is Sunday 26/4/2026: taken on Monday 27/4 (Điều 111.3).
      day('2026-04-27', 'Giỗ Tổ Hùng Vương (nghỉ bù cho Chủ nhật 26/4)'),
      day('2026-04-30', 'Ngày Chiến thắng'),
      day('2026-05-01', 'Ngày Quốc tế Lao động'),
      day('2026-09-01', 'Quốc khánh (ngày liền kề)'),
      day('2026-09-02', 'Quốc khánh'),
    ],
    workingDays: [],
  },
  2027: {
    holidays: [
      day('2027-01-01', 'Tết Dương lịch'),
      // Tết Đinh Mùi (mùng 1 = Saturday 6/2/2027): 30 Tết to mùng 4 are 5/2–9/2; mùng 1 and mùng 2
      // fall on the weekend and are taken on Wednesday 10/2 and Thursday 11/2 (Điều 111.3).
      day('2027-02-05', 'Tết Nguyên đán Đinh Mùi (30 tháng Chạp)'),
      day('2027-02-08', 'Tết Nguyên đán Đinh Mùi (mùng 3)'),
      day('2027-02-09', 'Tết Nguyên đán Đinh Mùi (mùng 4)'),
      day('2027-02-10', 'Tết Nguyên đán Đinh Mùi (nghỉ bù mùng 1)'),
      day('2027-02-11', 'Tết Nguyên đán Đinh Mùi (nghỉ bù mùng 2)'),
      day('2027-04-16', 'Giỗ Tổ Hùng Vương'),
      day('2027-04-30', 'Ngày Chiến thắng'),
      // 1/5/2027 is a Saturday: taken on Monday 3/5 (Điều 111.3).
      day('2027-05-03', 'Ngày Quốc tế Lao động (nghỉ bù cho thứ Bảy 1/5)'),
      day('2027-09-02', 'Quốc khánh'),
      day('2027-09-03', 'Quốc khánh (ngày liền kề)'),
    ],
    workingDays: [],
  },
};

/**
 * The first working day of a Vietnamese calendar month by the shipped calendar: Monday–Friday that is not a public
 * holiday, or a make-up working day (years not shipped count weekdays only). Agencies' own amendments live in
 * routing; a month-start report only needs the national days.
 */
export function firstWorkingDayOfMonth(year: number, month: number): string {
  const data = vietnamHolidays[year];
  const holidays = new Set(data?.holidays.map((h) => h.date) ?? []);
  const workingDays = new Set(data?.workingDays.map((w) => w.date) ?? []);
  for (let day = 1; day <= 31; day += 1) {
    const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    if (workingDays.has(iso) || (!holidays.has(iso) && weekday !== 0 && weekday !== 6)) return iso;
  }
  throw new Error(`no working day in ${year}-${month}`);
}
