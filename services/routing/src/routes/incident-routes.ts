import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { declareIncident } from '../incidents/declare-incident';
import { endIncidentMode } from '../incidents/end-incident';
import { listIncidents } from '../incidents/list-incidents';
import { Incident, IncidentEnd, IncidentIdParams, IncidentList, NewIncident } from '../schemas/incident';
import { routingContextFor } from './context';
import type { RoutingRouteDeps } from './context';

/** Incident mode (sự cố) of the agency's system, during which the records office may issue on paper. */
export async function incidentRoutes(app: ServiceApp, deps: RoutingRouteDeps): Promise<void> {
  app.get(
    '/v1/workflows/incidents',
    {
      schema: {
        operationId: 'listIncidents',
        tags: ['incidents'],
        summary: 'Whether the agency is in incident mode now, and its latest incidents with their paper issues',
        response: { 200: IncidentList, ...problemResponses(401) },
      },
    },
    async (request) => listIncidents({}, routingContextFor(request, deps, 'listIncidents')),
  );

  app.post(
    '/v1/workflows/incidents',
    {
      schema: {
        operationId: 'declareIncident',
        tags: ['incidents'],
        summary: 'Declare incident mode (sự cố): the records office may issue on paper until it ends (administrator)',
        headers: IdempotencyKeyHeaders,
        body: NewIncident,
        response: { 201: Incident, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await declareIncident(request.body, routingContextFor(request, deps, 'declareIncident'));
      return sendMutation(reply, outcome, { status: 201 });
    },
  );

  app.post(
    '/v1/workflows/incidents/:id/end',
    {
      schema: {
        operationId: 'endIncident',
        tags: ['incidents'],
        summary: 'End incident mode: each document issued on paper gets a task for its digitised copy (administrator)',
        params: IncidentIdParams,
        headers: IdempotencyKeyHeaders,
        body: IncidentEnd,
        response: { 200: Incident, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await endIncidentMode(
          { incidentId: request.params.id, body: request.body ?? {} },
          routingContextFor(request, deps, 'endIncident'),
        ),
      ),
  );
}
