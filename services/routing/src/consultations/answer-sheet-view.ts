import type { AnswerSheetRecord } from '../repositories/consultations-repository';
import type { AnswerSheet } from '../schemas/consultation';

export function answerSheetView(sheet: AnswerSheetRecord & { signingClaim?: string | null }): AnswerSheet {
  return {
    consultationId: sheet.consultationId,
    documentId: sheet.documentId,
    version: sheet.version,
    sha256: sheet.sha256,
    userId: sheet.userId,
    answer: sheet.answer,
    comment: sheet.comment,
    state: sheet.state,
    createdAt: sheet.createdAt.toISOString(),
    signingClaim: sheet.signingClaim ?? null,
  };
}
