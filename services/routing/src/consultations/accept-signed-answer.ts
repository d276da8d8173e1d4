import { consultationAnsweredV1 } from '@vanthu/contracts';
import type { ConsultationAnsweredV1, SignatureAppliedV1 } from '@vanthu/contracts';
import type { Mutation } from '@vanthu/platform';
import { multiInstanceDone } from '../engine/advance';
import {
  acceptAnswerSheet,
  findAnswerSheet,
  findConsultation,
  recordAnswer,
} from '../repositories/consultations-repository';
import type { RoutingContext } from '../domain/routing-context';
import { closeWithTally, emitConsultationEvent } from './consultation-events';

export type AcceptSignedAnswerInput = { event: SignatureAppliedV1; eventId: string };
export type SignedAnswerOutcome = { accepted: boolean; reason?: string } | null;

/**
 * A member's signed answer, step two: signing reported a signature (`signature.applied`, consumed once through the
 * inbox). On an answer sheet waiting for its signature it is the member's answer only when the member signed it
 * personally, as a consultation answer (`consultation-answer`, which signing grants only against routing's claim on this
 * sheet), on the very version routing stored. Anything
 * else leaves the sheet waiting. Null when the document is no answer sheet.
 */
export async function acceptSignedAnswer(
  input: AcceptSignedAnswerInput,
  ctx: RoutingContext,
): Promise<Mutation<SignedAnswerOutcome>> {
  const { event } = input;
  return ctx.runInTransaction(async (tx) => {
    const sheet = await findAnswerSheet(tx, event.agencyCode, event.documentId);
    if (!sheet) return null;
    const consultation = await findConsultation(tx, sheet.agencyCode, sheet.consultationId, true);
    if (!consultation)
      throw new Error(`consultation ${sheet.consultationId} of answer sheet ${sheet.documentId} is missing`);
    const member = consultation.members.find((m) => m.userId === sheet.userId);
    let reason: string | undefined;
    if (sheet.state !== 'awaiting-signature') reason = `the answer sheet is ${sheet.state}`;
    else if (event.kind !== 'consultation-answer')
      reason = `a ${event.kind} signature is not the member's signed answer (consultation-answer)`;
    else if (event.signerUserId !== sheet.userId)
      reason = `signed by ${event.signerUserId ?? 'an organisation seal'}, not by ${sheet.userId} whose answer it is`;
    else if (event.signedVersion !== sheet.version)
      reason = `signed version ${event.signedVersion} of the sheet, not version ${sheet.version} that routing stored`;
    else if (consultation.state === 'closed') reason = `consultation ${consultation.id} is closed`;
    else if (!member || member.answer) reason = `${sheet.userId} already answered`;
    if (reason) {
      ctx.logger.info({ documentId: sheet.documentId, signatureId: event.signatureId, reason }, 'signature ignored');
      return { accepted: false, reason };
    }
    // The answer was given when the member signed it, not when routing heard of it.
    const signedAt = new Date(event.signedAt);
    await acceptAnswerSheet(tx, sheet.documentId, { signatureId: event.signatureId, at: ctx.clock() });
    await recordAnswer(tx, {
      consultationId: consultation.id,
      userId: sheet.userId,
      answer: sheet.answer,
      comment: sheet.comment,
      at: signedAt,
      signed: { signatureId: event.signatureId, answerSheetId: sheet.documentId },
    });
    const data: ConsultationAnsweredV1 = {
      consultationId: consultation.id,
      agencyCode: consultation.agencyCode,
      documentId: consultation.documentId,
      memberUserId: sheet.userId,
      answer: sheet.answer,
      dueAt: consultation.dueAt.toISOString(),
      onTime: signedAt.getTime() <= consultation.dueAt.getTime(),
      answeredAt: signedAt.toISOString(),
      signatureId: event.signatureId,
      answerSheetDocumentId: sheet.documentId,
    };
    await emitConsultationEvent(tx, ctx, consultationAnsweredV1, consultation, data);
    const answered = (await findConsultation(tx, consultation.agencyCode, consultation.id)) ?? consultation;
    const done = answered.members.filter((m) => m.answer !== null).length;
    if (multiInstanceDone(answered.completion, answered.members.length, done))
      await closeWithTally(tx, ctx, answered, 'completion-rule');
    return { accepted: true };
  });
}
