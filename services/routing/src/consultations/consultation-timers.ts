import { consultationOverdueV1, consultationRemindedV1 } from '@vanthu/contracts';
import type { ConsultationOverdueV1, ConsultationRemindedV1 } from '@vanthu/contracts';
import { enqueueEvent } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import {
  findConsultation,
  markConsultationReminded,
  markUnansweredOverdue,
} from '../repositories/consultations-repository';
import type { ConsultationRecord } from '../repositories/consultations-repository';
import { bufferEvent } from '../domain/write-buffer';
import { registerTimerHandler } from '../timers';
import type { Timer, TimerContext } from '../timers';

/**
 * The consultation whose timer fired, locked like an answer locks it (an answer and the deadline serialise), or
 * nothing when it closed meanwhile: a closed consultation has no deadline left to remind or mark.
 */
async function openConsultationOf(tx: Tx, timer: Timer): Promise<ConsultationRecord | undefined> {
  if (!timer.consultationId) throw new Error(`timer ${timer.id} of kind ${timer.kind} names no consultation`);
  const consultation = await findConsultation(tx, timer.agencyCode, timer.consultationId, true);
  return consultation?.state === 'open' ? consultation : undefined;
}

async function publish<T>(
  tx: Tx,
  ctx: TimerContext,
  definition: typeof consultationRemindedV1 | typeof consultationOverdueV1,
  consultation: ConsultationRecord,
  data: T,
): Promise<void> {
  const context = { source: ctx.source, agencyCode: consultation.agencyCode };
  // Held back with the batch's other rows when the worker buffers its writes.
  if (bufferEvent(tx, definition, consultation.id, data, context, ctx.topicPrefix)) return;
  await enqueueEvent(tx, definition, consultation.id, data, context, ctx.topicPrefix);
}

/** consultation-reminder: the members yet to answer are reminded; nothing about the consultation changes. */
async function remind(tx: Tx, timer: Timer, ctx: TimerContext): Promise<void> {
  const consultation = await openConsultationOf(tx, timer);
  if (!consultation) return;
  const members = consultation.members.filter((m) => m.answer === null).map((m) => m.userId);
  if (members.length === 0) return;
  await markConsultationReminded(tx, consultation.id, ctx.now);
  const data: ConsultationRemindedV1 = {
    consultationId: consultation.id,
    agencyCode: consultation.agencyCode,
    documentId: consultation.documentId,
    ...(consultation.processId ? { processId: consultation.processId } : {}),
    members,
    dueAt: consultation.dueAt.toISOString(),
    at: ctx.now.toISOString(),
  };
  await publish(tx, ctx, consultationRemindedV1, consultation, data);
}

/**
 * consultation-overdue: at the deadline the answers still missing are marked overdue and the person who opened it
 * is alerted (docs/domain/directives.md, Đà Nẵng §2d: members who have not answered by the deadline are listed). The
 * consultation stays open: late answers still count, reported late, until its rule or its opener closes it.
 */
async function markOverdue(tx: Tx, timer: Timer, ctx: TimerContext): Promise<void> {
  const consultation = await openConsultationOf(tx, timer);
  if (!consultation) return;
  const overdueMembers = await markUnansweredOverdue(tx, consultation.id, ctx.now);
  if (overdueMembers.length === 0) return;
  const data: ConsultationOverdueV1 = {
    consultationId: consultation.id,
    agencyCode: consultation.agencyCode,
    documentId: consultation.documentId,
    ...(consultation.processId ? { processId: consultation.processId } : {}),
    overdueMembers,
    answered: consultation.members.filter((m) => m.answer !== null).length,
    members: consultation.members.length,
    dueAt: consultation.dueAt.toISOString(),
    escalatedTo: { userId: consultation.openedBy },
    at: ctx.now.toISOString(),
  };
  await publish(tx, ctx, consultationOverdueV1, consultation, data);
}

/** Registers the handlers of a consultation's boundary timers with the timer worker; returns the unregister. */
export function registerConsultationTimerHandlers(): () => void {
  const unregister = [
    registerTimerHandler('consultation-reminder', remind),
    registerTimerHandler('consultation-overdue', markOverdue),
  ];
  return () => unregister.forEach((u) => u());
}
