import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const webhookEndpointDisabledV1 = {
  type: 'vn.vanthu.webhook-endpoint.disabled.v1',
  topic: 'vanthu.notifications',
  aggregate: 'webhook-endpoint',
  description:
    'An integrator’s webhook endpoint was disabled after failing every delivery for the configured number of days; its pending deliveries were given up (they can be replayed once it is enabled again).',
  schema: Type.Object(
    {
      endpointId: Uuid,
      agencyCode: AgencyCode,
      url: Type.String(),
      failingSince: Timestamp,
      disabledAt: Timestamp,
      reason: Type.String({ maxLength: 1000 }),
    },
    { additionalProperties: false, $id: 'vn.vanthu.webhook-endpoint.disabled.v1' },
  ),
} as const;

export type WebhookEndpointDisabledV1 = Static<typeof webhookEndpointDisabledV1.schema>;
