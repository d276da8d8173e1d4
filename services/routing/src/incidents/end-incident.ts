import { randomUUID } from 'node:crypto';
import { incidentEndedV1, taskAssignedV1 } from '@vanthu/contracts';
import type { IncidentEndedV1, TaskAssignedV1 } from '@vanthu/contracts';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import { completeIfDone, emit, emitFor, recordHistory, taskEventFields } from '../domain/process-runtime';
import type { RoutingContext } from '../domain/routing-context';
import {
  endIncident,
  lockIncident,
  paperIssuesOfIncidents,
  updatePaperIssue,
} from '../repositories/incidents-repository';
import type { PaperIssueRecord } from '../repositories/incidents-repository';
import { lockProcess } from '../repositories/processes-repository';
import { insertTask } from '../repositories/tasks-repository';
import type { IncidentEnd, IncidentView } from '../schemas/incident';
import { incidentView } from './incident-view';

export type EndIncidentInput = { incidentId: string; body: IncidentEnd };

/** The step of the task that asks for the digitised copy; no definition has it, so no client action completes it. */
export const digitisationStep = 'paper-digitisation';

/**
 * The administrator ends incident mode. Every document issued on paper during it now needs its digitised copy
 * (docs/domain/directives.md, Ngã Năm Điều 8.5c: "later issues the digitised copy"): a task opens for the clerk
 * who issued it, due one working day after the end, and completes only when documents reports that copy
 * (`copy.made`, a digitised SY of that document). One already made during the incident completes the process now.
 */
export async function endIncidentMode(input: EndIncidentInput, ctx: RoutingContext): Promise<Mutation<IncidentView>> {
  requireRole(ctx.identity, 'admin');
  const now = ctx.clock();
  const endedAt = input.body.endedAt ? new Date(input.body.endedAt) : now;
  if (endedAt.getTime() > now.getTime())
    throw new AppError('VALIDATION_FAILED', 'an incident ends when the system is back, not ahead of time', {
      errors: [{ field: 'body.endedAt', message: 'must not be after now' }],
    });
  return ctx.runInTransaction(async (tx) => {
    const incident = await lockIncident(tx, ctx.identity.agencyCode, input.incidentId);
    if (!incident) throw new AppError('NOT_FOUND', `incident ${input.incidentId} not found`);
    if (incident.endedAt)
      throw new AppError('CONFLICT', `incident ${incident.id} already ended at ${incident.endedAt.toISOString()}`);
    if (endedAt.getTime() < incident.startedAt.getTime())
      throw new AppError('VALIDATION_FAILED', `the incident started at ${incident.startedAt.toISOString()}`, {
        errors: [{ field: 'body.endedAt', message: 'must not be before the start' }],
      });
    const ended = await endIncident(tx, incident.id, { endedAt, endedBy: ctx.identity.userId });
    const issues: PaperIssueRecord[] = [];
    for (const issue of await paperIssuesOfIncidents(tx, [incident.id]))
      issues.push(await askForDigitisedCopy(tx, ctx, issue));
    const data: IncidentEndedV1 = {
      incidentId: ended.id,
      agencyCode: ended.agencyCode,
      startedAt: ended.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      endedBy: ctx.identity.userId,
      paperIssues: issues.length,
    };
    await emitFor(tx, ctx, incidentEndedV1, ended, data);
    return incidentView(ended, issues);
  });
}

async function askForDigitisedCopy(tx: Tx, ctx: RoutingContext, issue: PaperIssueRecord): Promise<PaperIssueRecord> {
  const process = await lockProcess(tx, issue.agencyCode, issue.processId);
  if (!process || process.state !== 'active') return issue;
  if (issue.digitisedCopyId) {
    await completeIfDone(tx, ctx, process);
    return issue;
  }
  const now = ctx.clock();
  const calendar = ctx.timers ? await ctx.timers.loadCalendar(tx, process.agencyCode) : undefined;
  const dueAt = ctx.timers && calendar ? ctx.timers.addWorkingTime(now, { workingDays: 1 }, calendar) : null;
  const task = await insertTask(tx, {
    id: randomUUID(),
    processId: process.id,
    agencyCode: process.agencyCode,
    step: digitisationStep,
    name: 'Văn thư phát hành bản số hóa của văn bản đã phát hành bằng giấy',
    assigneeUserId: issue.issuedBy,
    assigneeRole: 'clerk',
    assigneeUnit: null,
    documentId: process.documentId,
    documentVersion: process.documentVersion,
    signatureKind: null,
    // Completed only by documents' report of the digitised copy, never by a client's word.
    actions: [],
    priority: 0,
    urgent: false,
    distributionRole: null,
    direction: null,
    instanceKey: null,
    dueAt,
    createdAt: now,
  });
  const assignee = taskEventFields(task, now).assignee;
  if (ctx.timers && dueAt)
    await ctx.timers.scheduleTimer(tx, {
      agencyCode: task.agencyCode,
      taskId: task.id,
      processId: task.processId,
      kind: 'due',
      fireAt: dueAt,
      payload: {
        step: task.step,
        documentId: task.documentId,
        documentVersion: task.documentVersion,
        assignee,
        dueAt: dueAt.toISOString(),
        escalateTo: { role: 'unit-leader' },
      },
    });
  await recordHistory(tx, ctx, process, {
    action: 'task-opened',
    taskId: task.id,
    step: task.step,
    detail: {
      assignee,
      documentVersion: task.documentVersion,
      dueAt: dueAt?.toISOString() ?? null,
      incidentId: issue.incidentId,
      paperNotation: issue.paperNotation,
    },
  });
  const data: TaskAssignedV1 = taskEventFields(task, now);
  await emit(tx, ctx, taskAssignedV1, process, data);
  return updatePaperIssue(tx, process.id, { digitisationTaskId: task.id });
}
