import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { Mutation, ServiceApp } from '@vanthu/platform';
import type { TSchema } from '@sinclair/typebox';
import type { RoutingContext } from '../domain/routing-context';
import { claimTask } from '../domain/claim-task';
import { completeTask } from '../domain/complete-task';
import { delegateTask } from '../domain/delegate-task';
import { forwardTask } from '../domain/forward-task';
import { listTasks } from '../domain/list-tasks';
import { issueOnPaper } from '../incidents/issue-on-paper';
import { PaperIssueBody } from '../schemas/incident';
import { reportProgress } from '../domain/report-progress';
import { returnTask } from '../domain/return-task';
import { reviewTask } from '../domain/review-task';
import {
  CompleteTaskBody,
  DelegateTaskBody,
  IdParams,
  ProgressBody,
  ReturnTaskBody,
  ReviewTaskBody,
  TaskList,
  TaskListQuery,
  TaskView,
} from '../schemas/routing';
import { routingContextFor } from './context';
import type { RoutingRouteDeps } from './context';

// Only completion calls documents (registration, issue, filing, the submitted version): only it can answer 503.
const actionErrors = problemResponses(400, 401, 403, 404, 409, 422);
const actionErrorsCallingDocuments = problemResponses(400, 401, 403, 404, 409, 422, 503);

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

  // The task actions share one shape: the task id, an optional form, the task as it is afterwards (or a
  // replay of the first answer for a repeated Idempotency-Key).
  type TaskAction = {
    action: string;
    operationId: string;
    summary: string;
    description?: string;
    body?: TSchema;
    callsDocuments?: boolean;
    run: (input: { taskId: string; body: never }, ctx: RoutingContext) => Promise<Mutation<TaskView>>;
  };
  const actions: TaskAction[] = [
    { action: 'claim', operationId: 'claimTask', summary: 'Take a task assigned to a role in a unit', run: claimTask },
    {
      action: 'complete',
      operationId: 'completeTask',
      summary: 'Complete a step that needs no signature, with its form (registration, distribution, issue, closing)',
      description:
        'A step that needs a signature is completed by signing’s signature.applied event, never by this call (409).',
      body: CompleteTaskBody,
      callsDocuments: true,
      run: completeTask,
    },
    {
      action: 'return',
      operationId: 'returnTask',
      summary: 'Return the process to an earlier step with a reason (trả lại)',
      body: ReturnTaskBody,
      run: returnTask,
    },
    {
      action: 'delegate',
      operationId: 'delegateTask',
      summary: 'Hand the task to a named colleague (ủy quyền)',
      body: DelegateTaskBody,
      run: delegateTask,
    },
    {
      action: 'forward',
      operationId: 'forwardTask',
      summary: 'Pass the work to a colleague of the unit (chuyển xử lý)',
      body: DelegateTaskBody,
      run: forwardTask,
    },
    {
      action: 'review',
      operationId: 'reviewTask',
      summary: 'The owner accepts or returns (with a reason) what their delegate submitted on a step they review',
      description:
        'On a step whose definition says ownerReview, a delegate’s completion comes back to the task’s owner; accept applies it (registration, distribution, … as the owner), return sends the task back to the delegate.',
      body: ReviewTaskBody,
      callsDocuments: true,
      run: reviewTask,
    },
    {
      action: 'progress',
      operationId: 'reportTaskProgress',
      summary: 'Record progress or an interim result on one’s task',
      body: ProgressBody,
      run: reportProgress,
    },
    {
      action: 'paper-issue',
      operationId: 'issueOnPaper',
      summary: 'Issue on paper during incident mode (sự cố): the clerk’s issuing step, digitised copy afterwards',
      description:
        'Only while the agency is in incident mode (POST /v1/workflows/incidents) and only on the clerk’s issuing steps; when the incident ends a task asks the clerk for the digitised copy (POST /v1/copies/scans), which completes the process.',
      body: PaperIssueBody,
      run: issueOnPaper,
    },
  ];
  for (const { action, operationId, summary, description, body, callsDocuments, run } of actions) {
    app.post(
      `/v1/tasks/:id/${action}`,
      {
        schema: {
          operationId,
          tags: ['tasks'],
          summary,
          ...(description ? { description } : {}),
          params: IdParams,
          headers: IdempotencyKeyHeaders,
          ...(body ? { body } : {}),
          response: { 200: TaskView, ...(callsDocuments ? actionErrorsCallingDocuments : actionErrors) },
        },
      },
      async (request, reply) =>
        sendMutation(
          reply,
          // Fastify has checked the body against the action's own schema before this runs.
          await run(
            { taskId: (request.params as { id: string }).id, body: request.body as never },
            routingContextFor(request, deps, operationId),
          ),
        ),
    );
  }
}
