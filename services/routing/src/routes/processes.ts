import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { getProcess } from '../domain/get-process';
import { getProcessHistory } from '../domain/get-process-history';
import { startProcess } from '../domain/start-process';
import { verifyProcessHistory } from '../domain/verify-process-history';
import { ChainVerification, HistoryView, IdParams, ProcessView, StartProcessBody } from '../schemas/routing';
import { routingContextFor } from './context';
import type { RoutingRouteDeps } from './context';

export async function processRoutes(app: ServiceApp, deps: RoutingRouteDeps): Promise<void> {
  app.post(
    '/v1/processes',
    {
      schema: {
        operationId: 'startProcess',
        tags: ['processes'],
        summary: 'Start the outgoing (văn bản đi) or incoming (văn bản đến) process on a document',
        headers: IdempotencyKeyHeaders,
        body: StartProcessBody,
        response: { 201: ProcessView, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const ctx = routingContextFor(request, deps, 'startProcess');
      // The view comes from the use case's own transaction: a second ctx.runInTransaction in this request would
      // find the Idempotency-Key's stored result and return that instead of reading.
      const outcome = await startProcess(request.body, ctx);
      return sendMutation(reply, outcome, { status: 201, location: `/v1/processes/${outcome.result.id}` });
    },
  );

  app.get(
    '/v1/processes/:id',
    {
      schema: {
        operationId: 'getProcess',
        tags: ['processes'],
        summary: 'A process with its tasks and the signatures placed on its document',
        params: IdParams,
        response: { 200: ProcessView, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => getProcess({ processId: request.params.id }, routingContextFor(request, deps, 'getProcess')),
  );

  app.get(
    '/v1/processes/:id/history',
    {
      schema: {
        operationId: 'getProcessHistory',
        tags: ['processes'],
        summary: 'The append-only, hash-chained history of a process',
        params: IdParams,
        response: { 200: HistoryView, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => ({
      items: (
        await getProcessHistory({ processId: request.params.id }, routingContextFor(request, deps, 'getProcessHistory'))
      ).map((e) => ({
        seq: e.seq,
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        taskId: e.taskId,
        step: e.step,
        detail: e.detail,
        previousHash: e.previousHash,
        hash: e.hash,
      })),
    }),
  );

  app.get(
    '/v1/processes/:id/history/verification',
    {
      schema: {
        operationId: 'verifyProcessHistory',
        tags: ['processes'],
        summary: 'Recompute the history’s hash chain from its first row',
        params: IdParams,
        response: { 200: ChainVerification, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      verifyProcessHistory({ processId: request.params.id }, routingContextFor(request, deps, 'verifyProcessHistory')),
  );
}
