import type { Mutation } from '@vanthu/platform';
import { AppError } from '@vanthu/platform';
import { findTask, updateTask } from '../repositories/tasks-repository';
import { lockProcess } from '../repositories/processes-repository';
import type { ProgressBody, TaskView } from '../schemas/routing';
import { recordHistory } from './process-runtime';
import type { RoutingContext } from './routing-context';
import { isAssignee } from './task-access';
import { taskView } from './views';

export type ReportProgressInput = { taskId: string; body: ProgressBody };

/** A handler records progress or an interim result on their task (NĐ 30/2020 Điều 24). */
export async function reportProgress(input: ReportProgressInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const found = await findTask(tx, ctx.identity.agencyCode, input.taskId);
    if (!found) throw new AppError('NOT_FOUND', `task ${input.taskId} not found`);
    const process = await lockProcess(tx, ctx.identity.agencyCode, found.processId);
    if (!process) throw new AppError('NOT_FOUND', `task ${input.taskId} not found`);
    const task = (await findTask(tx, ctx.identity.agencyCode, input.taskId)) ?? found;
    if (task.state !== 'open' && task.state !== 'claimed')
      throw new AppError('CONFLICT', `task ${task.id} is already ${task.state}`);
    if (!isAssignee(task, ctx.identity)) throw new AppError('FORBIDDEN', `task ${task.id} is not yours`);
    const now = ctx.clock();
    const entry = {
      at: now.toISOString(),
      by: ctx.identity.userId,
      text: input.body.text,
      ...(input.body.percent !== undefined ? { percent: input.body.percent } : {}),
    };
    const updated = await updateTask(tx, task.id, { progress: [...task.progress, entry] });
    await recordHistory(tx, ctx, process, {
      action: 'progress-reported',
      taskId: task.id,
      step: task.step,
      detail: entry,
    });
    return taskView(updated, now);
  });
}
