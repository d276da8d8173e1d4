import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, DocumentDirection, Timestamp, Uuid } from '../common';

export const documentRegisteredV1 = {
  type: 'vn.vanthu.document.registered.v1',
  topic: 'vanthu.documents',
  aggregate: 'document',
  description:
    'A document was entered in a register and got its number (số, or số đến for incoming documents), NĐ 30/2020 Điều 15 and 22.',
  schema: Type.Object(
    {
      documentId: Uuid,
      agencyCode: AgencyCode,
      direction: DocumentDirection,
      registerId: Uuid,
      year: Type.Integer(),
      number: Type.Integer({ minimum: 1 }),
      notation: Type.String({ maxLength: 60, description: 'số/ký hiệu, e.g. 15/QĐ-UBND' }),
      documentIdentifier: Type.String({ description: 'Mã định danh văn bản' }),
      typeCode: Type.Union([Type.String(), Type.Null()]),
      urgency: Type.String(),
      registeredBy: Type.String(),
      registeredAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.document.registered.v1' },
  ),
} as const;

export type DocumentRegisteredV1 = Static<typeof documentRegisteredV1.schema>;
