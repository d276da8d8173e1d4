import type { RoutingContext } from '../domain/routing-context';
import { paperIssuesOfIncidents, recentIncidents } from '../repositories/incidents-repository';
import type { IncidentList } from '../schemas/incident';
import { incidentView } from './incident-view';

export type ListIncidentsInput = Record<string, never>;

/** Whether the agency is in incident mode now, and its latest incidents with what was issued on paper in each. */
export async function listIncidents(_input: ListIncidentsInput, ctx: RoutingContext): Promise<IncidentList> {
  const { result } = await ctx.runInTransaction(async (tx) => {
    const incidents = await recentIncidents(tx, ctx.identity.agencyCode, 50);
    const issues = await paperIssuesOfIncidents(
      tx,
      incidents.map((incident) => incident.id),
    );
    return incidents.map((incident) => incidentView(incident, issues));
  });
  return { current: result.find((incident) => incident.state === 'open') ?? null, items: result };
}
