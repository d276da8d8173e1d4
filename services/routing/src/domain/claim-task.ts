import { taskClaimedV1 } from '@vanthu/contracts';
import type { Mutation } from '@vanthu/platform';
import { updateTask } from '../repositories/tasks-repository';
import type { TaskView } from '../schemas/routing';
import { emit, recordHistory, taskEventFields } from './process-runtime';
import type { RoutingContext } from './routing-context';
import { lockTaskFor } from './task-access';
import { taskView } from './views';

export type ClaimTaskInput = { taskId: string };

/** One member of the assigned role and unit takes the task; from then on it is theirs alone. */
export async function claimTask(input: ClaimTaskInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const { task, process } = await lockTaskFor(tx, ctx.identity, input.taskId, 'claim');
    const now = ctx.clock();
    if (ctx.timers)
      await ctx.timers.assertAssignable(tx, { agencyCode: task.agencyCode, userId: ctx.identity.userId, at: now });
    const claimed = await updateTask(tx, task.id, { state: 'claimed', assigneeUserId: ctx.identity.userId });
    await recordHistory(tx, ctx, process, { action: 'task-claimed', taskId: task.id, step: task.step });
    await emit(tx, ctx, taskClaimedV1, process, taskEventFields(claimed, now));
    return taskView(claimed, now);
  });
}
