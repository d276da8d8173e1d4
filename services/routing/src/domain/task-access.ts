import { AppError, hasRole } from '@vanthu/platform';
import type { Identity, Tx } from '@vanthu/platform';
import type { ProcessDefinitionBody } from '../definitions/definition-schema';
import { definitionOfProcess } from './definition-cache';
import { lockProcessOfTask } from '../repositories/processes-repository';
import type { ProcessRecord } from '../repositories/processes-repository';
import { findTask } from '../repositories/tasks-repository';
import type { TaskRecord } from '../repositories/tasks-repository';
import { assertActionAllowed } from './process-runtime';

export type LockedTask = { task: TaskRecord; process: ProcessRecord; definition: ProcessDefinitionBody };

/** Whether the person may act on the task: it is theirs, or it waits for their role in their unit. */
export function isAssignee(task: TaskRecord, identity: Identity): boolean {
  if (task.assigneeUserId !== null) return task.assigneeUserId === identity.userId;
  if (!task.assigneeRole || !(identity.roles as string[]).includes(task.assigneeRole)) return false;
  return task.assigneeUnit === null || task.assigneeUnit === identity.unitCode;
}

function describeAssignee(task: TaskRecord): string {
  if (task.assigneeUserId) return task.assigneeUserId;
  return `role ${task.assigneeRole}${task.assigneeUnit ? ` in unit ${task.assigneeUnit}` : ''}`;
}

/**
 * Loads a task for an action with its process locked: 404 outside the caller's agency, 403 when it belongs to someone else, 409 naming the state when it is finished, 409 naming the allowed
 * actions when the step does not allow this one. Two people acting at once queue on the lock;
 * the second sees the first one's result. An action no definition lists (null: the paper issue) is checked by its
 * own use case against the step.
 */
export async function lockTaskFor(
  tx: Tx,
  identity: Identity,
  taskId: string,
  action: string | null,
): Promise<LockedTask> {
  // The process lock first (found through the task), then the task as it is under that lock.
  const process = await lockProcessOfTask(tx, identity.agencyCode, taskId);
  if (!process) throw new AppError('NOT_FOUND', `task ${taskId} not found`);
  const task = await findTask(tx, identity.agencyCode, taskId);
  if (!task) throw new AppError('NOT_FOUND', `task ${taskId} not found`);
  // Who may act is decided before the state is told: someone else's task is 403 whatever its state, so that
  // a stranger learns nothing of its progress; its assignee acting twice gets 409 naming the state.
  if (!isAssignee(task, identity) && !hasRole(identity, 'service'))
    throw new AppError('FORBIDDEN', `task ${taskId} is assigned to ${describeAssignee(task)}`);
  if (task.state === 'completed' || task.state === 'returned' || task.state === 'cancelled')
    throw new AppError('CONFLICT', `task ${taskId} is already ${task.state}`);
  if (action !== null) assertActionAllowed(task, action);
  const stored = await definitionOfProcess(tx, identity.agencyCode, process.definitionId);
  if (!stored) throw new Error(`definition ${process.definitionId} of process ${process.id} is missing`);
  return { task, process, definition: stored.definition };
}
