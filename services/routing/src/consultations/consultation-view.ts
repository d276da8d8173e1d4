import type { ConsultationRecord } from '../repositories/consultations-repository';
import type { Consultation } from '../schemas/consultation';
import { tallyOf } from './consultation-events';
import { optionalResultTimestamp, resultTimestamp } from '../domain/result-timestamp';

export function consultationView(c: ConsultationRecord, now: Date): Consultation {
  const { tally, unanswered } = tallyOf(c);
  const dueAt = resultTimestamp(c.dueAt);
  return {
    id: c.id,
    agencyCode: c.agencyCode,
    documentId: c.documentId,
    processId: c.processId,
    question: c.question,
    completion: c.completion,
    dueAt: dueAt.toISOString(),
    overdue: unanswered.length > 0 && now.getTime() > dueAt.getTime(),
    state: c.state,
    closeReason: c.closeReason,
    openedBy: c.openedBy,
    openedAt: resultTimestamp(c.openedAt).toISOString(),
    closedAt: optionalResultTimestamp(c.closedAt)?.toISOString() ?? null,
    remindedAt: optionalResultTimestamp(c.remindedAt)?.toISOString() ?? null,
    signedAnswers: c.signedAnswers,
    summaryDocumentId: c.summaryDocumentId,
    summaryDossierId: c.summaryDossierId,
    members: c.members.map((m) => {
      const answeredAt = optionalResultTimestamp(m.answeredAt);
      return {
        userId: m.userId,
        answer: m.answer,
        comment: m.comment,
        answeredAt: answeredAt?.toISOString() ?? null,
        onTime: answeredAt ? answeredAt.getTime() <= dueAt.getTime() : null,
        overdue: m.overdueAt !== null,
        signatureId: m.signatureId,
      };
    }),
    tally,
    unanswered,
  };
}
