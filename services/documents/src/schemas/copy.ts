import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

export const CopyKind = Type.Union([Type.Literal('SY'), Type.Literal('TrS'), Type.Literal('SL')], {
  description: 'Bản sao y (SY), trích sao (TrS), sao lục (SL) — NĐ 30/2020 Điều 25; Phụ lục III',
});

export const NewCopy = Type.Object(
  {
    sourceDocumentId: Type.String({ format: 'uuid' }),
    kind: CopyKind,
    form: Type.Union([Type.Literal('electronic'), Type.Literal('paper')], {
      description:
        'electronic: an electronic copy (to be signed by the agency); paper: the printable copy of an electronic original, marked "Sao y bản gốc văn bản điện tử"',
    }),
    pages: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        minItems: 1,
        maxItems: 1000,
        uniqueItems: true,
        description: 'For trích sao: the pages of the source extracted, in order',
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewCopy = Static<typeof NewCopy>;

// Phụ lục I Phần II: digitised copies are PDF 1.4 or later, colour, ≥ 200 dpi, 100 % scale.
export const ScanCopyMetadata = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 500, description: 'Trích yếu of the paper original' }),
    sourceDocumentId: Type.Optional(
      Type.String({ format: 'uuid', description: 'The record of the paper original, when it is in the system' }),
    ),
    sourceDescription: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'Số, ký hiệu, date and issuer of the paper original' }),
    ),
  },
  { additionalProperties: false, $id: 'ScanCopyMetadata' },
);
export type ScanCopyMetadata = Static<typeof ScanCopyMetadata>;
