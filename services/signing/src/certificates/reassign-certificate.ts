import { randomUUID } from 'node:crypto';
import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { certificateReassignedV1 } from '@vanthu/contracts';
import type { CertificateReassignedV1 } from '@vanthu/contracts';
import {
  changeHolder,
  closeHolding,
  findCertificate,
  insertCertificateAudit,
  openHolding,
} from '../repositories/certificates-repository';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { toView } from './certificate-view';
import type { CertificateView } from './certificate-view';

export type ReassignCertificateInput = { certificateId: string; toUserId: string; reason: string };

/**
 * Moves a certificate to another holder of the agency: only an administrator, only with a recorded reason
 * (the directives forbid handing a certificate over informally). The certificate keeps its status; the
 * previous holding ends and a new one starts.
 */
export async function reassignCertificate(
  input: ReassignCertificateInput,
  ctx: SigningContext,
): Promise<Mutation<CertificateView>> {
  const { identity } = ctx;
  requireRole(identity, 'admin');
  const reason = input.reason.trim();
  if (!reason)
    throw new AppError('VALIDATION_FAILED', 'a reassignment needs a reason', {
      errors: [{ field: 'reason', message: 'required' }],
    });
  return ctx.runInTransaction(async (tx) => {
    const row = await findCertificate(tx, identity.agencyCode, input.certificateId);
    if (!row) throw new AppError('NOT_FOUND', `certificate ${input.certificateId} not found`);
    if (row.status !== 'registered' && row.status !== 'active')
      throw new AppError(
        'CONFLICT',
        `a ${row.status} certificate cannot be reassigned; its new holder registers it (POST /v1/certificates)`,
      );
    if (row.userId === input.toUserId) return toView(row);
    const moved = await changeHolder(tx, row.id, input.toUserId);
    await closeHolding(tx, row.id, { by: identity.userId, how: 'reassigned', reason });
    await openHolding(tx, {
      id: randomUUID(),
      certificateId: row.id,
      agencyCode: row.agencyCode,
      userId: input.toUserId,
    });
    await insertCertificateAudit(tx, {
      certificateId: row.id,
      agencyCode: row.agencyCode,
      action: 'reassigned',
      actor: identity.userId,
      holder: input.toUserId,
      previousHolder: row.userId,
      reason,
      requestId: ctx.requestId,
    });
    const event: CertificateReassignedV1 = {
      certificateId: row.id,
      agencyCode: row.agencyCode,
      sha256: row.sha256,
      fromUserId: row.userId,
      toUserId: input.toUserId,
      status: row.status,
      reason,
      reassignedBy: identity.userId,
      reassignedAt: ctx.clock().toISOString(),
    };
    await enqueueEvent(
      tx,
      certificateReassignedV1,
      row.id,
      event,
      eventMeta(ctx, row.agencyCode),
      ctx.signing.topicPrefix,
    );
    return toView(moved);
  });
}
