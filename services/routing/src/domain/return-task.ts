import { processCompletedV1, processReturnedV1, taskReturnedV1 } from '@vanthu/contracts';
import { AppError } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import type { ProcessDefinitionBody } from '../definitions/definition-schema';
import { isEarlierStep } from '../definitions/parse-definition';
import { updateProcess } from '../repositories/processes-repository';
import type { ProcessRecord } from '../repositories/processes-repository';
import type { TaskRecord } from '../repositories/tasks-repository';
import { openTasksOfProcess, tasksOfProcess, updateTask } from '../repositories/tasks-repository';
import type { ReturnTaskBody, TaskView } from '../schemas/routing';
import { emit, openStep, recordHistory, taskEventFields } from './process-runtime';
import type { RoutingContext } from './routing-context';
import { lockTaskFor } from './task-access';
import { taskView } from './views';

export type ReturnTaskInput = { taskId: string; body: ReturnTaskBody };

/** The nearest user task before `step` (following the flows backwards). */
function previousUserTask(definition: ProcessDefinitionBody, step: string): string | undefined {
  const seen = new Set<string>([step]);
  let frontier = [step];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier)
      for (const flow of definition.flows.filter((f) => f.to === id)) {
        if (seen.has(flow.from)) continue;
        seen.add(flow.from);
        const element = definition.elements.find((e) => e.id === flow.from);
        if (element?.type === 'userTask') return element.id;
        next.push(flow.from);
      }
    frontier = next;
  }
  return undefined;
}

/**
 * Returns the process to an earlier step with a required reason (trả lại). Every open task is
 * withdrawn and the earlier step opens again, for the person who did it before. Returning the first
 * step of an incoming document sends it back to its sender (NĐ 30/2020 Điều 21.2).
 */
export async function returnTask(input: ReturnTaskInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const { task, process, definition } = await lockTaskFor(tx, ctx.identity, input.taskId, 'return');
    if (input.body.toStep !== undefined) {
      const element = definition.elements.find((e) => e.id === input.body.toStep);
      if (!element || element.type !== 'userTask' || !isEarlierStep(definition, element.id, task.step))
        throw new AppError('VALIDATION_FAILED', `step ${input.body.toStep} is not a step before ${task.step}`, {
          errors: [{ field: 'body.toStep', message: 'must be an earlier step of this process' }],
        });
    }
    const returned = await returnProcess(tx, ctx, { process, definition, task }, input.body);
    return taskView(returned, ctx.clock());
  });
}

/**
 * Withdraws every open task of the locked process and opens the earlier step again (or ends the process,
 * returned to its sender, when there is none), with the reason in the history and the events.
 */
export async function returnProcess(
  tx: Tx,
  ctx: RoutingContext,
  locked: { process: ProcessRecord; definition: ProcessDefinitionBody; task: TaskRecord },
  body: { reason: string; toStep?: string | undefined },
  detail: Record<string, unknown> = {},
): Promise<TaskRecord> {
  const { task, process, definition } = locked;
  const now = ctx.clock();
  const target = body.toStep ?? previousUserTask(definition, task.step);
  const returned = await updateTask(tx, task.id, {
    state: 'returned',
    completedAt: now,
    completedBy: ctx.identity.userId,
    outcome: { reason: body.reason, toStep: target ?? 'sender' },
  });
  if (ctx.timers) await ctx.timers.cancelTimers(tx, { taskId: task.id });
  for (const other of await openTasksOfProcess(tx, process.id)) {
    await updateTask(tx, other.id, { state: 'cancelled', completedAt: now });
    if (ctx.timers) await ctx.timers.cancelTimers(tx, { taskId: other.id });
  }
  const toStep = target ?? 'sender';
  await recordHistory(tx, ctx, process, {
    action: 'task-returned',
    taskId: task.id,
    step: task.step,
    detail: { toStep, reason: body.reason, ...detail },
  });
  await emit(tx, ctx, taskReturnedV1, process, {
    ...taskEventFields(returned, now),
    returnedBy: ctx.identity.userId,
    toStep,
    reason: body.reason,
  });
  await emit(tx, ctx, processReturnedV1, process, {
    processId: process.id,
    agencyCode: process.agencyCode,
    fromStep: task.step,
    toStep,
    reason: body.reason,
    returnedBy: ctx.identity.userId,
    returnedAt: now.toISOString(),
  });
  const reset = await updateProcess(tx, process.id, { joins: {} });
  if (target) {
    const previous = (await tasksOfProcess(tx, process.id))
      .filter((t) => t.step === target && t.state === 'completed')
      .at(-1);
    await openStep(tx, ctx, reset, definition, target, {
      ...(previous?.completedBy ? { assigneeUserId: previous.completedBy } : {}),
    });
  } else {
    const ended = await updateProcess(tx, process.id, {
      state: 'completed',
      outcome: 'returned-to-sender',
      completedAt: now,
    });
    await recordHistory(tx, ctx, ended, { action: 'process-completed', detail: { outcome: 'returned-to-sender' } });
    await emit(tx, ctx, processCompletedV1, ended, {
      processId: ended.id,
      agencyCode: ended.agencyCode,
      kind: ended.kind,
      documentId: ended.documentId,
      outcome: 'returned-to-sender',
      completedAt: now.toISOString(),
    });
  }
  return returned;
}
