import { taskDelegatedV1 } from '@vanthu/contracts';
import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { updateTask } from '../repositories/tasks-repository';
import type { DelegateTaskBody, TaskView } from '../schemas/routing';
import { emit, recordHistory, taskEventFields } from './process-runtime';
import type { RoutingContext } from './routing-context';
import { lockTaskFor } from './task-access';
import { taskView } from './views';

/** Delegation (ủy quyền) and forwarding inside a unit share one rule: the task moves to a named colleague. */
export async function handOverTask(
  input: { taskId: string; body: DelegateTaskBody; mode: 'delegate' | 'forward' },
  ctx: RoutingContext,
): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const { task, process } = await lockTaskFor(tx, ctx.identity, input.taskId, input.mode);
    if (input.body.to === ctx.identity.userId)
      throw new AppError('VALIDATION_FAILED', 'a task cannot be handed to oneself', {
        errors: [{ field: 'body.to', message: 'must name a colleague' }],
      });
    const now = ctx.clock();
    let to = input.body.to;
    if (ctx.timers) {
      await ctx.timers.assertAssignable(tx, { agencyCode: task.agencyCode, userId: to, at: now });
      to = await ctx.timers.resolveDelegate(tx, { agencyCode: task.agencyCode, userId: to, at: now });
    }
    const from = task.assigneeUserId ?? ctx.identity.userId;
    const moved = await updateTask(tx, task.id, {
      state: 'claimed',
      assigneeUserId: to,
      ownerUserId: task.ownerUserId ?? from,
    });
    await recordHistory(tx, ctx, process, {
      action: input.mode === 'delegate' ? 'task-delegated' : 'task-forwarded',
      taskId: task.id,
      step: task.step,
      detail: { from, to, reason: input.body.reason ?? null },
    });
    await emit(tx, ctx, taskDelegatedV1, process, { ...taskEventFields(moved, now), from, to, mode: input.mode });
    return taskView(moved, now);
  });
}
