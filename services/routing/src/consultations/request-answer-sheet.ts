import { createHash } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { RoutingContext, StatementReader } from '../domain/routing-context';
import {
  findConsultation,
  findWaitingSheet,
  insertAnswerSheet,
  reserveSheetTime,
} from '../repositories/consultations-repository';
import type {
  AnswerSheetRecord,
  ConsultationAnswer,
  ConsultationRecord,
} from '../repositories/consultations-repository';
import { renderAnswerSheet } from '../rendering/consultation-pdfs';

export type RequestAnswerSheetInput = { consultationId: string; answer: ConsultationAnswer; comment?: string };

/** Who may answer now: a member of an open consultation who has not answered, with the comment a non-agreement needs. */
function assertMayAnswer(
  consultation: ConsultationRecord | undefined,
  input: RequestAnswerSheetInput,
  userId: string,
): ConsultationRecord {
  if (!consultation) throw new AppError('NOT_FOUND', `consultation ${input.consultationId} not found`);
  const member = consultation.members.find((m) => m.userId === userId);
  if (!member) throw new AppError('FORBIDDEN', `${userId} is not a member of this consultation`);
  if (consultation.state === 'closed')
    throw new AppError('CONFLICT', `consultation ${consultation.id} is closed (${consultation.closeReason})`);
  if (member.answer)
    throw new AppError(
      'CONFLICT',
      `${userId} already answered ${member.answer} at ${member.answeredAt?.toISOString()}`,
    );
  if (input.answer !== 'agree' && !input.comment)
    throw new AppError('VALIDATION_FAILED', `an answer of ${input.answer} needs its comment`, {
      errors: [{ field: 'body.comment', message: 'required unless the answer is agree' }],
    });
  return consultation;
}

/**
 * A member's signed answer, step one (docs/domain/directives.md seed 000 §3b): routing writes the answer sheet
 * (phiếu lấy ý kiến) as a PDF and stores it in documents as the member's own document; the member signs it through
 * signing's two-step session with their own certificate (POST /v1/signing-sessions on this document and version).
 * The answer counts only when signing reports that signature (acceptSignedAnswer).
 *
 * The request is accepted or refused under the consultation's lock before anything is stored in documents, so a
 * refused request leaves nothing there. The sheet's bytes depend only on what it says (its time is that of the first
 * request for this answer), and documents' Idempotency-Key is derived from them: asking again, retrying after a
 * failure, or coming back to an answer asked for before gives the same document. The same answer while its sheet
 * waits returns that sheet; another answer replaces it (the earlier sheet is superseded).
 */
export async function requestAnswerSheet(
  input: RequestAnswerSheetInput,
  ctx: RoutingContext,
): Promise<Mutation<AnswerSheetRecord & { signingClaim: string | null }>> {
  const { agencyCode, userId } = ctx.identity;
  const comment = input.comment?.normalize('NFC') ?? null;
  return ctx.runInTransaction(async (tx) => {
    const consultation = assertMayAnswer(
      await findConsultation(tx, agencyCode, input.consultationId, true),
      input,
      userId,
    );
    const waiting = await findWaitingSheet(tx, consultation.id, userId);
    if (waiting && waiting.answer === input.answer && waiting.comment === comment)
      return { ...waiting, signingClaim: answerSheetClaim(ctx, waiting) };
    const document = await ctx.documents.getDocument(ctx.credentials, consultation.documentId);
    const directoryName = (await ctx.documents.peopleOf(ctx.credentials, agencyCode)).get(userId)?.fullName;
    const aside: StatementReader = ctx.autocommit ?? ((work) => work(tx));
    const writtenAt = await aside((db) =>
      reserveSheetTime(db, {
        consultationId: consultation.id,
        userId,
        answer: input.answer,
        commentSha256: createHash('sha256').update(JSON.stringify(comment)).digest('hex'),
        at: ctx.clock(),
      }),
    );
    const pdf = await renderAnswerSheet({
      consultationId: consultation.id,
      question: consultation.question,
      documentSubject: document.subject,
      memberUserId: userId,
      memberName: directoryName ?? ctx.identity.name ?? null,
      answer: input.answer,
      comment,
      dueAt: consultation.dueAt,
      writtenAt,
    });
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const subject = `Phiếu lấy ý kiến của ${userId}: ${consultation.question}`.slice(0, 500);
    const stored = await ctx.documents.createDocument(
      ctx.credentials,
      pdf,
      { direction: 'internal', subject },
      `routing-answer-sheet-${consultation.id}-${sha256.slice(0, 32)}`,
      'phieu-lay-y-kien.pdf',
    );
    const sheet = await insertAnswerSheet(tx, {
      documentId: stored.id,
      consultationId: consultation.id,
      agencyCode,
      userId,
      answer: input.answer,
      comment,
      // Documents gives back the sheet as it is now: a superseded sheet signed since then has that signature on it.
      version: stored.currentVersion,
      sha256: stored.versions.at(-1)?.sha256 ?? sha256,
      createdAt: writtenAt,
    });
    return { ...sheet, signingClaim: answerSheetClaim(ctx, sheet) };
  });
}

/** The audience of the claim signing checks before it grants a `consultation-answer` session. */
export const answerSheetAudience = 'vanthu-signing:consultation-answer';

/**
 * Routing vouches, with the service key, that this document at this version and digest is this member's answer sheet
 * in this consultation of the agency; signing grants the member a `consultation-answer` signature on it and on
 * nothing else (docs/domain/directives.md seed 000 §3b: members sign their own answers, whatever their role).
 */
function answerSheetClaim(ctx: RoutingContext, sheet: AnswerSheetRecord): string | null {
  if (!ctx.serviceClaims) return null;
  return ctx.serviceClaims(
    answerSheetAudience,
    {
      agency: sheet.agencyCode,
      member: sheet.userId,
      consultationId: sheet.consultationId,
      documentId: sheet.documentId,
      version: sheet.version,
      sha256: sheet.sha256,
    },
    24 * 3600,
  );
}
