import { consultationAnsweredV1 } from '@vanthu/contracts';
import type { ConsultationAnsweredV1 } from '@vanthu/contracts';
import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { multiInstanceDone } from '../engine/advance';
import { findConsultation, recordAnswer } from '../repositories/consultations-repository';
import type { ConsultationAnswer, ConsultationRecord } from '../repositories/consultations-repository';
import type { RoutingContext } from '../domain/routing-context';
import { closeWithTally, emitConsultationEvent } from './consultation-events';

export type AnswerConsultationInput = { consultationId: string; answer: ConsultationAnswer; comment?: string };

/**
 * A member answers once: agree, disagree or comments. An answer after the deadline is still taken and reported
 * late (onTime false). The answer that meets the completion rule closes the consultation.
 */
export async function answerConsultation(
  input: AnswerConsultationInput,
  ctx: RoutingContext,
): Promise<Mutation<ConsultationRecord>> {
  return ctx.runInTransaction(async (tx) => {
    const consultation = await findConsultation(tx, ctx.identity.agencyCode, input.consultationId, true);
    if (!consultation) throw new AppError('NOT_FOUND', `consultation ${input.consultationId} not found`);
    const member = consultation.members.find((m) => m.userId === ctx.identity.userId);
    if (!member) throw new AppError('FORBIDDEN', `${ctx.identity.userId} is not a member of this consultation`);
    if (consultation.state === 'closed')
      throw new AppError('CONFLICT', `consultation ${consultation.id} is closed (${consultation.closeReason})`);
    if (consultation.signedAnswers)
      // docs/domain/directives.md, Đà Nẵng §3b: here the answer is signed by the member; an unsigned word does not
      // count.
      throw new AppError(
        'CONFLICT',
        `consultation ${consultation.id} takes signed answers only: POST /v1/consultations/${consultation.id}/answer-sheets, then sign the sheet`,
      );
    if (member.answer)
      throw new AppError(
        'CONFLICT',
        `${member.userId} already answered ${member.answer} at ${member.answeredAt?.toISOString()}`,
      );
    if (input.answer !== 'agree' && !input.comment)
      throw new AppError('VALIDATION_FAILED', `an answer of ${input.answer} needs its comment`, {
        errors: [{ field: 'body.comment', message: 'required unless the answer is agree' }],
      });
    const now = ctx.clock();
    await recordAnswer(tx, {
      consultationId: consultation.id,
      userId: member.userId,
      answer: input.answer,
      comment: input.comment ?? null,
      at: now,
    });
    const data: ConsultationAnsweredV1 = {
      consultationId: consultation.id,
      agencyCode: consultation.agencyCode,
      documentId: consultation.documentId,
      memberUserId: member.userId,
      answer: input.answer,
      dueAt: consultation.dueAt.toISOString(),
      onTime: now.getTime() <= consultation.dueAt.getTime(),
      answeredAt: now.toISOString(),
    };
    await emitConsultationEvent(tx, ctx, consultationAnsweredV1, consultation, data);
    const answered = (await findConsultation(tx, consultation.agencyCode, consultation.id)) as ConsultationRecord;
    const done = answered.members.filter((m) => m.answer !== null).length;
    if (multiInstanceDone(answered.completion, answered.members.length, done))
      await closeWithTally(tx, ctx, answered, 'completion-rule');
    return (await findConsultation(tx, consultation.agencyCode, consultation.id)) as ConsultationRecord;
  });
}
