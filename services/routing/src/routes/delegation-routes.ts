import { contextFor, IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { Clock, Pool, ServiceApp } from '@vanthu/platform';
import { createDelegation } from '../delegation/create-delegation';
import { findDelegate } from '../delegation/find-delegate';
import { listDelegations } from '../delegation/list-delegations';
import { revokeDelegation } from '../delegation/revoke-delegation';
import {
  DelegateQuery,
  Delegation,
  DelegationIdParams,
  DelegationList,
  DelegationQuery,
  NewDelegation,
  ResolvedDelegate,
} from '../schemas/delegation';
import { PersonParams } from '../schemas/gating';

export type DelegationRoutesDeps = { pool: Pool; clock?: Clock };

export async function delegationRoutes(app: ServiceApp, deps: DelegationRoutesDeps): Promise<void> {
  const ctx = (request: Parameters<typeof contextFor>[0], operation: string) =>
    contextFor(request, deps.pool, operation, deps.clock);

  app.post(
    '/v1/delegations',
    {
      schema: {
        operationId: 'createDelegation',
        tags: ['delegations'],
        summary: 'Hand all of a person’s tasks to a named colleague for a period (delegation or absence)',
        headers: IdempotencyKeyHeaders,
        body: NewDelegation,
        response: { 201: Delegation, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await createDelegation({ delegation: request.body }, ctx(request, 'createDelegation'));
      return sendMutation(reply, outcome, { status: 201, location: `/v1/delegations/${outcome.result.id}` });
    },
  );

  app.get(
    '/v1/delegations',
    {
      schema: {
        operationId: 'listDelegations',
        tags: ['delegations'],
        summary: 'The agency’s delegations and absences',
        querystring: DelegationQuery,
        response: { 200: DelegationList, ...problemResponses(400, 401) },
      },
    },
    async (request) =>
      listDelegations(
        {
          ...(request.query.userId ? { userId: request.query.userId } : {}),
          ...(request.query.activeAt ? { activeAt: request.query.activeAt } : {}),
        },
        ctx(request, 'listDelegations'),
      ),
  );

  app.post(
    '/v1/delegations/:id/revocation',
    {
      schema: {
        operationId: 'revokeDelegation',
        tags: ['delegations'],
        summary: 'End a delegation or absence early',
        headers: IdempotencyKeyHeaders,
        params: DelegationIdParams,
        response: { 200: Delegation, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      sendMutation(reply, await revokeDelegation({ id: request.params.id }, ctx(request, 'revokeDelegation'))),
  );

  app.get(
    '/v1/delegations/delegates/:userId',
    {
      schema: {
        operationId: 'findDelegate',
        tags: ['delegations'],
        summary: 'Who receives a task meant for this person now (or at `at`), following delegations and absences',
        params: PersonParams,
        querystring: DelegateQuery,
        response: { 200: ResolvedDelegate, ...problemResponses(400, 401) },
      },
    },
    async (request) =>
      findDelegate(
        { userId: request.params.userId, ...(request.query.at ? { at: request.query.at } : {}) },
        ctx(request, 'findDelegate'),
      ),
  );
}
