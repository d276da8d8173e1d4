import type { ConsultationRecord } from '../repositories/consultations-repository';
import type { Consultation } from '../schemas/consultation';
import { tallyOf } from './consultation-events';

export function consultationView(c: ConsultationRecord, now: Date): Consultation {
  const { tally, unanswered } = tallyOf(c);
  return {
    id: c.id,
    agencyCode: c.agencyCode,
    documentId: c.documentId,
    processId: c.processId,
    question: c.question,
    completion: c.completion,
    dueAt: c.dueAt.toISOString(),
    overdue: unanswered.length > 0 && now.getTime() > c.dueAt.getTime(),
    state: c.state,
    closeReason: c.closeReason,
    openedBy: c.openedBy,
    openedAt: c.openedAt.toISOString(),
    closedAt: c.closedAt?.toISOString() ?? null,
    remindedAt: c.remindedAt?.toISOString() ?? null,
    signedAnswers: c.signedAnswers,
    summaryDocumentId: c.summaryDocumentId,
    summaryDossierId: c.summaryDossierId,
    members: c.members.map((m) => ({
      userId: m.userId,
      answer: m.answer,
      comment: m.comment,
      answeredAt: m.answeredAt?.toISOString() ?? null,
      onTime: m.answeredAt ? m.answeredAt.getTime() <= c.dueAt.getTime() : null,
      overdue: m.overdueAt !== null,
      signatureId: m.signatureId,
    })),
    tally,
    unanswered,
  };
}
