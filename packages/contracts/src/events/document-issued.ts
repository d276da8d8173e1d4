import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const documentIssuedV1 = {
  type: 'vn.vanthu.document.issued.v1',
  topic: 'vanthu.documents',
  aggregate: 'document',
  description:
    'A registered outgoing document was issued (phát hành, NĐ 30/2020 Điều 16); the version issued is the final one.',
  schema: Type.Object(
    {
      documentId: Uuid,
      agencyCode: AgencyCode,
      notation: Type.String(),
      documentIdentifier: Type.String(),
      version: Type.Integer({ minimum: 1 }),
      sha256: Sha256Hex,
      issuedBy: Type.String(),
      issuedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.document.issued.v1' },
  ),
} as const;

export type DocumentIssuedV1 = Static<typeof documentIssuedV1.schema>;
