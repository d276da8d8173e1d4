import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { processCompletedV1, processStartedV1, taskAssignedV1, taskCompletedV1 } from '@vanthu/contracts';
import type { EventDefinition, ProcessCompletedV1, TaskAssignedV1, TaskCompletedV1 } from '@vanthu/contracts';
import type { ProcessDefinitionBody, UserTaskElement } from '../definitions/definition-schema';
import { userTask } from '../definitions/parse-definition';
import { advance, multiInstanceDone, startTokens } from '../engine/advance';
import { insertHistoryEntry, lastHistoryEntry } from '../repositories/history-repository';
import { updateProcess } from '../repositories/processes-repository';
import type { ProcessRecord } from '../repositories/processes-repository';
import { signaturesOfProcess } from '../repositories/signatures-repository';
import { insertTask, openTasksOfProcess, tasksOfProcess, updateTask } from '../repositories/tasks-repository';
import type { DistributionRole, TaskAuthority, TaskRecord } from '../repositories/tasks-repository';
import { genesisHash, historyHash } from './history-chain';
import { bufferEvent, historyBuffer } from './write-buffer';
import type { RoutingContext } from './routing-context';
import type { WorkingCalendar } from '../timers';

// The engine's effects on the database: opening steps, completing tasks, moving tokens on, ending
// the process, each with its audit row and its outbox event in the caller's transaction. Every
// caller holds the process row lock, so one process changes one transaction at a time.

/** One assignee of a multi-instance step (the leader's distribution writes these). */
export type AssignmentItem = {
  userId?: string;
  unit?: string;
  role?: string;
  dueAt?: string;
  direction?: string;
  distributionRole?: DistributionRole;
};

export async function recordHistory(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  entry: {
    action: string;
    actor?: string;
    taskId?: string | null;
    step?: string | null;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  const buffer = historyBuffer(tx);
  const last = buffer?.last.has(process.id) ? buffer.last.get(process.id) : await lastHistoryEntry(tx, process.id);
  const fields = {
    processId: process.id,
    seq: (last?.seq ?? 0) + 1,
    // Rows of one chain keep their order even when the clock stands still or steps back in a test.
    at: new Date(Math.max(ctx.clock().getTime(), last ? last.at.getTime() : 0)),
    actor: entry.actor ?? ctx.identity.userId,
    action: entry.action,
    taskId: entry.taskId ?? null,
    step: entry.step ?? null,
    detail: entry.detail ?? {},
    previousHash: last?.hash ?? genesisHash,
  };
  const row = { ...fields, hash: historyHash(fields) };
  if (!buffer) {
    await insertHistoryEntry(tx, row);
    return;
  }
  buffer.history.push(row);
  buffer.last.set(process.id, row);
}

/** Routing's events go through the outbox keyed by their aggregate (a process, a consultation) and agency. */
export async function emitFor<T>(
  tx: Tx,
  ctx: RoutingContext,
  definition: EventDefinition,
  aggregate: { id: string; agencyCode: string },
  data: T,
): Promise<void> {
  const context = { source: ctx.events.source, requestId: ctx.requestId, agencyCode: aggregate.agencyCode };
  if (bufferEvent(tx, definition, aggregate.id, data, context, ctx.events.topicPrefix)) return;
  await enqueueEvent(tx, definition, aggregate.id, data, context, ctx.events.topicPrefix);
}

export async function emit<T>(
  tx: Tx,
  ctx: RoutingContext,
  definition: EventDefinition,
  process: ProcessRecord,
  data: T,
): Promise<void> {
  await emitFor(tx, ctx, definition, process, data);
}

export function taskEventFields(task: TaskRecord, at: Date) {
  const assignee: { userId?: string; role?: string; unit?: string } = {};
  if (task.assigneeUserId) assignee.userId = task.assigneeUserId;
  if (task.assigneeRole) assignee.role = task.assigneeRole;
  if (task.assigneeUnit) assignee.unit = task.assigneeUnit;
  return {
    taskId: task.id,
    processId: task.processId,
    agencyCode: task.agencyCode,
    step: task.step,
    assignee,
    documentId: task.documentId,
    documentVersion: task.documentVersion,
    ...(task.dueAt ? { dueAt: task.dueAt.toISOString() } : {}),
    ...(task.authority ? { authority: task.authority } : {}),
    at: at.toISOString(),
  };
}

/**
 * Who a step's escalation goes to, resolved like an assignee ('starter', 'variable:<name>'): the definition's
 * boundary `escalateTo`, or undefined for the default (the unit head of the task's unit).
 */
export function escalationTarget(
  process: ProcessRecord,
  element: UserTaskElement,
  task: TaskRecord,
): { userId?: string; role: string; unit?: string } | undefined {
  const declared = element.boundaryEvents?.find((b) => b.kind === 'escalation')?.escalateTo;
  if (!declared) return undefined;
  const userId =
    declared.user === 'starter'
      ? process.startedBy
      : declared.user?.startsWith('variable:')
        ? stringVariable(process, declared.user.slice('variable:'.length))
        : undefined;
  const unit = declared.unit === 'starter' ? (process.startedUnit ?? task.assigneeUnit) : declared.unit;
  return { role: declared.role, ...(userId ? { userId } : {}), ...(unit ? { unit } : {}) };
}

/** How the holder of an approval signs by the definition alone (no delegation). */
export function definitionAuthority(element: UserTaskElement): TaskAuthority | null {
  const prefix = element.signature?.kind === 'approval' ? element.signature.authorityPrefix : undefined;
  return prefix ? { prefix, onBehalfOf: null } : null;
}

/** Ủy quyền of a step the assignee signs as the approver: by default thừa ủy quyền (NĐ 30/2020 Điều 13.3). */
export const defaultDelegatedPrefix = 'TUQ.' as const;

/**
 * How the assignee of a new task signs (NĐ 30/2020 Điều 13): the definition's prefix for the approval (TM. for the
 * head of a collective), and when a delegation in force gave the approval to someone else, that person signs on the
 * owner's behalf (thừa ủy quyền).
 */
function authorityOf(element: UserTaskElement, ownerUserId: string | null): TaskAuthority | null {
  if (element.signature?.kind !== 'approval') return null;
  if (ownerUserId) return { prefix: defaultDelegatedPrefix, onBehalfOf: ownerUserId };
  return element.signature.authorityPrefix ? { prefix: element.signature.authorityPrefix, onBehalfOf: null } : null;
}

const urgentLevels = new Set(['urgent', 'very-urgent', 'immediate']);
export const isUrgent = (urgency: string | null): boolean => urgency !== null && urgentLevels.has(urgency);

/** Opens the first steps of a new process and announces it. */
export async function startTokensOf(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  definition: ProcessDefinitionBody,
): Promise<ProcessRecord> {
  await announceStart(tx, ctx, process);
  const tokens = startTokens(definition, process.variables);
  return applyAdvance(tx, ctx, process, definition, tokens);
}

/** The process-started row and event. */
export async function announceStart(tx: Tx, ctx: RoutingContext, process: ProcessRecord): Promise<void> {
  await recordHistory(tx, ctx, process, {
    action: 'process-started',
    detail: {
      kind: process.kind,
      definitionId: process.definitionId,
      definitionVersion: process.definitionVersion,
      documentId: process.documentId,
      documentVersion: process.documentVersion,
      urgency: process.urgency,
    },
  });
  await emit(tx, ctx, processStartedV1, process, {
    processId: process.id,
    agencyCode: process.agencyCode,
    kind: process.kind,
    definitionId: process.definitionId,
    definitionVersion: process.definitionVersion,
    documentId: process.documentId,
    startedBy: process.startedBy,
    startedAt: process.startedAt.toISOString(),
    ...(process.urgency ? { urgency: process.urgency as 'normal' } : {}),
  });
}

async function applyAdvance(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  definition: ProcessDefinitionBody,
  moved: ReturnType<typeof advance>,
): Promise<ProcessRecord> {
  // The joins change only at a parallel gateway: a plain sequence writes nothing here.
  let current = isDeepStrictEqual(moved.joins, process.joins)
    ? process
    : await updateProcess(tx, process.id, { joins: moved.joins });
  for (const step of moved.activate) current = await openStep(tx, ctx, current, definition, step);
  if (current.state === 'active' && moved.ended > 0) current = await completeIfDone(tx, ctx, current);
  return current;
}

/** Moves the token on from a finished step. */
export async function advanceFrom(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  definition: ProcessDefinitionBody,
  step: string,
): Promise<ProcessRecord> {
  return applyAdvance(tx, ctx, process, definition, advance(definition, step, process.variables, process.joins));
}

export async function completeIfDone(tx: Tx, ctx: RoutingContext, process: ProcessRecord): Promise<ProcessRecord> {
  const open = await openTasksOfProcess(tx, process.id);
  if (open.length > 0 || Object.keys(process.joins).length > 0) return process;
  const now = ctx.clock();
  const outcome = typeof process.variables.outcome === 'string' ? process.variables.outcome : defaultOutcome(process);
  const completed = await updateProcess(tx, process.id, { state: 'completed', outcome, completedAt: now });
  await recordHistory(tx, ctx, completed, { action: 'process-completed', detail: { outcome } });
  const data: ProcessCompletedV1 = {
    processId: completed.id,
    agencyCode: completed.agencyCode,
    kind: completed.kind,
    documentId: completed.documentId,
    outcome,
    completedAt: now.toISOString(),
  };
  if (completed.dueAt) {
    data.dueAt = completed.dueAt.toISOString();
    data.onTime = now.getTime() <= completed.dueAt.getTime();
  }
  await emit(tx, ctx, processCompletedV1, completed, data);
  return completed;
}

const defaultOutcome = (process: ProcessRecord): string => (process.kind === 'incoming' ? 'closed' : 'issued');

/**
 * Opens a step. A step that relies on earlier signatures (the leader's approval relies on both
 * initials) first checks they still vouch for the current content: after an edit, the initials on
 * the old content no longer count and the token goes back to the first step whose signature is missing.
 */
export async function openStep(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  definition: ProcessDefinitionBody,
  step: string,
  options: { assigneeUserId?: string; reason?: string } = {},
): Promise<ProcessRecord> {
  const element = userTask(definition, step);
  if (element.requiresSignaturesOf && element.requiresSignaturesOf.length > 0) {
    const signatures = await signaturesOfProcess(tx, process.id);
    for (const required of element.requiresSignaturesOf) {
      const valid = signatures.some((s) => s.step === required && s.contentVersion === process.contentVersion);
      if (!valid) {
        const stale = signatures.filter((s) => s.step === required).map((s) => s.signatureId);
        await recordHistory(tx, ctx, process, {
          action: 'signatures-required-again',
          step: required,
          detail: { before: step, contentVersion: process.contentVersion, staleSignatures: stale },
        });
        const previous = (await tasksOfProcess(tx, process.id))
          .filter((t) => t.step === required && t.state === 'completed')
          .at(-1);
        return openStep(tx, ctx, process, definition, required, {
          ...(previous?.completedBy ? { assigneeUserId: previous.completedBy } : {}),
        });
      }
    }
  }
  if (element.multiInstance) {
    const raw = process.variables[element.multiInstance.collection];
    const items = Array.isArray(raw) ? (raw as AssignmentItem[]) : [];
    if (items.length === 0) return advanceFrom(tx, ctx, process, definition, step);
    const round = randomUUID();
    for (const [index, item] of items.entries())
      await createTask(tx, ctx, process, element, { item, instanceKey: `${round}:${index}` });
    return process;
  }
  const assigneeUserId =
    options.assigneeUserId ??
    (element.assignee.user === 'starter'
      ? process.startedBy
      : element.assignee.user?.startsWith('variable:')
        ? stringVariable(process, element.assignee.user.slice('variable:'.length))
        : undefined);
  await createTask(tx, ctx, process, element, { ...(assigneeUserId ? { item: { userId: assigneeUserId } } : {}) });
  return process;
}

function stringVariable(process: ProcessRecord, name: string): string | undefined {
  const value = process.variables[name];
  return typeof value === 'string' ? value : undefined;
}

async function createTask(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  element: UserTaskElement,
  options: { item?: AssignmentItem; instanceKey?: string },
): Promise<TaskRecord> {
  const now = ctx.clock();
  const item = options.item ?? {};
  let userId = item.userId ?? null;
  let ownerUserId: string | null = null;
  if (userId && ctx.timers) {
    // Certificate gating and absences are the timers module's rules; routing only asks.
    await ctx.timers.assertAssignable(tx, { agencyCode: process.agencyCode, userId, at: now });
    const receiver = await ctx.timers.resolveDelegate(tx, { agencyCode: process.agencyCode, userId, at: now });
    // A delegation in force gives the task to the delegate; the person it was meant for stays its owner.
    if (receiver !== userId) [ownerUserId, userId] = [userId, receiver];
  }
  const unit =
    item.unit ?? (element.assignee.unit === 'starter' ? process.startedUnit : (element.assignee.unit ?? null));
  let dueAt: Date | null = item.dueAt ? new Date(item.dueAt) : null;
  const calendar = ctx.timers ? await ctx.timers.loadCalendar(tx, process.agencyCode) : undefined;
  if (!dueAt && element.dueIn && ctx.timers && calendar)
    dueAt = ctx.timers.addWorkingTime(now, element.dueIn, calendar);
  const urgent = isUrgent(process.urgency);
  const task = await insertTask(tx, {
    id: randomUUID(),
    processId: process.id,
    agencyCode: process.agencyCode,
    step: element.id,
    name: element.name,
    assigneeUserId: userId,
    assigneeRole: item.role ?? element.assignee.role,
    assigneeUnit: unit,
    documentId: process.documentId,
    documentVersion: process.documentVersion,
    signatureKind: element.signature?.kind ?? null,
    actions: element.actions,
    priority: urgent ? 10 : 0,
    urgent,
    distributionRole: item.distributionRole ?? null,
    direction: item.direction ?? null,
    instanceKey: options.instanceKey ?? null,
    dueAt,
    createdAt: now,
    ownerUserId,
    authority: authorityOf(element, ownerUserId),
  });
  if (ctx.timers) await scheduleDeadlines(tx, ctx, process, element, task, calendar);
  await recordHistory(tx, ctx, process, {
    action: 'task-opened',
    taskId: task.id,
    step: task.step,
    detail: {
      assignee: taskEventFields(task, now).assignee,
      documentVersion: task.documentVersion,
      dueAt: task.dueAt?.toISOString() ?? null,
      distributionRole: task.distributionRole,
      direction: task.direction,
      urgent,
      ...(task.ownerUserId ? { ownerUserId: task.ownerUserId } : {}),
      ...(task.authority ? { authority: task.authority } : {}),
    },
  });
  const data: TaskAssignedV1 = { ...taskEventFields(task, now), ...(urgent ? { urgent } : {}) };
  if (task.distributionRole) data.role = task.distributionRole;
  await emit(tx, ctx, taskAssignedV1, process, data);
  return task;
}

/**
 * The task's timers, through the timers module: its deadline (reminder, overdue report to the unit head,
 * an interrupting escalation where the definition says so) and the same-day flags of NĐ 30/2020 Điều 18,
 * 22 and 23 for the clerk's registration, the leader's transfer and the clerk's issue.
 */
async function scheduleDeadlines(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  element: UserTaskElement,
  task: TaskRecord,
  calendar: WorkingCalendar | undefined,
): Promise<void> {
  if (!calendar) return;
  const timers = ctx.timers as NonNullable<RoutingContext['timers']>;
  const assignee = taskEventFields(task, task.createdAt).assignee;
  const escalateTo = { role: 'unit-leader', ...(task.assigneeUnit ? { unit: task.assigneeUnit } : {}) };
  const base = {
    agencyCode: task.agencyCode,
    taskId: task.id,
    processId: task.processId,
    step: task.step,
    documentId: task.documentId,
    assignee,
  };
  if (task.dueAt && !element.dueIn) {
    // A deadline set by the leader's distribution is an instant, not an amount of working time.
    await timers.scheduleTimer(tx, {
      agencyCode: task.agencyCode,
      taskId: task.id,
      processId: task.processId,
      kind: 'due',
      fireAt: task.dueAt,
      payload: {
        step: task.step,
        documentId: task.documentId,
        documentVersion: task.documentVersion,
        assignee,
        dueAt: task.dueAt.toISOString(),
        escalateTo,
      },
    });
  } else if (element.dueIn) {
    const reminder = element.boundaryEvents?.some((b) => b.kind === 'reminder');
    const interrupting = element.boundaryEvents?.find((b) => b.kind === 'escalation' && b.interrupting);
    await timers.scheduleTaskDeadline(tx, {
      ...base,
      documentVersion: task.documentVersion,
      start: task.createdAt,
      deadline: element.dueIn,
      calendar,
      remindAt: reminder ? 0.75 : false,
      escalateTo: escalationTarget(process, element, task) ?? escalateTo,
      ...(interrupting ? { interruptAfter: interrupting.offset } : {}),
    });
  }
  const sla =
    element.form === 'registration'
      ? 'registration'
      : element.form === 'distribution'
        ? 'transfer'
        : element.form === 'issuance'
          ? 'issue'
          : undefined;
  if (sla && process.kind !== 'submission')
    await timers.scheduleSameDaySla(tx, {
      ...base,
      sla,
      since: task.createdAt,
      calendar,
      escalateTo,
    });
}

/**
 * Completes a task and, when its step is done (a multi-instance step by its completion rule),
 * moves the process on. Returns the updated task and process.
 */
export async function finishTask(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  definition: ProcessDefinitionBody,
  task: TaskRecord,
  outcome: {
    by: string;
    result?: Record<string, unknown>;
    signatureId?: string;
    authorityPrefix?: string | null;
    reviewedBy?: string;
  },
): Promise<{ task: TaskRecord; process: ProcessRecord }> {
  const now = ctx.clock();
  const completed = await updateTask(tx, task.id, {
    state: 'completed',
    completedAt: now,
    completedBy: outcome.by,
    outcome: outcome.result ?? {},
    ...(task.assigneeUserId ? {} : { assigneeUserId: outcome.by }),
  });
  if (ctx.timers) await ctx.timers.cancelTimers(tx, { taskId: task.id });
  const onTime = !task.dueAt || now.getTime() <= task.dueAt.getTime();
  await recordHistory(tx, ctx, process, {
    action: 'task-completed',
    actor: outcome.by,
    taskId: task.id,
    step: task.step,
    detail: {
      onTime,
      ...(outcome.signatureId ? { signatureId: outcome.signatureId } : {}),
      ...(outcome.authorityPrefix !== undefined ? { authorityPrefix: outcome.authorityPrefix } : {}),
      result: outcome.result ?? {},
    },
  });
  const data: TaskCompletedV1 = { ...taskEventFields(completed, now), completedBy: outcome.by, onTime };
  if (outcome.signatureId) data.signatureId = outcome.signatureId;
  if (outcome.authorityPrefix !== undefined) data.authorityPrefix = outcome.authorityPrefix;
  if (outcome.reviewedBy) data.reviewedBy = outcome.reviewedBy;
  await emit(tx, ctx, taskCompletedV1, process, data);

  const element = userTask(definition, task.step);
  if (element.multiInstance && task.instanceKey) {
    const round = task.instanceKey.split(':')[0];
    const siblings = (await tasksOfProcess(tx, process.id)).filter(
      (t) => t.step === task.step && t.instanceKey?.startsWith(`${round}:`),
    );
    const done = siblings.filter((t) => t.state === 'completed').length;
    if (!multiInstanceDone(element.multiInstance.completion, siblings.length, done))
      return { task: completed, process };
    for (const sibling of siblings.filter((t) => t.state === 'open' || t.state === 'claimed')) {
      await updateTask(tx, sibling.id, { state: 'cancelled', completedAt: now });
      if (ctx.timers) await ctx.timers.cancelTimers(tx, { taskId: sibling.id });
    }
  }
  const moved = await advanceFrom(tx, ctx, process, definition, task.step);
  return { task: completed, process: moved };
}

/** 409 naming the allowed actions when a step does not allow this one. */
export function assertActionAllowed(task: TaskRecord, action: string): void {
  if (task.state === 'completed' || task.state === 'returned' || task.state === 'cancelled') {
    throw new AppError('CONFLICT', `task ${task.id} is already ${task.state}; nothing more can be done on it`);
  }
  const allowed = allowedActions(task);
  if (!allowed.includes(action as never)) {
    throw new AppError(
      'CONFLICT',
      `step ${task.step} does not allow ${action} in state ${task.state}; allowed: ${allowed.join(', ') || 'none'}`,
    );
  }
}

/** What can be done on a task now (a signature step completes only through the signature). */
export function allowedActions(task: TaskRecord): string[] {
  if (task.state !== 'open' && task.state !== 'claimed') return [];
  // Delegated work waiting for its owner: the owner's review is the only way on.
  if (task.review) return ['review'];
  return task.actions.filter((action) => {
    if (action === 'claim') return task.assigneeUserId === null;
    if (action === 'complete') return task.signatureKind === null;
    return true;
  });
}
