import { taskCompletedV1 } from '@vanthu/contracts';
import type { CopyMadeV1, TaskCompletedV1 } from '@vanthu/contracts';
import type { Mutation } from '@vanthu/platform';
import { completeIfDone, emit, recordHistory, taskEventFields } from '../domain/process-runtime';
import type { RoutingContext } from '../domain/routing-context';
import { undigitisedPaperIssuesOf, updatePaperIssue } from '../repositories/incidents-repository';
import { lockProcess } from '../repositories/processes-repository';
import { findTask, updateTask } from '../repositories/tasks-repository';
import { digitisationStep } from './end-incident';

export type RecordDigitisedCopyInput = { event: CopyMadeV1; eventId: string };

/** Documents' kind for a paper original digitised into an electronic bản sao y (NĐ 30/2020 Điều 25.1.c). */
const digitisedCopyKind = 'SY:digitised';

/**
 * Documents reported a copy (`copy.made`). A digitised copy of a document that was issued on paper during an incident
 * is what the clerk's digitisation task waits for: it completes that task and the process. Made before the incident
 * ended, the copy is recorded and the process completes when the incident ends. Any other copy changes nothing.
 */
export async function recordDigitisedCopy(
  input: RecordDigitisedCopyInput,
  ctx: RoutingContext,
): Promise<Mutation<string[]>> {
  const { event } = input;
  return ctx.runInTransaction(async (tx) => {
    if (event.kind !== digitisedCopyKind || !event.sourceDocumentId) return [];
    const completedProcesses: string[] = [];
    for (const issue of await undigitisedPaperIssuesOf(tx, event.agencyCode, event.sourceDocumentId)) {
      const process = await lockProcess(tx, issue.agencyCode, issue.processId);
      if (!process) continue;
      const now = ctx.clock();
      await updatePaperIssue(tx, process.id, { digitisedCopyId: event.copyDocumentId, digitisedAt: now });
      const detail = { copyDocumentId: event.copyDocumentId, notation: event.notation, eventId: input.eventId };
      await recordHistory(tx, ctx, process, {
        action: 'digitised-copy-made',
        actor: event.createdBy,
        taskId: issue.digitisationTaskId,
        step: issue.digitisationTaskId ? digitisationStep : null,
        detail,
      });
      const task = issue.digitisationTaskId
        ? await findTask(tx, issue.agencyCode, issue.digitisationTaskId)
        : undefined;
      if (!task || (task.state !== 'open' && task.state !== 'claimed')) continue;
      const completed = await updateTask(tx, task.id, {
        state: 'completed',
        completedAt: now,
        completedBy: event.createdBy,
        outcome: { digitisedCopy: { documentId: event.copyDocumentId, notation: event.notation } },
      });
      if (ctx.timers) await ctx.timers.cancelTimers(tx, { taskId: task.id });
      const onTime = !task.dueAt || now.getTime() <= task.dueAt.getTime();
      await recordHistory(tx, ctx, process, {
        action: 'task-completed',
        actor: event.createdBy,
        taskId: task.id,
        step: task.step,
        detail: { onTime, result: completed.outcome ?? {} },
      });
      const data: TaskCompletedV1 = { ...taskEventFields(completed, now), completedBy: event.createdBy, onTime };
      await emit(tx, ctx, taskCompletedV1, process, data);
      const after = await completeIfDone(tx, ctx, process);
      if (after.state === 'completed') completedProcesses.push(process.id);
    }
    return completedProcesses;
  });
}
