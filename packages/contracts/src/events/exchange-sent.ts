import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const exchangeSentV1 = {
  type: 'vn.vanthu.exchange.sent.v1',
  topic: 'vanthu.exchange',
  aggregate: 'exchange',
  description:
    'An issued document left this instance as edXML (QCVN 102:2016) through an interoperability hub, which accepted it.',
  schema: Type.Object(
    {
      exchangeId: Uuid,
      deliveryId: Type.Optional(Uuid),
      agencyCode: AgencyCode,
      documentId: Uuid,
      to: Type.Array(Type.Object({ organId: Type.String({ maxLength: 13 }) }, { additionalProperties: false }), {
        minItems: 1,
      }),
      hub: Type.String({ description: 'The hub the message went through, e.g. vxp' }),
      edxmlDocumentId: Type.String({ description: 'edXML DocumentId {OrganId},{yyyy/MM/dd},{số}/{ký hiệu}' }),
      sentAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.exchange.sent.v1' },
  ),
} as const;

export type ExchangeSentV1 = Static<typeof exchangeSentV1.schema>;
