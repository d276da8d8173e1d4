import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

// Owned by routing (it publishes it); defined here as the lead's contract fixes it so the exchange
// service can consume it before routing's engine lands.
export const deliveryRequestedV1 = {
  type: 'vn.vanthu.delivery.requested.v1',
  topic: 'vanthu.routing',
  aggregate: 'delivery',
  description:
    'Routing asks the exchange service to send an issued document to recipients that are not on this instance (liên thông through a hub).',
  schema: Type.Object(
    {
      deliveryId: Uuid,
      processId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      version: Type.Integer({ minimum: 1 }),
      sha256: Sha256Hex,
      recipients: Type.Array(
        Type.Object(
          { organId: Type.String({ minLength: 1, maxLength: 13 }), organName: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
        { minItems: 1 },
      ),
      requestedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.delivery.requested.v1' },
  ),
} as const;

export type DeliveryRequestedV1 = Static<typeof deliveryRequestedV1.schema>;
