import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const exchangeStatusV1 = {
  type: 'vn.vanthu.exchange.status.v1',
  topic: 'vanthu.exchange',
  aggregate: 'exchange',
  description:
    'A status message (QCVN 102:2016 StatusCode) about an exchanged document: received from a recipient (direction sent: about a document we sent) or sent by us (direction received).',
  schema: Type.Object(
    {
      exchangeId: Uuid,
      agencyCode: AgencyCode,
      edxmlDocumentId: Type.String(),
      organId: Type.Optional(Type.String({ maxLength: 13, description: 'The organ whose status this is' })),
      statusCode: Type.Union(
        ['01', '02', '03', '04', '05', '06', '13', '15', '16'].map((code) => Type.Literal(code)),
        { description: '01 arrived, 02 refused, 03 registered, 04 assigned, 05 in progress, 06 done, 13/15/16 recall' },
      ),
      description: Type.String({ maxLength: 1000 }),
      at: Timestamp,
      direction: Type.Union([Type.Literal('sent'), Type.Literal('received')]),
    },
    { additionalProperties: false, $id: 'vn.vanthu.exchange.status.v1' },
  ),
} as const;

export type ExchangeStatusV1 = Static<typeof exchangeStatusV1.schema>;
