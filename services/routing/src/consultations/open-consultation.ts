import { randomUUID } from 'node:crypto';
import { consultationOpenedV1 } from '@vanthu/contracts';
import type { ConsultationOpenedV1 } from '@vanthu/contracts';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { insertConsultation } from '../repositories/consultations-repository';
import type { ConsultationCompletion, ConsultationRecord } from '../repositories/consultations-repository';
import { findProcess } from '../repositories/processes-repository';
import type { RoutingContext } from '../domain/routing-context';
import { emitConsultationEvent } from './consultation-events';

export type OpenConsultationInput = {
  documentId: string;
  processId?: string;
  question: string;
  members: string[];
  dueAt: string;
  remindAt?: string;
  completion?: ConsultationCompletion;
  signedAnswers?: boolean;
};

/**
 * Lấy ý kiến (docs/domain/directives.md, Đà Nẵng §2d): the question on a document goes to each member, with one
 * deadline and a completion rule. After the gating date a member without an activated certificate (and no written
 * exception) cannot be asked (Đà Nẵng §1b, same file), exactly like a task assignment. The deadline carries a task's
 * boundary timers: a reminder before it (`remindAt`, or after three quarters of the working time) and the overdue
 * mark at it.
 */
export async function openConsultation(
  input: OpenConsultationInput,
  ctx: RoutingContext,
): Promise<Mutation<ConsultationRecord>> {
  requireRole(ctx.identity, 'specialist', 'unit-leader', 'agency-leader', 'clerk');
  const now = ctx.clock();
  const members = [...new Set(input.members)];
  if (members.length !== input.members.length)
    throw new AppError('VALIDATION_FAILED', 'a member is named twice', {
      errors: [{ field: 'body.members', message: 'members must be distinct' }],
    });
  const dueAt = new Date(input.dueAt);
  if (dueAt.getTime() <= now.getTime())
    throw new AppError('VALIDATION_FAILED', `dueAt ${input.dueAt} is in the past`, {
      errors: [{ field: 'body.dueAt', message: 'deadline must be in the future' }],
    });
  const completion = input.completion ?? 'all';
  if (typeof completion === 'object' && completion.quorum > members.length)
    throw new AppError('VALIDATION_FAILED', `a quorum of ${completion.quorum} among ${members.length} members`, {
      errors: [{ field: 'body.completion.quorum', message: 'cannot exceed the number of members' }],
    });
  const document = await ctx.documents.getDocument(ctx.credentials, input.documentId);
  if (document.agencyCode !== ctx.identity.agencyCode)
    throw new AppError('NOT_FOUND', `document ${input.documentId} not found`);
  return ctx.runInTransaction(async (tx) => {
    if (input.processId) {
      const process = await findProcess(tx, ctx.identity.agencyCode, input.processId);
      if (!process || process.documentId !== document.id)
        throw new AppError('NOT_FOUND', `process ${input.processId} of document ${document.id} not found`);
    }
    if (ctx.timers)
      for (const userId of members)
        await ctx.timers.assertAssignable(tx, { agencyCode: ctx.identity.agencyCode, userId, at: now });
    const consultation = await insertConsultation(tx, {
      id: randomUUID(),
      agencyCode: ctx.identity.agencyCode,
      documentId: document.id,
      processId: input.processId ?? null,
      question: input.question,
      completion,
      dueAt,
      openedBy: ctx.identity.userId,
      openedAt: now,
      signedAnswers: input.signedAnswers ?? false,
      members,
    });
    if (ctx.timers)
      await ctx.timers.scheduleConsultationDeadline(tx, {
        agencyCode: consultation.agencyCode,
        consultationId: consultation.id,
        start: now,
        dueAt,
        calendar: await ctx.timers.loadCalendar(tx, consultation.agencyCode),
        ...(input.remindAt ? { remindAt: new Date(input.remindAt) } : {}),
      });
    const data: ConsultationOpenedV1 = {
      consultationId: consultation.id,
      agencyCode: consultation.agencyCode,
      documentId: consultation.documentId,
      ...(consultation.processId ? { processId: consultation.processId } : {}),
      members,
      completion,
      dueAt: dueAt.toISOString(),
      openedBy: consultation.openedBy,
      openedAt: now.toISOString(),
    };
    await emitConsultationEvent(tx, ctx, consultationOpenedV1, consultation, data);
    return consultation;
  });
}
