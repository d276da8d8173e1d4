import { taskDelegatedV1 } from '@vanthu/contracts';
import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { updateTask } from '../repositories/tasks-repository';
import type { DelegateTaskBody, TaskView } from '../schemas/routing';
import { userTask } from '../definitions/parse-definition';
import { defaultDelegatedPrefix, definitionAuthority, emit, recordHistory, taskEventFields } from './process-runtime';
import type { RoutingContext } from './routing-context';
import { lockTaskFor } from './task-access';
import { taskView } from './views';

/** Delegation (ủy quyền) and forwarding inside a unit share one rule: the task moves to a named colleague. */
export async function handOverTask(
  input: { taskId: string; body: DelegateTaskBody; mode: 'delegate' | 'forward' },
  ctx: RoutingContext,
): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const locked = await lockTaskFor(tx, ctx.identity, input.taskId, input.mode);
    const { task, process } = locked;
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
    const owner = task.ownerUserId ?? from;
    if (input.body.authorityPrefix && task.signatureKind !== 'approval')
      throw new AppError('VALIDATION_FAILED', `step ${task.step} is not signed by an approver: it takes no prefix`, {
        errors: [{ field: 'body.authorityPrefix', message: 'only for a step the assignee signs as the approver' }],
      });
    // NĐ 30/2020 Điều 13: whoever signs an approval for someone else signs under a prefix (KT., Q., TL., TUQ.) on their
    // behalf; handing it back to its owner restores the definition's own way of signing.
    const authority =
      task.signatureKind !== 'approval'
        ? task.authority
        : to === owner
          ? definitionAuthority(userTask(locked.definition, task.step))
          : { prefix: input.body.authorityPrefix ?? defaultDelegatedPrefix, onBehalfOf: owner };
    const moved = await updateTask(tx, task.id, {
      state: 'claimed',
      assigneeUserId: to,
      ownerUserId: owner,
      authority,
    });
    await recordHistory(tx, ctx, process, {
      action: input.mode === 'delegate' ? 'task-delegated' : 'task-forwarded',
      taskId: task.id,
      step: task.step,
      detail: { from, to, reason: input.body.reason ?? null, ...(authority ? { authority } : {}) },
    });
    await emit(tx, ctx, taskDelegatedV1, process, { ...taskEventFields(moved, now), from, to, mode: input.mode });
    return taskView(moved, now);
  });
}
