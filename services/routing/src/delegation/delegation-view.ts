import type { Delegation as DelegationRecord } from '../repositories/delegations-repository';
import type { Delegation } from '../schemas/delegation';

export const delegationView = (d: DelegationRecord): Delegation => ({
  id: d.id,
  agencyCode: d.agencyCode,
  kind: d.kind,
  delegatorUserId: d.delegatorUserId,
  delegateUserId: d.delegateUserId,
  role: d.role,
  validFrom: d.validFrom.toISOString(),
  validUntil: d.validUntil.toISOString(),
  reason: d.reason,
  createdBy: d.createdBy,
  createdAt: d.createdAt.toISOString(),
  revokedBy: d.revokedBy,
  revokedAt: d.revokedAt?.toISOString() ?? null,
});
