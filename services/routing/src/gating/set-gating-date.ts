import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation, UseCaseContext } from '@vanthu/platform';
import { upsertGatingSetting } from '../repositories/gating-repository';
import type { GatingSetting } from '../schemas/gating';

export type SetGatingDateInput = { gatingDate: string };

/** The head of the agency (or an administrator) sets the agency's own gating date. */
export async function setGatingDate(input: SetGatingDateInput, ctx: UseCaseContext): Promise<Mutation<GatingSetting>> {
  requireRole(ctx.identity, 'agency-leader', 'admin');
  const parsed = new Date(`${input.gatingDate}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== input.gatingDate)
    throw new AppError('VALIDATION_FAILED', `${input.gatingDate} is not a calendar date`, {
      errors: [{ field: 'gatingDate', message: 'not a calendar date' }],
    });
  const agencyCode = ctx.identity.agencyCode;
  return ctx.runInTransaction(async (tx) => {
    const saved = await upsertGatingSetting(tx, {
      agencyCode,
      gatingDate: input.gatingDate,
      updatedBy: ctx.identity.userId,
      updatedAt: ctx.clock(),
    });
    return {
      agencyCode,
      gatingDate: saved.gatingDate,
      source: 'agency' as const,
      updatedBy: saved.updatedBy,
      updatedAt: saved.updatedAt.toISOString(),
    };
  });
}
