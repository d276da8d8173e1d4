import { Type } from '@sinclair/typebox';
import { webhookEventTypes } from '../rules/webhook-event-types';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const WebhookEventType = Type.Union(
  webhookEventTypes.map((type) => Type.Literal(type)),
  { description: 'What the endpoint hears about' },
);

export const EndpointParams = Type.Object(
  { endpointId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export const DeliveryParams = Type.Object(
  { endpointId: Type.String({ format: 'uuid' }), deliveryId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const NewWebhookEndpoint = Type.Object(
  {
    url: Type.String({
      minLength: 8,
      maxLength: 2000,
      description: 'https URL that receives the deliveries (http only to a loopback host in development)',
    }),
    eventTypes: Type.Array(WebhookEventType, { minItems: 1, maxItems: 20 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const endpointProperties = {
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(Type.String()),
  state: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  failingSince: Nullable(Timestamp),
  disabledAt: Nullable(Timestamp),
  disabledReason: Nullable(Type.String()),
  previousSecretValidUntil: Nullable(
    Type.String({ format: 'date-time', description: 'Until then the previous secret signs beside the current one' }),
  ),
  createdAt: Timestamp,
};

export const WebhookEndpoint = Type.Object(endpointProperties, { additionalProperties: false });
export const CreatedWebhookEndpoint = Type.Object(
  {
    ...endpointProperties,
    secret: Type.String({
      pattern: '^whsec_',
      description: 'The signing secret (Standard Webhooks form), shown only in this answer',
    }),
  },
  { additionalProperties: false },
);
export const WebhookEndpointList = Type.Object({ items: Type.Array(WebhookEndpoint) }, { additionalProperties: false });

export const SecretRotation = Type.Object(
  {
    secret: Type.String({ pattern: '^whsec_', description: 'The new signing secret, shown only in this answer' }),
    previousSecretValidUntil: Timestamp,
  },
  { additionalProperties: false },
);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    endpointId: Type.String({ format: 'uuid' }),
    messageId: Type.String({ description: 'The webhook-id header: the same on every attempt and replay' }),
    eventType: Type.String(),
    replayOf: Nullable(Type.String({ format: 'uuid' })),
    state: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
    attempts: Type.Integer({ minimum: 0 }),
    nextAttemptAt: Nullable(Timestamp),
    lastStatus: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    createdAt: Timestamp,
    finishedAt: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const DeliveryListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
export const WebhookDeliveryList = Type.Object(
  { items: Type.Array(WebhookDelivery), nextCursor: Nullable(Type.String()) },
  { additionalProperties: false },
);
