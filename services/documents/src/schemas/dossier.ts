import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const IsoDate = Type.String({ format: 'date' });

// NĐ 30/2020 Phụ lục VI mục III: the 11 metadata fields of a hồ sơ, with their lengths.
export const NewDossier = Type.Object(
  {
    year: Type.Optional(
      Type.Integer({
        minimum: 2000,
        maximum: 2999,
        description: 'Year of the Danh mục hồ sơ; default the current year (Vietnam)',
      }),
    ),
    fileNotation: Type.String({
      minLength: 1,
      maxLength: 20,
      pattern: '^[^\\s]+$',
      description: 'FileNotation (S20): số và ký hiệu hồ sơ in the Danh mục, e.g. 01.VP',
    }),
    title: Type.String({ minLength: 1, maxLength: 500, description: 'Title (S500): tiêu đề hồ sơ' }),
    maintenance: Type.String({
      minLength: 1,
      maxLength: 30,
      description: 'Maintenance (S30): thời hạn bảo quản, e.g. "Vĩnh viễn", "10 năm"',
    }),
    rights: Type.Optional(Type.String({ maxLength: 30, description: 'Rights (S30): chế độ sử dụng' })),
    creator: Type.Optional(
      Type.String({ maxLength: 30, description: 'Creator (S30): người lập hồ sơ; default the caller' }),
    ),
    language: Type.Optional(Type.String({ maxLength: 50 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    startDate: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);
export type NewDossier = Static<typeof NewDossier>;

export const DossierEntry = Type.Object({
  ordinal: Type.Integer({ minimum: 1, description: 'DocOrdinal: order of the document in the dossier' }),
  documentId: Type.String({ format: 'uuid' }),
  subject: Type.String(),
  notation: Type.Union([Type.String(), Type.Null()]),
  issuedDate: Type.Union([Type.String(), Type.Null()]),
  pages: Type.Integer(),
  addedBy: Type.String(),
  addedAt: Type.String({ format: 'date-time' }),
});
export type DossierEntry = Static<typeof DossierEntry>;

export const Dossier = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    fileCode: Type.String({ description: 'FileCode: OrganId.year.FileNotation' }),
    organId: Type.String(),
    year: Type.Integer(),
    fileNotation: Type.String(),
    title: Type.String(),
    maintenance: Type.String(),
    rights: Type.Union([Type.String(), Type.Null()]),
    creator: Type.String(),
    language: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    status: Type.String({ description: 'open, closed, handed-over' }),
    startDate: Type.String(),
    endDate: Type.Union([Type.String(), Type.Null()]),
    handoverDue: Type.Union([Type.String(), Type.Null()], {
      description: 'Hand-over to the agency archive is due within 1 year of closing (NĐ 30/2020 Điều 31)',
    }),
    handoverReminderFrom: Type.Union([Type.String(), Type.Null()], {
      description: '30 days before handoverDue (Phụ lục VI mục III.5)',
    }),
    docTotal: Type.Integer(),
    pageTotal: Type.Integer(),
    documents: Type.Array(DossierEntry),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Dossier' },
);
export type Dossier = Static<typeof Dossier>;

export const DossierSummary = Type.Omit(Dossier, ['documents']);
export type DossierSummary = Static<typeof DossierSummary>;

export const DossierListQuery = Type.Object(
  {
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999 })),
    handoverDueWithinDays: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 3650,
        description: 'Only closed dossiers whose hand-over falls due within this many days (the reminder list)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const AddToDossier = Type.Object(
  { documentId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export const DossierIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
