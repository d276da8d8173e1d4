import type { AnswerSheetRecord } from '../repositories/consultations-repository';
import type { AnswerSheet } from '../schemas/consultation';
import { resultTimestamp } from '../domain/result-timestamp';

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
    createdAt: resultTimestamp(sheet.createdAt).toISOString(),
    signingClaim: sheet.signingClaim ?? null,
  };
}
