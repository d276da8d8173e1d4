import { taskDelegatedV1 } from '@vanthu/contracts';
import type { TaskDelegatedV1 } from '@vanthu/contracts';
import type { Tx } from '@vanthu/platform';
import type { UserTaskElement } from '../definitions/definition-schema';
import { updateTask } from '../repositories/tasks-repository';
import type { TaskRecord } from '../repositories/tasks-repository';
import type { CompleteTaskBody } from '../schemas/routing';
import { emit, recordHistory, taskEventFields } from './process-runtime';
import type { RoutingContext } from './routing-context';
import type { LockedTask } from './task-access';

/** A delegate (not the owner) completing a step whose definition asks for the owner's review. */
export function needsOwnerReview(element: UserTaskElement, task: TaskRecord, actor: string): boolean {
  return element.ownerReview === true && task.ownerUserId !== null && task.ownerUserId !== actor;
}

/**
 * Ủy quyền with review: the delegate's completion goes back to the task's owner, who answers for the work (NĐ
 * 30/2020 Điều 13.1.c: the one who delegates keeps the responsibility). Nothing of the form is applied yet; the task
 * stays open, assigned to the owner, and its only action is the review.
 */
export async function submitForOwnerReview(
  tx: Tx,
  ctx: RoutingContext,
  locked: LockedTask,
  body: CompleteTaskBody,
): Promise<TaskRecord> {
  const { task, process } = locked;
  const now = ctx.clock();
  const owner = task.ownerUserId as string;
  const delegate = ctx.identity.userId;
  const submitted = await updateTask(tx, task.id, {
    state: 'claimed',
    assigneeUserId: owner,
    review: { submittedBy: delegate, submittedAt: now.toISOString(), body: body as Record<string, unknown> },
  });
  await recordHistory(tx, ctx, process, {
    action: 'delegated-work-submitted',
    taskId: task.id,
    step: task.step,
    detail: { from: delegate, to: owner, ...(body.comment ? { comment: body.comment } : {}) },
  });
  const data: TaskDelegatedV1 = { ...taskEventFields(submitted, now), from: delegate, to: owner, mode: 'review' };
  await emit(tx, ctx, taskDelegatedV1, process, data);
  return submitted;
}
