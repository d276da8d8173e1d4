import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { RoutingContext } from '../domain/routing-context';
import { findConsultation, insertAnswerSheet } from '../repositories/consultations-repository';
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
 * The answer counts only when signing reports that signature (acceptSignedAnswer). A new sheet before signing
 * replaces the previous one.
 */
export async function requestAnswerSheet(
  input: RequestAnswerSheetInput,
  ctx: RoutingContext,
): Promise<Mutation<AnswerSheetRecord>> {
  const { agencyCode, userId } = ctx.identity;
  // Checked before anything is stored in documents (a request always has the reader), and again under the lock below.
  if (!ctx.readStatement) throw new Error('requestAnswerSheet runs for a request, with its statement reader');
  const consultation = assertMayAnswer(
    await ctx.readStatement((db) => findConsultation(db, agencyCode, input.consultationId)),
    input,
    userId,
  );
  const document = await ctx.documents.getDocument(ctx.credentials, consultation.documentId);
  const now = ctx.clock();
  const comment = input.comment?.normalize('NFC') ?? null;
  const pdf = await renderAnswerSheet({
    consultationId: consultation.id,
    question: consultation.question,
    documentSubject: document.subject,
    memberUserId: userId,
    memberName: ctx.identity.name ?? null,
    answer: input.answer,
    comment,
    dueAt: consultation.dueAt,
    writtenAt: now,
  });
  const subject = `Phiếu lấy ý kiến của ${userId}: ${consultation.question}`.slice(0, 500);
  const stored = await ctx.documents.createDocument(
    ctx.credentials,
    pdf,
    { direction: 'internal', subject },
    `routing-answer-sheet-${randomUUID()}`,
    'phieu-lay-y-kien.pdf',
  );
  return ctx.runInTransaction(async (tx) => {
    assertMayAnswer(await findConsultation(tx, agencyCode, consultation.id, true), input, userId);
    return insertAnswerSheet(tx, {
      documentId: stored.id,
      consultationId: consultation.id,
      agencyCode,
      userId,
      answer: input.answer,
      comment,
      version: stored.currentVersion,
      sha256: stored.versions.at(-1)?.sha256 ?? createHash('sha256').update(pdf).digest('hex'),
      createdAt: now,
    });
  });
}
