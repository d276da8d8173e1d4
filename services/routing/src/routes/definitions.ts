import { Type } from '@sinclair/typebox';
import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { listDefinitions } from '../domain/list-definitions';
import { uploadDefinition } from '../domain/upload-definition';
import { DefinitionList, StoredDefinitionSchema } from '../schemas/routing';
import { routingContextFor } from './context';
import type { RoutingRouteDeps } from './context';
import { resultTimestamp } from '../domain/result-timestamp';

// The stored definition as the use cases answer it (routes never import a repository).
type StoredDefinition = Awaited<ReturnType<typeof listDefinitions>>[number];
const definitionView = (d: StoredDefinition) => ({ ...d, createdAt: resultTimestamp(d.createdAt).toISOString() });

export async function definitionRoutes(app: ServiceApp, deps: RoutingRouteDeps): Promise<void> {
  app.post(
    '/v1/workflows/definitions',
    {
      schema: {
        operationId: 'uploadProcessDefinition',
        tags: ['workflows'],
        summary: 'Upload the agency’s next version of a process definition (BPMN vocabulary, JSON)',
        description:
          'Running processes keep the version they started on. A definition that does not parse, or with a step no path reaches or that reaches no end, is refused with 400 naming the step.',
        headers: IdempotencyKeyHeaders,
        body: Type.Unknown({ description: 'A process definition: kind, name, elements, flows' }),
        response: { 201: StoredDefinitionSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const outcome = await uploadDefinition(
        { definition: request.body },
        routingContextFor(request, deps, 'uploadProcessDefinition'),
      );
      return sendMutation(
        reply,
        { result: definitionView(outcome.result), replayed: outcome.replayed },
        { status: 201, location: `/v1/workflows/definitions/${outcome.result.id}` },
      );
    },
  );

  app.get(
    '/v1/workflows/definitions',
    {
      schema: {
        operationId: 'listProcessDefinitions',
        tags: ['workflows'],
        summary: 'The agency’s process definitions and the shipped defaults, every version',
        response: { 200: DefinitionList, ...problemResponses(401) },
      },
    },
    async (request) => ({
      items: (await listDefinitions({}, routingContextFor(request, deps, 'listProcessDefinitions'))).map(
        definitionView,
      ),
    }),
  );
}
