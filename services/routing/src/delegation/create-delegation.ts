import { randomUUID } from 'node:crypto';
import { AppError, hasRole, requireRole } from '@vanthu/platform';
import type { Mutation, UseCaseContext } from '@vanthu/platform';
import { findOverlappingDelegation, insertDelegation, lockDelegator } from '../repositories/delegations-repository';
import type { Delegation, NewDelegation } from '../schemas/delegation';
import { assertAssignable } from '../gating/assert-assignable';
import { delegationView } from './delegation-view';
import { resolveDelegate } from './resolve-delegate';

export type CreateDelegationInput = { delegation: NewDelegation };

const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

/**
 * Records that a person's tasks go to a named colleague for a period: their own delegation (ủy quyền), or an
 * absence a leader records for them. The colleague must be allowed electronic work (certificate gating) when
 * it starts, and the delegation may not overlap another of the same person or lead back to them.
 */
export async function createDelegation(
  input: CreateDelegationInput,
  ctx: UseCaseContext,
): Promise<Mutation<Delegation>> {
  const d = input.delegation;
  if (hasRole(ctx.identity, 'service')) throw new AppError('FORBIDDEN', 'a service cannot delegate');
  let delegator = ctx.identity.userId;
  if (d.kind === 'absence') {
    requireRole(ctx.identity, 'agency-leader', 'unit-leader', 'admin');
    if (!d.delegatorUserId) throw invalid('delegatorUserId', 'an absence names the absent person (delegatorUserId)');
    delegator = d.delegatorUserId;
  } else if (d.delegatorUserId && d.delegatorUserId !== ctx.identity.userId) {
    throw invalid(
      'delegatorUserId',
      'a delegation hands over the caller’s own tasks; record an absence for someone else',
    );
  }
  if (d.delegateUserId === delegator) throw invalid('delegateUserId', 'a person cannot delegate to themselves');
  const now = ctx.clock();
  const validFrom = d.validFrom ? new Date(d.validFrom) : now;
  const validUntil = new Date(d.validUntil);
  if (validUntil.getTime() <= validFrom.getTime()) throw invalid('validUntil', 'validUntil must be after validFrom');
  if (validUntil.getTime() <= now.getTime()) throw invalid('validUntil', 'validUntil is in the past');
  const agencyCode = ctx.identity.agencyCode;
  return ctx.runInTransaction(async (tx) => {
    await lockDelegator(tx, agencyCode, delegator);
    const overlapping = await findOverlappingDelegation(tx, {
      agencyCode,
      delegatorUserId: delegator,
      from: validFrom,
      until: validUntil,
    });
    if (overlapping)
      throw new AppError(
        'CONFLICT',
        `${delegator} already delegates to ${overlapping.delegateUserId} from ${overlapping.validFrom.toISOString()} ` +
          `until ${overlapping.validUntil.toISOString()} (delegation ${overlapping.id})`,
      );
    const startsAt = new Date(Math.max(validFrom.getTime(), now.getTime()));
    const receiver = await resolveDelegate(tx, { agencyCode, userId: d.delegateUserId, at: startsAt });
    if (receiver === delegator)
      throw new AppError(
        'CONFLICT',
        `${d.delegateUserId}'s tasks already go to ${delegator}: the delegation would be circular`,
      );
    await assertAssignable(tx, { agencyCode, userId: d.delegateUserId, at: startsAt });
    const created = await insertDelegation(tx, {
      id: randomUUID(),
      agencyCode,
      kind: d.kind,
      delegatorUserId: delegator,
      delegateUserId: d.delegateUserId,
      role: d.role ?? null,
      validFrom,
      validUntil,
      reason: d.reason,
      createdBy: ctx.identity.userId,
      createdAt: now,
    });
    return delegationView(created);
  });
}
