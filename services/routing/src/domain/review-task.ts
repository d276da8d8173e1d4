import { taskDelegatedV1 } from '@vanthu/contracts';
import type { TaskDelegatedV1 } from '@vanthu/contracts';
import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { updateTask } from '../repositories/tasks-repository';
import type { TaskReview } from '../repositories/tasks-repository';
import type { CompleteTaskBody, ReviewTaskBody, TaskView } from '../schemas/routing';
import { applyCompletionForm } from './complete-task';
import { emit, finishTask, recordHistory, taskEventFields } from './process-runtime';
import type { RoutingContext } from './routing-context';
import { lockTaskFor } from './task-access';
import { taskView } from './views';

export type ReviewTaskInput = { taskId: string; body: ReviewTaskBody };

/**
 * The owner reviews what their delegate submitted (ủy quyền; NĐ 30/2020 Điều 13.1.c: the one who delegates answers
 * for it). `accept` applies the delegate's completion as the owner and moves the process on, the work recorded as the
 * delegate's and reviewed by the owner; `return` sends the task back to the delegate with a required reason, and the
 * delegate's next completion comes back for review again.
 */
export async function reviewTask(input: ReviewTaskInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const locked = await lockTaskFor(tx, ctx.identity, input.taskId, 'review');
    const { task, process, definition } = locked;
    const review = task.review as TaskReview;
    const now = ctx.clock();
    if (input.body.decision === 'return') {
      if (!input.body.reason)
        throw new AppError('VALIDATION_FAILED', 'returning delegated work needs its reason', {
          errors: [{ field: 'body.reason', message: 'required when the decision is return' }],
        });
      const back = await updateTask(tx, task.id, { assigneeUserId: review.submittedBy, review: null });
      await recordHistory(tx, ctx, process, {
        action: 'delegated-work-returned',
        taskId: task.id,
        step: task.step,
        detail: { from: ctx.identity.userId, to: review.submittedBy, reason: input.body.reason },
      });
      const data: TaskDelegatedV1 = {
        ...taskEventFields(back, now),
        from: ctx.identity.userId,
        to: review.submittedBy,
        mode: 'review-return',
        reason: input.body.reason,
      };
      await emit(tx, ctx, taskDelegatedV1, process, data);
      return taskView(back, now);
    }
    const body = review.body as CompleteTaskBody;
    const cleared = await updateTask(tx, task.id, { review: null });
    await recordHistory(tx, ctx, process, {
      action: 'delegated-work-accepted',
      taskId: task.id,
      step: task.step,
      detail: { by: ctx.identity.userId, submittedBy: review.submittedBy, submittedAt: review.submittedAt },
    });
    const applied = await applyCompletionForm(tx, ctx, { task: cleared, process, definition }, body);
    if (applied.returned) return taskView(applied.returned, now);
    const finished = await finishTask(tx, ctx, applied.process, definition, cleared, {
      by: review.submittedBy,
      reviewedBy: ctx.identity.userId,
      result: { ...applied.result, reviewedBy: ctx.identity.userId },
    });
    return taskView(finished.task, now);
  });
}
