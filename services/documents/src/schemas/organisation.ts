import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { roles } from '@vanthu/platform';

// NĐ 30/2020 Phụ lục VI: OrganId is String(13). Abbreviations are the groups of a ký hiệu.
const Abbreviation = Type.String({
  pattern: '^[A-ZĐ0-9]{1,20}$',
  description: 'Upper case, no spaces (e.g. UBND, SKHCN, KGVX)',
});

export const Unit = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 30 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    abbreviation: Abbreviation,
  },
  { additionalProperties: false },
);
/** The offices a person may hold in the directory: the platform's roles, less `service` (no person holds it). */
export type StaffRole = Exclude<(typeof roles)[number], 'service'>;
export const staffRoles = roles.filter((role): role is StaffRole => role !== 'service');

export const Person = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 100 }),
    fullName: Type.String({ minLength: 1, maxLength: 50 }),
    position: Type.Optional(Type.String({ maxLength: 100 })),
    unitCode: Type.Optional(Type.String({ maxLength: 30 })),
    roles: Type.Optional(
      Type.Array(Type.Union(staffRoles.map((role) => Type.Literal(role))), {
        uniqueItems: true,
        maxItems: staffRoles.length,
        description:
          'What the person does in the agency (clerk: văn thư, specialist: chuyên viên, unit-leader: lãnh đạo phòng, format-checker, agency-leader: lãnh đạo cơ quan, dossier-inspector, report-collector, admin: quản trị, directory-admin: keeps the province’s directory); the token issuer grants them',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Organisation = Type.Object(
  {
    code: Type.String({
      pattern: '^[0-9A-Z]{3}\\.[0-9A-Z]{2}\\.[0-9A-Z]{2}\\.[A-Z][0-9]{2}$',
      maxLength: 13,
      description: 'Mã định danh',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    abbreviation: Abbreviation,
    parentCode: Type.Optional(Type.Union([Type.String({ maxLength: 13 }), Type.Null()])),
    units: Type.Optional(Type.Array(Unit, { maxItems: 500 })),
    people: Type.Optional(Type.Array(Person, { maxItems: 5000 })),
  },
  { additionalProperties: false, $id: 'Organisation' },
);
export type Organisation = Static<typeof Organisation>;

export const OrganisationImport = Type.Object(
  { organisations: Type.Array(Organisation, { minItems: 1, maxItems: 5000 }) },
  { additionalProperties: false },
);
export type OrganisationImport = Static<typeof OrganisationImport>;

export const ImportResult = Type.Object({
  organisations: Type.Integer(),
  units: Type.Integer(),
  people: Type.Integer(),
});
export type ImportResult = Static<typeof ImportResult>;

export const OrganisationCodeParams = Type.Object(
  { code: Type.String({ maxLength: 13 }) },
  { additionalProperties: false },
);
