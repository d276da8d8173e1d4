import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const copyMadeV1 = {
  type: 'vn.vanthu.copy.made.v1',
  topic: 'vanthu.documents',
  aggregate: 'document',
  description:
    'A copy (sao y, trích sao, sao lục, digitised or printed) was made of a document and numbered in the agency’s yearly copy series (NĐ 30/2020 Điều 25–27).',
  schema: Type.Object(
    {
      copyDocumentId: Uuid,
      agencyCode: AgencyCode,
      sourceDocumentId: Type.Union([Uuid, Type.Null()], {
        description: 'null for a digitised paper original that is not in the system',
      }),
      sourceVersion: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
      sourceDescription: Type.Union([Type.String({ maxLength: 500 }), Type.Null()], {
        description: 'The paper original, for digitised copies',
      }),
      kind: Type.String(),
      year: Type.Integer(),
      number: Type.Integer({ minimum: 1 }),
      notation: Type.String(),
      sha256: Sha256Hex,
      createdBy: Type.String(),
      createdAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.copy.made.v1' },
  ),
} as const;

export type CopyMadeV1 = Static<typeof copyMadeV1.schema>;
