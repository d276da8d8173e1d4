import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

// An update (BussinessDocType 2, cập nhật) or replacement (3, thay thế) of a received document that the
// recipient's clerk agreed to (status 15) and that was applied to the incoming document here.

export const exchangeUpdateAppliedV1 = {
  type: 'vn.vanthu.exchange.update-applied.v1',
  topic: 'vanthu.exchange',
  aggregate: 'exchange',
  description:
    'The clerk agreed to an update or replacement received through the hub and it was applied: an update gave the incoming document a new version; a replacement revoked the replaced incoming document (kept, hidden from processing) and the replacing document becomes an incoming document of its own (announced by exchange.received).',
  schema: Type.Object(
    {
      exchangeId: Uuid,
      relatedExchangeId: Uuid,
      agencyCode: AgencyCode,
      businessDocType: Type.Union([Type.Literal(2), Type.Literal(3)], {
        description: 'BussinessDocType: 2 update (cập nhật), 3 replace (thay thế)',
      }),
      documentId: Type.String({
        format: 'uuid',
        description: 'The incoming document updated (2), or the one replaced and now revoked (3)',
      }),
      version: Type.Optional(Type.Integer({ minimum: 1, description: 'Update: the new version of the document' })),
      sha256: Type.Optional(Sha256Hex),
      edxmlDocumentId: Type.String({ description: 'The DocumentId of the update or of the replacing document' }),
      replacedEdxmlDocumentId: Type.String({ description: 'The DocumentId of the document updated or replaced' }),
      at: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.exchange.update-applied.v1' },
  ),
} as const;
export type ExchangeUpdateAppliedV1 = Static<typeof exchangeUpdateAppliedV1.schema>;
