import { consultationClosedV1 } from '@vanthu/contracts';
import type { ConsultationClosedV1, EventDefinition } from '@vanthu/contracts';
import type { Tx } from '@vanthu/platform';
import { closeConsultation } from '../repositories/consultations-repository';
import type { ConsultationRecord } from '../repositories/consultations-repository';
import { emitFor } from '../domain/process-runtime';
import type { RoutingContext } from '../domain/routing-context';
import { fileSummary } from './consultation-summary';

export async function emitConsultationEvent<T>(
  tx: Tx,
  ctx: RoutingContext,
  definition: EventDefinition,
  consultation: ConsultationRecord,
  data: T,
): Promise<void> {
  await emitFor(tx, ctx, definition, consultation, data);
}

/** Answers so far and the members who gave none. */
export function tallyOf(consultation: ConsultationRecord): {
  tally: ConsultationClosedV1['tally'];
  unanswered: string[];
} {
  const tally = { agree: 0, disagree: 0, comments: 0 };
  for (const member of consultation.members) if (member.answer) tally[member.answer] += 1;
  return { tally, unanswered: consultation.members.filter((m) => m.answer === null).map((m) => m.userId) };
}

/**
 * Closes an open consultation and announces the tally and who did not answer, with the summary of answers written,
 * sealed and filed (fileSummary) in the close's transaction.
 */
export async function closeWithTally(
  tx: Tx,
  ctx: RoutingContext,
  consultation: ConsultationRecord,
  reason: 'completion-rule' | 'closed-by-opener',
): Promise<void> {
  const at = ctx.clock();
  await closeConsultation(tx, { id: consultation.id, reason, at });
  // A closed consultation has no deadline left: its pending reminder and overdue timers go.
  if (ctx.timers) await ctx.timers.cancelConsultationTimers(tx, { consultationId: consultation.id });
  const summaryDocumentId = await fileSummary(tx, ctx, consultation, reason, at);
  const data: ConsultationClosedV1 = {
    consultationId: consultation.id,
    agencyCode: consultation.agencyCode,
    documentId: consultation.documentId,
    reason,
    ...tallyOf(consultation),
    dueAt: consultation.dueAt.toISOString(),
    closedAt: at.toISOString(),
    ...(summaryDocumentId ? { summaryDocumentId } : {}),
  };
  await emitConsultationEvent(tx, ctx, consultationClosedV1, consultation, data);
}
