import type { ProcessRecord } from '../repositories/processes-repository';
import type { ProcessSignature } from '../repositories/signatures-repository';
import type { TaskRecord } from '../repositories/tasks-repository';
import type { ProcessView, TaskView } from '../schemas/routing';
import { allowedActions } from './process-runtime';

export function taskView(task: TaskRecord, now: Date): TaskView {
  const assignee: TaskView['assignee'] = {};
  if (task.assigneeUserId) assignee.userId = task.assigneeUserId;
  if (task.assigneeRole) assignee.role = task.assigneeRole;
  if (task.assigneeUnit) assignee.unit = task.assigneeUnit;
  const open = task.state === 'open' || task.state === 'claimed';
  return {
    id: task.id,
    processId: task.processId,
    step: task.step,
    name: task.name,
    state: task.state,
    assignee,
    ownerUserId: task.ownerUserId,
    documentId: task.documentId,
    documentVersion: task.documentVersion,
    awaitingSignature:
      open && task.signatureKind
        ? { kind: task.signatureKind, version: task.documentVersion, signer: task.assigneeUserId }
        : null,
    allowedActions: allowedActions(task),
    priority: task.priority,
    urgent: task.urgent,
    distributionRole: task.distributionRole,
    direction: task.direction,
    dueAt: task.dueAt?.toISOString() ?? null,
    overdue: task.dueAt !== null && (open ? now : (task.completedAt ?? now)).getTime() > task.dueAt.getTime(),
    createdAt: task.createdAt.toISOString(),
    completedAt: task.completedAt?.toISOString() ?? null,
    completedBy: task.completedBy,
    progress: task.progress,
    authority: task.authority,
    review: task.review
      ? {
          submittedBy: task.review.submittedBy,
          submittedAt: task.review.submittedAt,
          comment: typeof task.review.body.comment === 'string' ? task.review.body.comment : null,
        }
      : null,
  };
}

export function processView(
  process: ProcessRecord,
  tasks: TaskRecord[],
  signatures: ProcessSignature[],
  now: Date,
): ProcessView {
  return {
    id: process.id,
    agencyCode: process.agencyCode,
    kind: process.kind,
    definitionId: process.definitionId,
    definitionVersion: process.definitionVersion,
    documentId: process.documentId,
    documentVersion: process.documentVersion,
    contentVersion: process.contentVersion,
    state: process.state,
    outcome: process.outcome,
    urgency: process.urgency,
    variables: process.variables,
    startedBy: process.startedBy,
    startedAt: process.startedAt.toISOString(),
    completedAt: process.completedAt?.toISOString() ?? null,
    tasks: tasks.map((task) => taskView(task, now)),
    signatures: signatures.map((s) => ({
      signatureId: s.signatureId,
      step: s.step,
      kind: s.kind,
      signerUserId: s.signerUserId,
      signedVersion: s.signedVersion,
      version: s.version,
      authorityPrefix: s.authorityPrefix,
      valid: s.contentVersion === process.contentVersion,
      signedAt: s.signedAt.toISOString(),
    })),
  };
}
