import { IdempotencyKeyHeaders, contextFor, problemResponses, sendMutation } from '@vanthu/platform';
import type { Clock, Pool, ServiceApp } from '@vanthu/platform';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { WebhookSettings } from '../context';
import {
  CreatedWebhookEndpoint,
  DeliveryListQuery,
  DeliveryParams,
  EndpointParams,
  NewWebhookEndpoint,
  SecretRotation,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
} from '../schemas/webhooks';
import { createWebhookEndpoint } from '../webhooks/create-webhook-endpoint';
import { deleteWebhookEndpoint } from '../webhooks/delete-webhook-endpoint';
import { enableWebhookEndpoint } from '../webhooks/enable-webhook-endpoint';
import { getWebhookEndpoint } from '../webhooks/get-webhook-endpoint';
import { listWebhookDeliveries } from '../webhooks/list-webhook-deliveries';
import { listWebhookEndpoints } from '../webhooks/list-webhook-endpoints';
import { replayWebhookDelivery } from '../webhooks/replay-webhook-delivery';
import { rotateWebhookSecret } from '../webhooks/rotate-webhook-secret';

export type WebhookRouteDeps = { pool: Pool; clock: Clock; settings: WebhookSettings; onReplay?: () => void };

const tags = ['webhooks'];

export async function webhookRoutes(app: ServiceApp, deps: WebhookRouteDeps): Promise<void> {
  const ctxFor = (request: Parameters<typeof contextFor>[0], operation: string) => ({
    ...contextFor(request, deps.pool, operation, deps.clock),
    settings: deps.settings,
  });
  const readCtx = (request: { identity: Parameters<typeof contextFor>[0]['identity'] }) => ({
    identity: request.identity,
    clock: deps.clock,
    pool: deps.pool,
  });

  app.post(
    '/v1/webhooks',
    {
      schema: {
        operationId: 'createWebhookEndpoint',
        tags,
        summary: 'Register an integrator’s endpoint for the agency’s events (answers its signing secret once)',
        headers: IdempotencyKeyHeaders,
        body: NewWebhookEndpoint,
        response: { 201: CreatedWebhookEndpoint, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await createWebhookEndpoint(
        request.body as Static<typeof NewWebhookEndpoint>,
        ctxFor(request, 'createWebhookEndpoint'),
      );
      return sendMutation(reply, outcome, { status: 201, location: `/v1/webhooks/${outcome.result.id}` });
    },
  );

  app.get(
    '/v1/webhooks',
    {
      schema: {
        operationId: 'listWebhookEndpoints',
        tags,
        summary: 'The agency’s webhook endpoints',
        response: { 200: WebhookEndpointList, ...problemResponses(401, 403) },
      },
    },
    async (request) => listWebhookEndpoints({}, readCtx(request)),
  );

  app.get(
    '/v1/webhooks/:endpointId',
    {
      schema: {
        operationId: 'getWebhookEndpoint',
        tags,
        summary: 'One webhook endpoint (never its secret)',
        params: EndpointParams,
        response: { 200: WebhookEndpoint, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      getWebhookEndpoint(
        { endpointId: (request.params as Static<typeof EndpointParams>).endpointId },
        readCtx(request),
      ),
  );

  app.delete(
    '/v1/webhooks/:endpointId',
    {
      schema: {
        operationId: 'deleteWebhookEndpoint',
        tags,
        summary: 'Remove an endpoint: pending deliveries are given up, the delivery log stays',
        params: EndpointParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteWebhookEndpoint(
        { endpointId: (request.params as Static<typeof EndpointParams>).endpointId },
        ctxFor(request, 'deleteWebhookEndpoint'),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/:endpointId/secret-rotations',
    {
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Rotate the signing secret; the previous one keeps signing beside it during the overlap',
        headers: IdempotencyKeyHeaders,
        params: EndpointParams,
        response: { 200: SecretRotation, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const outcome = await rotateWebhookSecret(
        { endpointId: (request.params as Static<typeof EndpointParams>).endpointId },
        ctxFor(request, 'rotateWebhookSecret'),
      );
      return sendMutation(reply, outcome);
    },
  );

  app.post(
    '/v1/webhooks/:endpointId/enablement',
    {
      schema: {
        operationId: 'enableWebhookEndpoint',
        tags,
        summary: 'Enable an endpoint again after it was disabled for failing',
        headers: IdempotencyKeyHeaders,
        params: EndpointParams,
        response: { 200: WebhookEndpoint, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const outcome = await enableWebhookEndpoint(
        { endpointId: (request.params as Static<typeof EndpointParams>).endpointId },
        ctxFor(request, 'enableWebhookEndpoint'),
      );
      return sendMutation(reply, outcome);
    },
  );

  app.get(
    '/v1/webhooks/:endpointId/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The endpoint’s delivery log, newest first',
        params: EndpointParams,
        querystring: DeliveryListQuery,
        response: { 200: WebhookDeliveryList, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof DeliveryListQuery>;
      return listWebhookDeliveries(
        {
          endpointId: (request.params as Static<typeof EndpointParams>).endpointId,
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
          ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        },
        readCtx(request),
      );
    },
  );

  app.post(
    '/v1/webhooks/:endpointId/deliveries/:deliveryId/replays',
    {
      schema: {
        operationId: 'replayWebhookDelivery',
        tags,
        summary: 'Send a logged delivery again (same webhook-id, fresh timestamp and signature)',
        headers: IdempotencyKeyHeaders,
        params: DeliveryParams,
        response: { 202: WebhookDelivery, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const params = request.params as Static<typeof DeliveryParams>;
      const outcome = await replayWebhookDelivery(params, ctxFor(request, 'replayWebhookDelivery'));
      deps.onReplay?.();
      return sendMutation(reply, outcome, { status: 202 });
    },
  );
}
