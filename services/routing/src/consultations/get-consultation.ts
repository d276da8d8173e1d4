import { AppError } from '@vanthu/platform';
import { findConsultation } from '../repositories/consultations-repository';
import type { ConsultationRecord } from '../repositories/consultations-repository';
import type { RoutingContext } from '../domain/routing-context';

export type GetConsultationInput = { consultationId: string };

export async function getConsultation(input: GetConsultationInput, ctx: RoutingContext): Promise<ConsultationRecord> {
  const { result } = await ctx.runInTransaction(async (tx) => {
    const found = await findConsultation(tx, ctx.identity.agencyCode, input.consultationId);
    if (!found) throw new AppError('NOT_FOUND', `consultation ${input.consultationId} not found`);
    return found;
  });
  return result;
}
