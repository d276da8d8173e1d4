import { createHash } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { RoutingContext } from '../domain/routing-context';
import {
  findConsultation,
  findWaitingSheet,
  insertAnswerSheet,
  recordSupersededSheet,
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

/** What the third step finds when the consultation changed while documents stored the sheet. */
type Refusal = { refused: { code: 'CONFLICT' | 'FORBIDDEN' | 'NOT_FOUND'; message: string } };

/**
 * A member's signed answer, step one (docs/domain/directives.md, Đà Nẵng §3b): routing writes the answer sheet
 * (phiếu lấy ý kiến) as a PDF and stores it in documents as the member's own document; the member signs it through
 * signing's two-step session with their own certificate (POST /v1/signing-sessions on this document and version).
 * The answer counts only when signing reports that signature (acceptSignedAnswer).
 *
 * Three steps, so the consultation's lock is not held while documents stores the sheet: (1) the request is checked
 * on the consultation as it is and the sheet's time reserved, with single statements and no lock, so a refused request
 * stores nothing in documents; (2) documents stores the sheet, with no transaction open; (3) under the consultation's
 * lock the request is checked again and the sheet recorded. The sheet's bytes depend only on what it says (its time
 * is that of the first request for this answer), and documents' Idempotency-Key is derived from them: asking again,
 * retrying after a failure, two requests at once, or coming back to an answer asked for before give the same document.
 * The same answer while its sheet waits returns that sheet; another answer replaces it (the earlier sheet is
 * superseded). A sheet stored while the consultation closed, or while the member's answer was accepted, is recorded
 * as superseded, so routing knows every sheet documents holds, and the request is refused as step 1 would refuse it.
 */
export async function requestAnswerSheet(
  input: RequestAnswerSheetInput,
  ctx: RoutingContext,
): Promise<Mutation<AnswerSheetRecord & { signingClaim: string | null }>> {
  const { agencyCode, userId } = ctx.identity;
  const comment = input.comment?.normalize('NFC') ?? null;
  const read = ctx.readStatement ?? ctx.autocommit;
  if (!read) throw new Error('requestAnswerSheet needs statements outside a transaction (readStatement)');
  // 1. Checked and reserved without the lock.
  const consultation = assertMayAnswer(
    await read((db) => findConsultation(db, agencyCode, input.consultationId)),
    input,
    userId,
  );
  const waiting = await read((db) => findWaitingSheet(db, consultation.id, userId));
  if (waiting && waiting.answer === input.answer && waiting.comment === comment) {
    // Through the transaction runner (no lock, nothing written but the key's record), so that a request repeated with
    // its Idempotency-Key is answered as the replay it is, and the key is refused for another body.
    const same = await ctx.runInTransaction(async () => waiting);
    return { result: { ...same.result, signingClaim: answerSheetClaim(ctx, same.result) }, replayed: same.replayed };
  }
  const writtenAt = await (ctx.autocommit ?? read)((db) =>
    reserveSheetTime(db, {
      consultationId: consultation.id,
      userId,
      answer: input.answer,
      commentSha256: createHash('sha256').update(JSON.stringify(comment)).digest('hex'),
      at: ctx.clock(),
    }),
  );
  // 2. Stored in documents, no transaction open.
  const document = await ctx.documents.getDocument(ctx.credentials, consultation.documentId);
  const directoryName = (await ctx.documents.peopleOf(ctx.credentials, agencyCode)).get(userId)?.fullName;
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
  const sheet = {
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
  };
  // 3. Checked again and recorded under the lock.
  const outcome = await ctx.runInTransaction(async (tx): Promise<AnswerSheetRecord | Refusal> => {
    const now = await findConsultation(tx, agencyCode, consultation.id, true);
    try {
      assertMayAnswer(now, input, userId);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await recordSupersededSheet(tx, sheet);
      return { refused: { code: error.code as Refusal['refused']['code'], message: error.message } };
    }
    const again = await findWaitingSheet(tx, consultation.id, userId);
    if (again?.documentId === sheet.documentId) return again;
    return insertAnswerSheet(tx, sheet);
  });
  if ('refused' in outcome.result) throw new AppError(outcome.result.refused.code, outcome.result.refused.message);
  return {
    result: { ...outcome.result, signingClaim: answerSheetClaim(ctx, outcome.result) },
    replayed: outcome.replayed,
  };
}

/** The audience of the claim signing checks before it grants a `consultation-answer` session. */
export const answerSheetAudience = 'vanthu-signing:consultation-answer';

/**
 * Routing vouches, with the service key, that this document at this version and digest is this member's answer sheet
 * in this consultation of the agency; signing grants the member a `consultation-answer` signature on it and on
 * nothing else (docs/domain/directives.md, Đà Nẵng §3b: members sign their own answers, whatever their role).
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
