import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { IdempotencyKeyHeaders, problemResponses, requireRole, sendMutation } from '@vanthu/platform';
import type { Mutation, ServiceApp } from '@vanthu/platform';
import { clerkContext } from '../context';
import type { ClerkContext, ClerkServices } from '../context';
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

type ClerkCommand<P extends TSchema, B extends TSchema, R> = {
  url: string;
  operationId: string;
  summary: string;
  params?: P;
  body: B;
  success: { status: 200 | 202; schema: TSchema };
  errors: Parameters<typeof problemResponses>;
  run: (input: { params: Static<P>; body: Static<B> }, ctx: ClerkContext) => Promise<Mutation<R>>;
};

/**
 * A clerk's command on exchanges: a POST with an Idempotency-Key, a JSON body, the clerk's context (whose
 * assertion travels on to documents and signing) and the mutation's answer with its replay header.
 */
function clerkCommand<P extends TSchema, B extends TSchema, R>(
  app: ServiceApp,
  deps: ClerkServices,
  command: ClerkCommand<P, B, R>,
): void {
  app.post(
    command.url,
    {
      schema: {
        operationId: command.operationId,
        tags: ['exchange'],
        summary: command.summary,
        ...(command.params ? { params: command.params } : {}),
        headers: IdempotencyKeyHeaders,
        body: command.body,
        response: { [command.success.status]: command.success.schema, ...problemResponses(...command.errors) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await command.run(
          { params: request.params as Static<P>, body: request.body as Static<B> },
          clerkContext(request, deps, command.operationId),
        ),
        command.success.status === 202 ? { status: 202 } : undefined,
      ),
  );
}

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
      return verifyExchangeLog({}, { pool: deps.pool, messages: deps.messages });
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

  clerkCommand(app, deps, {
    url: '/v1/exchanges/:id/return',
    operationId: 'returnReceivedDocument',
    summary:
      'The clerk returns a document received through the hub (trả lại): status 02 with the reason goes to the issuer',
    params: ExchangeIdParams,
    body: ReturnRequest,
    success: { status: 200, schema: Type.Ref(ExchangeSummary) },
    errors: [400, 401, 403, 404, 409],
    run: ({ params, body }, ctx) => returnReceivedDocument({ exchangeId: params.id, reason: body.reason }, ctx),
  });

  clerkCommand(app, deps, {
    url: '/v1/exchanges/:id/answer',
    operationId: 'answerExchangeRequest',
    summary:
      'The clerk answers a received recall, update or replacement: agree (15; a recall revokes the incoming document) or refuse (16)',
    params: ExchangeIdParams,
    body: AnswerRequest,
    success: { status: 200, schema: Type.Ref(ExchangeSummary) },
    errors: [400, 401, 403, 404, 409, 503],
    run: ({ params, body }, ctx) =>
      answerBusinessRequest(
        { exchangeId: params.id, decision: body.decision, ...(body.reason ? { reason: body.reason } : {}) },
        ctx,
      ),
  });

  clerkCommand(app, deps, {
    url: '/v1/exchanges/updates',
    operationId: 'sendDocumentUpdate',
    summary:
      'Send the current version of an issued document as an update (cập nhật, BussinessDocType 2) to every recipient it reached through the hub',
    body: UpdateRequest,
    success: { status: 202, schema: ExchangeList },
    errors: [400, 401, 403, 404, 409, 503],
    run: ({ body }, ctx) => sendDocumentUpdate(body, ctx),
  });

  clerkCommand(app, deps, {
    url: '/v1/exchanges/replacements',
    operationId: 'sendDocumentReplacement',
    summary:
      'Send an issued document replacing one sent before (thay thế, BussinessDocType 3) to every recipient the replaced one reached',
    body: ReplacementRequest,
    success: { status: 202, schema: ExchangeList },
    errors: [400, 401, 403, 404, 409, 503],
    run: ({ body }, ctx) => sendDocumentReplacement(body, ctx),
  });
}
