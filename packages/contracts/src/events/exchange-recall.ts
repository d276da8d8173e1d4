import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

// Recall, update and replacement of an exchanged document (QCVN 102:2016 TraceHeaderList.Bussiness,
// BussinessDocType 1 thu hồi, 2 cập nhật, 3 thay thế) and the recipient clerk's answer (status 15 agree,
// 16 refuse). `side` says which end of the exchange this instance is on.

const BusinessDocType = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)], {
  description: 'BussinessDocType: 1 recall (thu hồi), 2 update (cập nhật), 3 replace (thay thế)',
});
const Side = Type.Union([Type.Literal('sender'), Type.Literal('recipient')], {
  description: 'sender: this agency issued the document; recipient: this agency received it',
});

export const exchangeRecallRequestedV1 = {
  type: 'vn.vanthu.exchange.recall-requested.v1',
  topic: 'vanthu.exchange',
  aggregate: 'exchange',
  description:
    'A recall, update or replacement of an exchanged document went out through the hub (side sender) or arrived and waits for the clerk’s answer (side recipient); it is never applied silently.',
  schema: Type.Object(
    {
      exchangeId: Uuid,
      relatedExchangeId: Uuid,
      agencyCode: AgencyCode,
      side: Side,
      documentId: Type.Union([Uuid, Type.Null()], { description: 'The document here (sent or received)' }),
      edxmlDocumentId: Type.String(),
      businessDocType: BusinessDocType,
      reason: Type.String({ maxLength: 1000 }),
      counterparts: Type.Array(Type.String({ maxLength: 13 }), {
        description: 'Recipients (side sender) or the issuer (side recipient)',
      }),
      at: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.exchange.recall-requested.v1' },
  ),
} as const;
export type ExchangeRecallRequestedV1 = Static<typeof exchangeRecallRequestedV1.schema>;

export const exchangeRecallAnsweredV1 = {
  type: 'vn.vanthu.exchange.recall-answered.v1',
  topic: 'vanthu.exchange',
  aggregate: 'exchange',
  description:
    'The recipient’s clerk agreed (15) or refused (16) a recall, update or replacement: answered here (side recipient) or the answer arrived from a recipient (side sender).',
  schema: Type.Object(
    {
      exchangeId: Uuid,
      agencyCode: AgencyCode,
      side: Side,
      documentId: Type.Union([Uuid, Type.Null()]),
      edxmlDocumentId: Type.String(),
      organId: Type.String({ maxLength: 13, description: 'The recipient that answered' }),
      statusCode: Type.Union([Type.Literal('15'), Type.Literal('16')]),
      decision: Type.Union([Type.Literal('agree'), Type.Literal('refuse')]),
      reason: Type.String({ maxLength: 1000 }),
      at: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.exchange.recall-answered.v1' },
  ),
} as const;
export type ExchangeRecallAnsweredV1 = Static<typeof exchangeRecallAnsweredV1.schema>;
