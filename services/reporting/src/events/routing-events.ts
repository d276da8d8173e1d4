import type { CloudEvent, Tx } from '@vanthu/platform';
import type {
  ProcessCompletedV1,
  ProcessReturnedV1,
  ProcessStartedV1,
  TaskAssignedV1,
  TaskClaimedV1,
  TaskCompletedV1,
  TaskDelegatedV1,
  TaskOverdueV1,
  TaskReturnedV1,
} from '@vanthu/contracts';
import {
  recordProcessCompleted,
  recordProcessReturned,
  recordProcessStarted,
  recordTaskEvent,
} from '../repositories/routing-facts-repository';
import type { TaskFact } from '../repositories/routing-facts-repository';

export async function onProcessStarted(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ProcessStartedV1;
  await recordProcessStarted(tx, {
    processId: data.processId,
    agencyCode: data.agencyCode,
    kind: data.kind,
    documentId: data.documentId,
    startedBy: data.startedBy,
    startedAt: data.startedAt,
    urgency: data.urgency ?? null,
  });
}

export async function onProcessCompleted(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ProcessCompletedV1;
  await recordProcessCompleted(tx, {
    processId: data.processId,
    agencyCode: data.agencyCode,
    kind: data.kind,
    documentId: data.documentId,
    outcome: data.outcome,
    completedAt: data.completedAt,
    dueAt: data.dueAt ?? null,
    onTime: data.onTime ?? null,
  });
}

export async function onProcessReturned(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ProcessReturnedV1;
  await recordProcessReturned(tx, { processId: data.processId, agencyCode: data.agencyCode });
}

type TaskEventData = TaskClaimedV1 | TaskOverdueV1;

function taskFact(data: TaskEventData, extra: Partial<TaskFact>): TaskFact {
  return {
    taskId: data.taskId,
    processId: data.processId,
    agencyCode: data.agencyCode,
    step: data.step,
    documentId: data.documentId,
    dueAt: data.dueAt ?? null,
    assignee: data.assignee
      ? { userId: data.assignee.userId ?? null, role: data.assignee.role ?? null, unit: data.assignee.unit ?? null }
      : null,
    at: data.at,
    ...extra,
  };
}

export async function onTaskAssigned(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as TaskAssignedV1;
  await recordTaskEvent(tx, taskFact(data, { assignedAt: data.at, distributionRole: data.role ?? null }));
}

/** Claimed, delegated or forwarded: only the assignee changes. */
export async function onTaskReassigned(tx: Tx, event: CloudEvent): Promise<void> {
  await recordTaskEvent(tx, taskFact(event.data as TaskClaimedV1 | TaskDelegatedV1, {}));
}

export async function onTaskCompleted(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as TaskCompletedV1;
  await recordTaskEvent(
    tx,
    taskFact(data, { completedAt: data.at, completedBy: data.completedBy, onTime: data.onTime }),
  );
}

export async function onTaskReturned(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as TaskReturnedV1;
  await recordTaskEvent(tx, taskFact(data, { returnedAt: data.at }));
}

export async function onTaskOverdue(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as TaskOverdueV1;
  await recordTaskEvent(tx, taskFact(data, { overdueAt: data.at, overdueSla: data.sla ?? null }));
}
