import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { findConsultation } from '../repositories/consultations-repository';
import type { ConsultationRecord } from '../repositories/consultations-repository';
import type { RoutingContext } from '../domain/routing-context';
import { closeWithTally } from './consultation-events';

export type CloseConsultationInput = { consultationId: string };

/** The person who opened it closes it (at the deadline or earlier); the members who did not answer are listed. */
export async function closeConsultationByOpener(
  input: CloseConsultationInput,
  ctx: RoutingContext,
): Promise<Mutation<ConsultationRecord>> {
  return ctx.runInTransaction(async (tx) => {
    const consultation = await findConsultation(tx, ctx.identity.agencyCode, input.consultationId, true);
    if (!consultation) throw new AppError('NOT_FOUND', `consultation ${input.consultationId} not found`);
    if (consultation.openedBy !== ctx.identity.userId)
      throw new AppError('FORBIDDEN', `only ${consultation.openedBy}, who opened it, closes this consultation`);
    if (consultation.state === 'closed')
      throw new AppError('CONFLICT', `consultation ${consultation.id} is already closed (${consultation.closeReason})`);
    await closeWithTally(tx, ctx, consultation, 'closed-by-opener');
    return (await findConsultation(tx, consultation.agencyCode, consultation.id)) as ConsultationRecord;
  });
}
