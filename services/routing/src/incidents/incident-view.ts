import type { IncidentRecord, PaperIssueRecord } from '../repositories/incidents-repository';
import type { IncidentView } from '../schemas/incident';

export function incidentView(incident: IncidentRecord, paperIssues: PaperIssueRecord[]): IncidentView {
  return {
    id: incident.id,
    agencyCode: incident.agencyCode,
    state: incident.endedAt ? 'ended' : 'open',
    reason: incident.reason,
    startedAt: incident.startedAt.toISOString(),
    endedAt: incident.endedAt?.toISOString() ?? null,
    declaredBy: incident.declaredBy,
    declaredAt: incident.declaredAt.toISOString(),
    endedBy: incident.endedBy,
    paperIssues: paperIssues
      .filter((issue) => issue.incidentId === incident.id)
      .map((issue) => ({
        processId: issue.processId,
        documentId: issue.documentId,
        taskId: issue.taskId,
        paperNotation: issue.paperNotation,
        note: issue.note,
        issuedBy: issue.issuedBy,
        issuedAt: issue.issuedAt.toISOString(),
        digitisationTaskId: issue.digitisationTaskId,
        digitisedCopyId: issue.digitisedCopyId,
        digitisedAt: issue.digitisedAt?.toISOString() ?? null,
      })),
  };
}
