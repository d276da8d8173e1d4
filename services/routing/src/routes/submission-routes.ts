import { contextFor, problemResponses, sendMutation } from '@vanthu/platform';
import type { Clock, Pool, ServiceApp } from '@vanthu/platform';
import { SubmissionPolicy, SubmissionPolicyUpdate } from '../schemas/submission';
import { getSubmissionPolicy, setSubmissionPolicy } from '../submissions/submission-policy';

export type SubmissionRoutesDeps = { pool: Pool; clock?: Clock };

/** The agency's rules for dossiers sent up (hồ sơ trình); the submissions themselves are processes. */
export async function submissionRoutes(app: ServiceApp, deps: SubmissionRoutesDeps): Promise<void> {
  const ctx = (request: Parameters<typeof contextFor>[0], operation: string) =>
    contextFor(request, deps.pool, operation, deps.clock);

  app.get(
    '/v1/workflows/submission-policy',
    {
      schema: {
        operationId: 'getSubmissionPolicy',
        tags: ['submissions'],
        summary: 'Who may send a dossier up, the components each document type needs, which must be signed',
        response: { 200: SubmissionPolicy, ...problemResponses(401) },
      },
    },
    async (request) => getSubmissionPolicy({}, ctx(request, 'getSubmissionPolicy')),
  );

  app.put(
    '/v1/workflows/submission-policy',
    {
      schema: {
        operationId: 'setSubmissionPolicy',
        tags: ['submissions'],
        summary: 'Set the agency’s rules for dossiers sent up (head of the agency or administrator)',
        body: SubmissionPolicyUpdate,
        response: { 200: SubmissionPolicy, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) =>
      sendMutation(reply, await setSubmissionPolicy(request.body, ctx(request, 'setSubmissionPolicy'))),
  );
}
