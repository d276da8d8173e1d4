// The shipped public holidays live in the platform (reporting needs the first working day of a month too).
export { vietnamHolidays } from '@vanthu/platform';
export type { CalendarDay, YearCalendarData } from '@vanthu/platform';
