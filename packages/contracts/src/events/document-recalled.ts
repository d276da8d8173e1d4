import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, DocumentDirection, Timestamp, Uuid } from '../common';

export const documentRecalledV1 = {
  type: 'vn.vanthu.document.recalled.v1',
  topic: 'vanthu.documents',
  aggregate: 'document',
  description:
    'A document was recalled (thu hồi, NĐ 30/2020 Điều 18; Phụ lục VI mục III.8): an issued outgoing one is frozen with its metadata (status recalled), or an incoming one its issuer recalled is kept for audit but hidden from processing (status revoked).',
  schema: Type.Object(
    {
      documentId: Uuid,
      agencyCode: AgencyCode,
      direction: DocumentDirection,
      status: Type.Union([Type.Literal('recalled'), Type.Literal('revoked')]),
      notation: Type.Union([Type.String(), Type.Null()]),
      reason: Type.String({ maxLength: 1000 }),
      recalledBy: Type.String(),
      recalledAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.document.recalled.v1' },
  ),
} as const;

export type DocumentRecalledV1 = Static<typeof documentRecalledV1.schema>;
