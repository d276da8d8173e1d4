import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const exchangeReceivedV1 = {
  type: 'vn.vanthu.exchange.received.v1',
  topic: 'vanthu.exchange',
  aggregate: 'exchange',
  description:
    'An edXML document arrived through a hub for an agency of this instance and was created in documents as an incoming document (văn bản đến).',
  schema: Type.Object(
    {
      exchangeId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      version: Type.Integer({ minimum: 1 }),
      sha256: Sha256Hex,
      from: Type.Object(
        { organId: Type.String({ maxLength: 13 }), organName: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
      edxmlDocumentId: Type.String(),
      receivedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.exchange.received.v1' },
  ),
} as const;

export type ExchangeReceivedV1 = Static<typeof exchangeReceivedV1.schema>;
