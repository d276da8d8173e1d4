import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Document } from './document';

export const RegisterDirection = Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')], {
  description: 'sổ đăng ký văn bản đi (outgoing) or đến (incoming)',
});

export const NewRegister = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'e.g. "Sổ văn bản đi 2026", "Sổ quyết định cá biệt"',
    }),
    direction: RegisterDirection,
    description: Type.Optional(Type.String({ maxLength: 500 })),
    typeCodes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 10 }), {
        minItems: 1,
        maxItems: 32,
        uniqueItems: true,
        description: 'Only these document types are numbered in this register (its own series)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewRegister = Static<typeof NewRegister>;

export const Register = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    name: Type.String(),
    direction: RegisterDirection,
    description: Type.Union([Type.String(), Type.Null()]),
    typeCodes: Type.Union([Type.Array(Type.String()), Type.Null()]),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Register' },
);
export type Register = Static<typeof Register>;

export const RegisterList = Type.Object({ items: Type.Array(Register) });

export const RegistrationRequest = Type.Object(
  {
    registerId: Type.String({ format: 'uuid' }),
    typeCode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 10,
        description: 'Overrides the document’s type; required for outgoing documents without one',
      }),
    ),
    unitCode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 30,
        description: 'Drafting unit whose abbreviation ends a công văn’s ký hiệu; default the caller’s unit',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RegistrationRequest = Static<typeof RegistrationRequest>;

export const RegistrationWarning = Type.Object({
  code: Type.Union([Type.Literal('duplicate-identifier'), Type.Literal('duplicate-number-notation-issuer')]),
  message: Type.String(),
  documentId: Type.String({ format: 'uuid' }),
});
export type RegistrationWarning = Static<typeof RegistrationWarning>;

export const RegistrationResult = Type.Object({
  document: Document,
  // Phụ lục VI mục III.1: Văn thư is warned of a duplicate (the registration still happens).
  warnings: Type.Array(RegistrationWarning),
});

export const RecallRequest = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
    origin: Type.Optional(
      Type.Union([Type.Literal('own'), Type.Literal('issuer')], {
        description: 'own: this agency recalls its issued document; issuer: the issuer recalled a received one',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RecallRequest = Static<typeof RecallRequest>;

export const RegisterIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const RegisterExportQuery = Type.Object(
  {
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
    format: Type.Union([Type.Literal('pdf'), Type.Literal('xlsx')]),
    layout: Type.Optional(
      Type.Union([Type.Literal('register'), Type.Literal('handling-tracker')], {
        description: 'handling-tracker: Sổ theo dõi giải quyết văn bản đến (incoming registers only)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RegisterExportQuery = Static<typeof RegisterExportQuery>;
