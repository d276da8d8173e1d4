import { randomUUID } from 'node:crypto';
import { incidentDeclaredV1 } from '@vanthu/contracts';
import type { IncidentDeclaredV1 } from '@vanthu/contracts';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { emitFor } from '../domain/process-runtime';
import type { RoutingContext } from '../domain/routing-context';
import { insertIncident } from '../repositories/incidents-repository';
import type { NewIncident, IncidentView } from '../schemas/incident';
import { incidentView } from './incident-view';

export type DeclareIncidentInput = NewIncident;

/**
 * An agency administrator declares incident mode (sự cố): from its start the records office may issue on paper
 * (docs/domain/directives.md, Ngã Năm Điều 8.5c). The start may lie in the past (the record follows the failure),
 * never in the future; one incident of an agency is open at a time.
 */
export async function declareIncident(
  input: DeclareIncidentInput,
  ctx: RoutingContext,
): Promise<Mutation<IncidentView>> {
  requireRole(ctx.identity, 'admin');
  const now = ctx.clock();
  const startedAt = input.startedAt ? new Date(input.startedAt) : now;
  if (startedAt.getTime() > now.getTime())
    throw new AppError('VALIDATION_FAILED', 'an incident is declared once it has started, not ahead of time', {
      errors: [{ field: 'body.startedAt', message: 'must not be after now' }],
    });
  const { agencyCode, userId } = ctx.identity;
  return ctx.runInTransaction(async (tx) => {
    const incident = await insertIncident(tx, {
      id: randomUUID(),
      agencyCode,
      reason: input.reason.normalize('NFC'),
      startedAt,
      declaredBy: userId,
      declaredAt: now,
    });
    if (!incident)
      throw new AppError('CONFLICT', `agency ${agencyCode} is already in incident mode; end that incident first`);
    const data: IncidentDeclaredV1 = {
      incidentId: incident.id,
      agencyCode,
      reason: incident.reason,
      startedAt: incident.startedAt.toISOString(),
      declaredBy: userId,
      declaredAt: now.toISOString(),
    };
    await emitFor(tx, ctx, incidentDeclaredV1, incident, data);
    return incidentView(incident, []);
  });
}
