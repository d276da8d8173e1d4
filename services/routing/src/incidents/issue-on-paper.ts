import { processPaperIssuedV1, taskCompletedV1 } from '@vanthu/contracts';
import type { ProcessPaperIssuedV1, TaskCompletedV1 } from '@vanthu/contracts';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { userTask } from '../definitions/parse-definition';
import { emit, recordHistory, taskEventFields } from '../domain/process-runtime';
import type { RoutingContext } from '../domain/routing-context';
import { lockTaskFor } from '../domain/task-access';
import { taskView } from '../domain/views';
import { insertPaperIssue, openIncidentOf } from '../repositories/incidents-repository';
import { updateProcess } from '../repositories/processes-repository';
import { openTasksOfProcess, updateTask } from '../repositories/tasks-repository';
import type { PaperIssueBody } from '../schemas/incident';
import type { TaskView } from '../schemas/routing';
import { digitisationStep } from './end-incident';

export type IssueOnPaperInput = { taskId: string; body: PaperIssueBody };

/**
 * During incident mode the clerk issues on paper instead of sealing and sending electronically
 * (docs/domain/directives.md, Ngã Năm Điều 8.5c; TT 01/2019 Điều 11.2). Only on the clerk's issuing steps (the
 * agency's signature or the issue itself): the task completes with the paper issue, the steps of the electronic
 * issue are not taken, and the process stays open until the digitised copy is made once the incident has ended.
 */
export async function issueOnPaper(input: IssueOnPaperInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const { task, process, definition } = await lockTaskFor(tx, ctx.identity, input.taskId, null);
    requireRole(ctx.identity, 'clerk');
    if (task.state !== 'open' && task.state !== 'claimed')
      throw new AppError('CONFLICT', `task ${task.id} is already ${task.state}`);
    // The digitisation task is no step of the definition (and not an issue on paper again).
    const element = task.step === digitisationStep ? undefined : userTask(definition, task.step);
    if (element?.signature?.kind !== 'issue' && element?.form !== 'issuance')
      throw new AppError(
        'CONFLICT',
        `step ${task.step} is not one of the clerk's issuing steps; only the agency's signature or the issue may be done on paper`,
      );
    const incident = await openIncidentOf(tx, process.agencyCode);
    const now = ctx.clock();
    if (!incident || incident.startedAt.getTime() > now.getTime())
      throw new AppError(
        'CONFLICT',
        `agency ${process.agencyCode} is not in incident mode; a document is issued on paper only while an incident declared by the administrator lasts`,
      );
    const by = ctx.identity.userId;
    const paperNotation = input.body.paperNotation.normalize('NFC');
    const note = input.body.note?.normalize('NFC') ?? null;
    const result = { paperIssue: { incidentId: incident.id, paperNotation, ...(note ? { note } : {}) } };
    const completed = await updateTask(tx, task.id, {
      state: 'completed',
      completedAt: now,
      completedBy: by,
      outcome: result,
      ...(task.assigneeUserId ? {} : { assigneeUserId: by }),
    });
    if (ctx.timers) await ctx.timers.cancelTimers(tx, { taskId: task.id });
    // Any other open step of the electronic issue is not taken any more.
    for (const other of await openTasksOfProcess(tx, process.id)) {
      await updateTask(tx, other.id, { state: 'cancelled', completedAt: now });
      if (ctx.timers) await ctx.timers.cancelTimers(tx, { taskId: other.id });
    }
    await insertPaperIssue(tx, {
      processId: process.id,
      agencyCode: process.agencyCode,
      documentId: process.documentId,
      incidentId: incident.id,
      taskId: task.id,
      paperNotation,
      note,
      issuedBy: by,
      issuedAt: now,
    });
    const updated = await updateProcess(tx, process.id, {
      joins: {},
      variables: { ...process.variables, outcome: 'issued-on-paper' },
    });
    const onTime = !task.dueAt || now.getTime() <= task.dueAt.getTime();
    await recordHistory(tx, ctx, updated, {
      action: 'task-completed',
      actor: by,
      taskId: task.id,
      step: task.step,
      detail: { onTime, result },
    });
    await recordHistory(tx, ctx, updated, {
      action: 'paper-issued',
      actor: by,
      taskId: task.id,
      step: task.step,
      detail: { incidentId: incident.id, paperNotation, note },
    });
    const completedData: TaskCompletedV1 = { ...taskEventFields(completed, now), completedBy: by, onTime };
    await emit(tx, ctx, taskCompletedV1, updated, completedData);
    const data: ProcessPaperIssuedV1 = {
      processId: process.id,
      agencyCode: process.agencyCode,
      documentId: process.documentId,
      incidentId: incident.id,
      taskId: task.id,
      paperNotation,
      issuedBy: by,
      issuedAt: now.toISOString(),
    };
    await emit(tx, ctx, processPaperIssuedV1, updated, data);
    return taskView(completed, now);
  });
}
