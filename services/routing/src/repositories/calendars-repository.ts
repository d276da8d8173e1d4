import type { Tx } from '@vanthu/platform';

export type CalendarDayRow = { date: string; name: string; basis: 'announced' | 'derived' };
export type CalendarYearRecord = {
  agencyCode: string;
  year: number;
  holidays: CalendarDayRow[];
  workingDays: CalendarDayRow[];
  officeHours: { from: string; to: string }[];
  updatedBy: string;
  updatedAt: Date;
};

type Row = {
  agency_code: string;
  year: number;
  holidays: CalendarDayRow[];
  working_days: CalendarDayRow[];
  office_hours: { from: string; to: string }[];
  updated_by: string;
  updated_at: Date;
};

const toRecord = (row: Row): CalendarYearRecord => ({
  agencyCode: row.agency_code,
  year: row.year,
  holidays: row.holidays,
  workingDays: row.working_days,
  officeHours: row.office_hours,
  updatedBy: row.updated_by,
  updatedAt: row.updated_at,
});

export async function listCalendarYears(tx: Tx, agencyCode: string): Promise<CalendarYearRecord[]> {
  const { rows } = await tx.query<Row>('SELECT * FROM calendar_years WHERE agency_code = $1 ORDER BY year', [
    agencyCode,
  ]);
  return rows.map(toRecord);
}

export async function upsertCalendarYear(tx: Tx, record: CalendarYearRecord): Promise<CalendarYearRecord> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO calendar_years (agency_code, year, holidays, working_days, office_hours, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (agency_code, year) DO UPDATE SET holidays = EXCLUDED.holidays, working_days = EXCLUDED.working_days,
       office_hours = EXCLUDED.office_hours, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [
      record.agencyCode,
      record.year,
      JSON.stringify(record.holidays),
      JSON.stringify(record.workingDays),
      JSON.stringify(record.officeHours),
      record.updatedBy,
      record.updatedAt,
    ],
  );
  return toRecord(rows[0]!);
}
