import { Type } from '@sinclair/typebox';
import { problemResponses, requireRole } from '@vanthu/platform';
import type { Pool, ServiceApp } from '@vanthu/platform';
import { getExchange, listAgencyExchanges } from '../domain/exchanges/get-exchange';
import { verifyExchangeLog } from '../domain/exchanges/verify-exchange-log';
import { ExchangeDetail, ExchangeList, ExchangeListQuery, LogVerification } from '../schemas/exchange';

export async function exchangeRoutes(app: ServiceApp, deps: { pool: Pool }): Promise<void> {
  app.get(
    '/v1/exchanges',
    {
      schema: {
        operationId: 'listExchanges',
        tags: ['exchange'],
        summary: 'Messages the caller’s agency sent and received through the hub, newest first',
        querystring: ExchangeListQuery,
        response: { 200: ExchangeList, ...problemResponses(400, 401) },
      },
    },
    async (request) => listAgencyExchanges(request.query, { identity: request.identity, pool: deps.pool }),
  );

  app.get(
    '/v1/exchanges/log/verification',
    {
      schema: {
        operationId: 'verifyExchangeLog',
        tags: ['exchange'],
        summary: 'Recompute the hash chain of the exchange log and the SHA-256 of every logged message',
        response: { 200: LogVerification, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      requireRole(request.identity, 'admin', 'clerk');
      return verifyExchangeLog({}, { pool: deps.pool });
    },
  );

  app.get(
    '/v1/exchanges/:id',
    {
      schema: {
        operationId: 'getExchange',
        tags: ['exchange'],
        summary: 'One exchange with its status trail per recipient and its log entries',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        response: { 200: ExchangeDetail, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => getExchange({ exchangeId: request.params.id }, { identity: request.identity, pool: deps.pool }),
  );
}
