import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { claimTask } from '../domain/claim-task';
import { completeTask } from '../domain/complete-task';
import { delegateTask } from '../domain/delegate-task';
import { forwardTask } from '../domain/forward-task';
import { listTasks } from '../domain/list-tasks';
import { reportProgress } from '../domain/report-progress';
import { returnTask } from '../domain/return-task';
import {
  CompleteTaskBody,
  DelegateTaskBody,
  IdParams,
  ProgressBody,
  ReturnTaskBody,
  TaskList,
  TaskListQuery,
  TaskView,
} from '../schemas/routing';
import { routingContextFor } from './context';
import type { RoutingRouteDeps } from './context';

const actionErrors = problemResponses(400, 401, 403, 404, 409, 422, 503);

export async function taskRoutes(app: ServiceApp, deps: RoutingRouteDeps): Promise<void> {
  app.get(
    '/v1/tasks',
    {
      schema: {
        operationId: 'listTasks',
        tags: ['tasks'],
        summary:
          'The caller’s inbox: own tasks and unclaimed tasks of their roles, urgent first, with counts per state',
        querystring: TaskListQuery,
        response: { 200: TaskList, ...problemResponses(400, 401) },
      },
    },
    async (request) => listTasks({ query: request.query }, routingContextFor(request, deps, 'listTasks')),
  );

  app.post(
    '/v1/tasks/:id/claim',
    {
      schema: {
        operationId: 'claimTask',
        tags: ['tasks'],
        summary: 'Take a task assigned to a role in a unit',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        response: { 200: TaskView, ...actionErrors },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await claimTask({ taskId: request.params.id }, routingContextFor(request, deps, 'claimTask')),
      ),
  );

  app.post(
    '/v1/tasks/:id/complete',
    {
      schema: {
        operationId: 'completeTask',
        tags: ['tasks'],
        summary: 'Complete a step that needs no signature, with its form (registration, distribution, issue, closing)',
        description:
          'A step that needs a signature is completed by signing’s signature.applied event, never by this call (409).',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: CompleteTaskBody,
        response: { 200: TaskView, ...actionErrors },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await completeTask(
          { taskId: request.params.id, body: request.body },
          routingContextFor(request, deps, 'completeTask'),
        ),
      ),
  );

  app.post(
    '/v1/tasks/:id/return',
    {
      schema: {
        operationId: 'returnTask',
        tags: ['tasks'],
        summary: 'Return the process to an earlier step with a reason (trả lại)',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: ReturnTaskBody,
        response: { 200: TaskView, ...actionErrors },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await returnTask(
          { taskId: request.params.id, body: request.body },
          routingContextFor(request, deps, 'returnTask'),
        ),
      ),
  );

  app.post(
    '/v1/tasks/:id/delegate',
    {
      schema: {
        operationId: 'delegateTask',
        tags: ['tasks'],
        summary: 'Hand the task to a named colleague (ủy quyền)',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: DelegateTaskBody,
        response: { 200: TaskView, ...actionErrors },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await delegateTask(
          { taskId: request.params.id, body: request.body },
          routingContextFor(request, deps, 'delegateTask'),
        ),
      ),
  );

  app.post(
    '/v1/tasks/:id/forward',
    {
      schema: {
        operationId: 'forwardTask',
        tags: ['tasks'],
        summary: 'Pass the work to a colleague of the unit (chuyển xử lý)',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: DelegateTaskBody,
        response: { 200: TaskView, ...actionErrors },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await forwardTask(
          { taskId: request.params.id, body: request.body },
          routingContextFor(request, deps, 'forwardTask'),
        ),
      ),
  );

  app.post(
    '/v1/tasks/:id/progress',
    {
      schema: {
        operationId: 'reportTaskProgress',
        tags: ['tasks'],
        summary: 'Record progress or an interim result on one’s task',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: ProgressBody,
        response: { 200: TaskView, ...actionErrors },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await reportProgress(
          { taskId: request.params.id, body: request.body },
          routingContextFor(request, deps, 'reportTaskProgress'),
        ),
      ),
  );
}
