import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const IsoDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'yyyy-MM-dd, Vietnam date' });
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:mm, Vietnam time' });

export const CalendarDay = Type.Object(
  {
    date: IsoDate,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    basis: Type.Optional(
      Type.Union([Type.Literal('announced'), Type.Literal('derived')], {
        description: 'announced: fixed by the year’s official notice; derived: from Bộ luật Lao động 2019 rules',
      }),
    ),
  },
  { additionalProperties: false },
);

export const OfficeHoursBlock = Type.Object({ from: ClockTime, to: ClockTime }, { additionalProperties: false });

export const CalendarYearParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) });

export const CalendarYearUpdate = Type.Object(
  {
    holidays: Type.Array(CalendarDay, { maxItems: 100, description: 'Days off besides Saturdays and Sundays' }),
    workingDays: Type.Array(CalendarDay, {
      maxItems: 60,
      description: 'Make-up working days (ngày làm bù) on a Saturday or Sunday',
    }),
    officeHours: Type.Array(OfficeHoursBlock, {
      minItems: 1,
      maxItems: 4,
      description: 'Office hours of a working day',
    }),
  },
  { additionalProperties: false },
);
export type CalendarYearUpdate = Static<typeof CalendarYearUpdate>;

export const CalendarYear = Type.Object(
  {
    agencyCode: Type.String(),
    year: Type.Integer(),
    source: Type.Union([Type.Literal('default'), Type.Literal('agency')], {
      description: 'default: the national data shipped with vanthu; agency: the agency’s amended copy',
    }),
    holidays: Type.Array(CalendarDay),
    workingDays: Type.Array(CalendarDay),
    officeHours: Type.Array(OfficeHoursBlock),
    workingDayCount: Type.Integer({ description: 'Working days in the year under this calendar' }),
    updatedBy: Type.Optional(Type.String()),
    updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type CalendarYear = Static<typeof CalendarYear>;
