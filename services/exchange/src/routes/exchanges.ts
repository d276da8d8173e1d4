import { Type } from '@sinclair/typebox';
import { IdempotencyKeyHeaders, problemResponses, requireRole, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { clerkContext } from '../context';
import type { ClerkServices } from '../context';
import { answerBusinessRequest } from '../domain/exchanges/answer-business-request';
import { returnReceivedDocument } from '../domain/exchanges/return-received-document';
import { getExchange, listAgencyExchanges } from '../domain/exchanges/get-exchange';
import { verifyExchangeLog } from '../domain/exchanges/verify-exchange-log';
import { sendDocumentReplacement, sendDocumentUpdate } from '../domain/exchanges/send-business-document';
import {
  AnswerRequest,
  ExchangeDetail,
  ExchangeIdParams,
  ExchangeList,
  ExchangeListQuery,
  ExchangeSummary,
  LogVerification,
  ReplacementRequest,
  ReturnRequest,
  UpdateRequest,
} from '../schemas/exchange';

export async function exchangeRoutes(app: ServiceApp, deps: ClerkServices): Promise<void> {
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

  app.post(
    '/v1/exchanges/:id/return',
    {
      schema: {
        operationId: 'returnReceivedDocument',
        tags: ['exchange'],
        summary:
          'The clerk returns a document received through the hub (trả lại): status 02 with the reason goes to the issuer',
        params: ExchangeIdParams,
        headers: IdempotencyKeyHeaders,
        body: ReturnRequest,
        response: { 200: Type.Ref(ExchangeSummary), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await returnReceivedDocument(
          { exchangeId: request.params.id, reason: request.body.reason },
          clerkContext(request, deps, 'returnReceivedDocument'),
        ),
      ),
  );

  app.post(
    '/v1/exchanges/:id/answer',
    {
      schema: {
        operationId: 'answerExchangeRequest',
        tags: ['exchange'],
        summary:
          'The clerk answers a received recall, update or replacement: agree (15; a recall revokes the incoming document) or refuse (16)',
        params: ExchangeIdParams,
        headers: IdempotencyKeyHeaders,
        body: AnswerRequest,
        response: { 200: Type.Ref(ExchangeSummary), ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      return sendMutation(
        reply,
        await answerBusinessRequest(
          { exchangeId: request.params.id, decision: body.decision, ...(body.reason ? { reason: body.reason } : {}) },
          clerkContext(request, deps, 'answerExchangeRequest'),
        ),
      );
    },
  );

  app.post(
    '/v1/exchanges/updates',
    {
      schema: {
        operationId: 'sendDocumentUpdate',
        tags: ['exchange'],
        summary:
          'Send the current version of an issued document as an update (cập nhật, BussinessDocType 2) to every recipient it reached through the hub',
        headers: IdempotencyKeyHeaders,
        body: UpdateRequest,
        response: { 202: ExchangeList, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) =>
      sendMutation(reply, await sendDocumentUpdate(request.body, clerkContext(request, deps, 'sendDocumentUpdate')), {
        status: 202,
      }),
  );

  app.post(
    '/v1/exchanges/replacements',
    {
      schema: {
        operationId: 'sendDocumentReplacement',
        tags: ['exchange'],
        summary:
          'Send an issued document replacing one sent before (thay thế, BussinessDocType 3) to every recipient the replaced one reached',
        headers: IdempotencyKeyHeaders,
        body: ReplacementRequest,
        response: { 202: ExchangeList, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await sendDocumentReplacement(request.body, clerkContext(request, deps, 'sendDocumentReplacement')),
        { status: 202 },
      ),
  );
}
