import { taskDelegatedV1, taskOverdueV1 } from '@vanthu/contracts';
import type { TaskDelegatedV1, TaskOverdueV1 } from '@vanthu/contracts';
import type { Mutation } from '@vanthu/platform';
import { userTask } from '../definitions/parse-definition';
import { definitionOfProcess } from './definition-cache';
import { lockProcess } from '../repositories/processes-repository';
import { findTask, updateTask } from '../repositories/tasks-repository';
import type { TaskRecord } from '../repositories/tasks-repository';
import type { DeadlinePayload, Timer } from '../timers';
import { definitionAuthority, emit, escalationTarget, recordHistory, taskEventFields } from './process-runtime';
import type { RoutingContext } from './routing-context';

export type EscalateTaskInput = { timer: Timer };

const describe = (who: { userId?: string; role?: string; unit?: string }): string =>
  who.userId ?? `role ${who.role}${who.unit ? ` in unit ${who.unit}` : ''}`;

/**
 * An interrupting boundary escalation fired (the definition's `escalation` timer with `interrupting: true`, some
 * working time after the deadline): the task is taken from its assignee and given to the escalation target — the
 * definition's `escalateTo`, by default the head of the task's unit — who carries it on. A task finished meanwhile is
 * left alone. Runs in the timer's transaction (the worker's claim with FOR UPDATE SKIP LOCKED), so it happens once.
 */
export async function escalateTask(
  input: EscalateTaskInput,
  ctx: RoutingContext,
): Promise<Mutation<TaskRecord | null>> {
  return ctx.runInTransaction(async (tx) => {
    const { timer } = input;
    if (!timer.taskId || !timer.processId) throw new Error(`escalation timer ${timer.id} names no task`);
    const process = await lockProcess(tx, timer.agencyCode, timer.processId);
    const task = process ? await findTask(tx, timer.agencyCode, timer.taskId) : undefined;
    if (!process || !task || (task.state !== 'open' && task.state !== 'claimed')) return null;
    const stored = await definitionOfProcess(tx, process.agencyCode, process.definitionId);
    if (!stored) throw new Error(`definition ${process.definitionId} of process ${process.id} is missing`);
    const element = userTask(stored.definition, task.step);
    const target = escalationTarget(process, element, task) ?? {
      role: 'unit-leader',
      ...(task.assigneeUnit ? { unit: task.assigneeUnit } : {}),
    };
    const now = ctx.clock();
    if (target.userId && ctx.timers)
      await ctx.timers.assertAssignable(tx, { agencyCode: task.agencyCode, userId: target.userId, at: now });
    const before = taskEventFields(task, now).assignee;
    const moved = await updateTask(tx, task.id, {
      state: target.userId ? 'claimed' : 'open',
      assigneeUserId: target.userId ?? null,
      assigneeRole: target.role,
      assigneeUnit: target.unit ?? null,
      // Work waiting for its owner's review, or a delegate's authority, does not follow the task to its new holder.
      review: null,
      authority: definitionAuthority(element),
    });
    const payload = timer.payload as DeadlinePayload;
    await recordHistory(tx, ctx, process, {
      action: 'task-escalated',
      actor: 'routing-timer',
      taskId: task.id,
      step: task.step,
      detail: { from: before, to: target, dueAt: payload.dueAt, interrupting: true, timerId: timer.id },
    });
    const overdue: TaskOverdueV1 = {
      taskId: task.id,
      processId: task.processId,
      agencyCode: task.agencyCode,
      step: task.step,
      documentId: task.documentId,
      documentVersion: task.documentVersion,
      dueAt: payload.dueAt,
      at: now.toISOString(),
      assignee: before,
      escalatedTo: target,
      interrupting: true,
    };
    await emit(tx, ctx, taskOverdueV1, process, overdue);
    const handedOver: TaskDelegatedV1 = {
      ...taskEventFields(moved, now),
      from: describe(before),
      to: describe(target),
      mode: 'escalation',
    };
    await emit(tx, ctx, taskDelegatedV1, process, handedOver);
    return moved;
  });
}
