import { randomUUID } from 'node:crypto';
import { deliveryRequestedV1 } from '@vanthu/contracts';
import { AppError } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import type { UserTaskElement } from '../definitions/definition-schema';
import { userTask } from '../definitions/parse-definition';
import { moveOpenTasksToVersion } from '../repositories/tasks-repository';
import { updateProcess } from '../repositories/processes-repository';
import type { ProcessRecord } from '../repositories/processes-repository';
import type { TaskRecord } from '../repositories/tasks-repository';
import type { CompleteTaskBody, TaskView } from '../schemas/routing';
import { emit, finishTask, recordHistory } from './process-runtime';
import type { AssignmentItem } from './process-runtime';
import type { RoutingContext } from './routing-context';
import { contentVersionOf } from './start-process';
import { deliverToLocalAgencies } from './deliver-to-local-agencies';
import { lockTaskFor } from './task-access';
import type { LockedTask } from './task-access';
import { needsOwnerReview, submitForOwnerReview } from './owner-review';
import { taskView } from './views';
import { returnProcess } from './return-task';
import { checkComponents } from '../submissions/open-submission';
import { checkDossier, contentInitialStep } from '../submissions/check-dossier';
import { loadSubmissionPolicy } from '../submissions/submission-policy';

export type CompleteTaskInput = { taskId: string; body: CompleteTaskBody };

/**
 * Completes a step that needs no signature, with the form the step asks for: the clerk's
 * registration, the leader's distribution, the clerk's issue, the lead's closing. A signature step
 * is refused here: it completes only when signing reports the signature. On a step whose definition asks for the
 * owner's review, a delegate's completion goes back to the owner instead (the form is applied when they accept).
 */
export async function completeTask(input: CompleteTaskInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return ctx.runInTransaction(async (tx) => {
    const locked = await lockTaskFor(tx, ctx.identity, input.taskId, 'complete');
    const { task, definition } = locked;
    const element = userTask(definition, task.step);
    assertFormFits(element, input.body);
    if (needsOwnerReview(element, task, ctx.identity.userId))
      return taskView(await submitForOwnerReview(tx, ctx, locked, input.body), ctx.clock());
    const applied = await applyCompletionForm(tx, ctx, locked, input.body);
    if (applied.returned) return taskView(applied.returned, ctx.clock());
    const finished = await finishTask(tx, ctx, applied.process, definition, task, {
      by: ctx.identity.userId,
      result: applied.result,
    });
    return taskView(finished.task, ctx.clock());
  });
}

export type AppliedForm = { process: ProcessRecord; result: Record<string, unknown>; returned?: TaskRecord };

/**
 * The effects of a completion's form, in the caller's transaction with the process locked: registration,
 * distribution, issue, closing, a submission's round, the Office's dossier check (which may return the task).
 */
export async function applyCompletionForm(
  tx: Tx,
  ctx: RoutingContext,
  locked: LockedTask,
  body: CompleteTaskBody,
): Promise<AppliedForm> {
  const { task, definition } = locked;
  let process = locked.process;
  const element = userTask(definition, task.step);
  const result: Record<string, unknown> = {};
  if (body.comment) result.comment = body.comment;
  if (element.submitsVersion) process = await learnCurrentVersion(tx, ctx, process);
  switch (element.form) {
    case 'registration': {
      const registered = await ctx.documents.registerDocument(
        ctx.credentials,
        process.documentId,
        body.registration as Record<string, unknown>,
        `routing-${task.id}-registration`,
      );
      const registration = (registered.document as { registration?: unknown } | undefined)?.registration;
      result.registration = registration ?? null;
      break;
    }
    case 'distribution':
      process = await updateProcess(tx, process.id, {
        variables: { ...process.variables, ...distributionVariables(body, ctx.clock()) },
      });
      result.distribution = body.distribution;
      break;
    case 'issuance': {
      const issued = await issue(tx, ctx, process, task, body);
      result.delivery = issued.delivery;
      process = issued.process;
      break;
    }
    case 'closing': {
      const closing = body.closing as NonNullable<CompleteTaskBody['closing']>;
      if (closing.dossierId)
        await ctx.documents.fileIntoDossier(
          ctx.credentials,
          closing.dossierId,
          process.documentId,
          `routing-${task.id}-dossier`,
        );
      result.closing = closing;
      break;
    }
    case 'submission': {
      const sent = await sendSubmission(tx, ctx, process, task, body);
      process = sent;
      result.round = sent.variables.round;
      result.components = sent.variables.components;
      break;
    }
    case 'dossier-check': {
      const policy = await loadSubmissionPolicy(tx, process.agencyCode);
      const findings = await checkDossier(tx, ctx, process, policy);
      const round = process.variables.round;
      if (findings.length > 0) {
        // docs/domain/directives.md, Đà Nẵng §2a: an incomplete dossier is not presented; it goes back to its sender
        // with the reason, who corrects it and initials again (§2c).
        const reason = [
          'Hồ sơ chưa đủ điều kiện trình: ',
          findings.map((f) => f.message).join('; '),
          body.comment ? ` (${body.comment})` : '',
        ].join('');
        const returned = await returnProcess(
          tx,
          ctx,
          { process, definition, task },
          { reason: reason.slice(0, 2000), toStep: contentInitialStep },
          { round, findings },
        );
        return { process, result, returned };
      }
      await recordHistory(tx, ctx, process, {
        action: 'submission-presented',
        taskId: task.id,
        step: task.step,
        detail: { round, components: process.variables.components },
      });
      result.check = { round, findings: [] };
      break;
    }
    default:
      break;
  }
  return { process, result };
}

const formFields = ['registration', 'distribution', 'issuance', 'closing', 'submission'] as const;

function assertFormFits(element: UserTaskElement, body: CompleteTaskBody): void {
  for (const field of formFields) {
    if (body[field] !== undefined && element.form !== field)
      throw new AppError('VALIDATION_FAILED', `step ${element.id} takes no ${field}`, {
        errors: [{ field: `body.${field}`, message: `not a ${field} step` }],
      });
  }
  if (
    (element.form === 'registration' || element.form === 'distribution' || element.form === 'closing') &&
    !body[element.form]
  )
    throw new AppError('VALIDATION_FAILED', `step ${element.id} needs its ${element.form}`, {
      errors: [{ field: `body.${element.form}`, message: 'required' }],
    });
}

/** The author hands a version on: the tasks that follow concern what documents holds now. */
async function learnCurrentVersion(tx: Tx, ctx: RoutingContext, process: ProcessRecord): Promise<ProcessRecord> {
  const document = await ctx.documents.getDocument(ctx.credentials, process.documentId);
  const contentVersion = Math.max(process.contentVersion, contentVersionOf(document));
  const documentVersion = Math.max(process.documentVersion, document.currentVersion);
  if (contentVersion === process.contentVersion && documentVersion === process.documentVersion) return process;
  const updated = await updateProcess(tx, process.id, { contentVersion, documentVersion });
  await moveOpenTasksToVersion(tx, process.id, documentVersion);
  await recordHistory(tx, ctx, updated, {
    action: 'version-submitted',
    detail: { documentVersion, contentVersion, previousContentVersion: process.contentVersion },
  });
  return updated;
}

/** NĐ 30/2020 Điều 23: one chủ trì, any phối hợp and để biết, each with a deadline and the direction. */
function distributionVariables(body: CompleteTaskBody, now: Date): Record<string, AssignmentItem[]> {
  const distribution = body.distribution as NonNullable<CompleteTaskBody['distribution']>;
  if (!distribution.lead)
    throw new AppError('VALIDATION_FAILED', 'a distribution needs one lead (chủ trì)', {
      errors: [{ field: 'body.distribution.lead', message: 'required' }],
    });
  const items: { item: NonNullable<typeof distribution.lead>; role: 'lead' | 'cooperate' | 'inform'; field: string }[] =
    [
      { item: distribution.lead, role: 'lead', field: 'body.distribution.lead' },
      ...(distribution.cooperate ?? []).map((item, i) => ({
        item,
        role: 'cooperate' as const,
        field: `body.distribution.cooperate.${i}`,
      })),
      ...(distribution.inform ?? []).map((item, i) => ({
        item,
        role: 'inform' as const,
        field: `body.distribution.inform.${i}`,
      })),
    ];
  const toItem = ({ item, role, field }: (typeof items)[number]): AssignmentItem => {
    if (!item.userId && !item.unit)
      throw new AppError('VALIDATION_FAILED', `${field} names neither a person nor a unit`, {
        errors: [{ field, message: 'userId or unit is required' }],
      });
    if (item.dueAt && new Date(item.dueAt).getTime() <= now.getTime())
      throw new AppError('VALIDATION_FAILED', `${field}.dueAt ${item.dueAt} is in the past`, {
        errors: [{ field: `${field}.dueAt`, message: 'deadline must be in the future' }],
      });
    const assignment: AssignmentItem = { distributionRole: role, direction: item.direction ?? distribution.direction };
    if (item.userId) assignment.userId = item.userId;
    if (item.unit) assignment.unit = item.unit;
    if (!item.userId) assignment.role = 'unit-leader';
    if (item.dueAt) assignment.dueAt = new Date(item.dueAt).toISOString();
    return assignment;
  };
  const [lead, ...supporters] = items.map(toItem);
  return { lead: [lead as AssignmentItem], supporters };
}

/**
 * NĐ 30/2020 Điều 16: the clerk releases the document (documents marks it issued), and routing
 * hands it to every recipient: agencies on this instance directly, the others through the hub.
 */
async function issue(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  task: TaskRecord,
  body: CompleteTaskBody,
): Promise<{ delivery: Record<string, unknown>; process: ProcessRecord }> {
  const issued = await ctx.documents.issueDocument(ctx.credentials, process.documentId, `routing-${task.id}-issue`);
  const final = issued.versions.find((v) => v.version === issued.currentVersion);
  if (!final) throw new AppError('INTERNAL', `documents returned no current version for ${issued.id}`);
  const declared = Array.isArray(issued.metadata.to)
    ? (issued.metadata.to as { organId: string; organName?: string }[])
    : [];
  const recipients = (
    body.issuance?.recipients ?? declared.map((r) => ({ organId: r.organId, organName: r.organName ?? r.organId }))
  ).filter((r) => r.organId !== process.agencyCode);
  const local = recipients.filter((r) => ctx.localAgencies.includes(r.organId));
  const external = recipients.filter((r) => !ctx.localAgencies.includes(r.organId));
  const now = ctx.clock();
  const delivery: Record<string, unknown> = { version: final.version, sha256: final.sha256, local, external };
  const localDeliveries = await deliverToLocalAgencies(tx, ctx, {
    process,
    issued,
    version: final.version,
    sha256: final.sha256,
    recipients: local.map((r) => r.organId),
  });
  delivery.localDeliveries = localDeliveries;
  const updated = await updateProcess(tx, process.id, {
    variables: { ...process.variables, issuedVersion: final.version, issuedSha256: final.sha256, recipients },
  });
  if (external.length > 0) {
    const deliveryId = randomUUID();
    delivery.deliveryId = deliveryId;
    await emit(tx, ctx, deliveryRequestedV1, process, {
      deliveryId,
      processId: process.id,
      agencyCode: process.agencyCode,
      documentId: process.documentId,
      version: final.version,
      sha256: final.sha256,
      recipients: external,
      requestedAt: now.toISOString(),
    });
  }
  await recordHistory(tx, ctx, updated, {
    action: 'document-issued',
    taskId: task.id,
    step: task.step,
    detail: delivery,
  });
  return { delivery, process: updated };
}

/**
 * The sender sends the dossier up, round after round: the components as they are now (a correction may replace
 * them) and the round's number, so the history shows every round (docs/domain/directives.md, Đà Nẵng §2c).
 */
async function sendSubmission(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  task: TaskRecord,
  body: CompleteTaskBody,
): Promise<ProcessRecord> {
  const components =
    body.submission?.components !== undefined
      ? await checkComponents(ctx, body.submission.components, 'body.submission.components')
      : process.variables.components;
  const round = (typeof process.variables.round === 'number' ? process.variables.round : 0) + 1;
  const updated = await updateProcess(tx, process.id, { variables: { ...process.variables, components, round } });
  await recordHistory(tx, ctx, updated, {
    action: 'submission-sent',
    taskId: task.id,
    step: task.step,
    detail: { round, components, contentVersion: updated.contentVersion, documentVersion: updated.documentVersion },
  });
  return updated;
}
