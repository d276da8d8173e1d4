import { AppError, hasRole } from '@vanthu/platform';
import type { Mutation, UseCaseContext } from '@vanthu/platform';
import { findDelegation, revokeDelegation as revokeRow } from '../repositories/delegations-repository';
import type { Delegation } from '../schemas/delegation';
import { delegationView } from './delegation-view';

export type RevokeDelegationInput = { id: string };

/** Ends a delegation early (the person is back); its delegator, its author or a leader may. Idempotent. */
export async function revokeDelegation(
  input: RevokeDelegationInput,
  ctx: UseCaseContext,
): Promise<Mutation<Delegation>> {
  const agencyCode = ctx.identity.agencyCode;
  return ctx.runInTransaction(async (tx) => {
    const existing = await findDelegation(tx, agencyCode, input.id);
    if (!existing) throw new AppError('NOT_FOUND', `delegation ${input.id} not found`);
    const mayRevoke =
      existing.delegatorUserId === ctx.identity.userId ||
      existing.createdBy === ctx.identity.userId ||
      hasRole(ctx.identity, 'agency-leader', 'unit-leader', 'admin');
    if (!mayRevoke) throw new AppError('FORBIDDEN', 'only the delegator, the author or a leader may end a delegation');
    if (existing.revokedAt) return delegationView(existing);
    const revoked = await revokeRow(tx, {
      agencyCode,
      id: input.id,
      revokedBy: ctx.identity.userId,
      revokedAt: ctx.clock(),
    });
    return delegationView(revoked ?? existing);
  });
}
