import { AppError } from '@vanthu/platform';
import type { UseCaseContext } from '@vanthu/platform';
import { listDelegations as listDelegationRows } from '../repositories/delegations-repository';
import type { Delegation } from '../schemas/delegation';
import { delegationView } from './delegation-view';

export type ListDelegationsInput = { userId?: string; activeAt?: string };

/** The agency's delegations and absences, where the person is either side, optionally only those in force. */
export async function listDelegations(
  input: ListDelegationsInput,
  ctx: UseCaseContext,
): Promise<{ items: Delegation[] }> {
  const activeAt = input.activeAt ? new Date(input.activeAt) : undefined;
  if (activeAt && Number.isNaN(activeAt.getTime()))
    throw new AppError('VALIDATION_FAILED', 'activeAt is not an instant');
  const { result } = await ctx.runInTransaction(async (tx) => ({
    items: (
      await listDelegationRows(tx, {
        agencyCode: ctx.identity.agencyCode,
        ...(input.userId ? { userId: input.userId } : {}),
        ...(activeAt ? { activeAt } : {}),
      })
    ).map(delegationView),
  }));
  return result;
}
