import { AppError, enqueueEvent, hasRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { certificateUnregisteredV1 } from '@vanthu/contracts';
import type { CertificateUnregisteredV1 } from '@vanthu/contracts';
import {
  closeHolding,
  findCertificate,
  insertCertificateAudit,
  markUnregistered,
} from '../repositories/certificates-repository';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { toView } from './certificate-view';
import type { CertificateView } from './certificate-view';

export type UnregisterCertificateInput = { certificateId: string; reason?: string };

/**
 * Releases a certificate (staff change posts, an account is recreated, the CA reissued it): by its holder
 * or an administrator of the agency, audited, announced. Its holder can no longer sign with it; anyone may
 * register it again. Releasing a released certificate changes nothing.
 */
export async function unregisterCertificate(
  input: UnregisterCertificateInput,
  ctx: SigningContext,
): Promise<Mutation<CertificateView>> {
  const { identity } = ctx;
  return ctx.runInTransaction(async (tx) => {
    const row = await findCertificate(tx, identity.agencyCode, input.certificateId);
    if (!row) throw new AppError('NOT_FOUND', `certificate ${input.certificateId} not found`);
    if (row.userId !== identity.userId && !hasRole(identity, 'admin'))
      throw new AppError('FORBIDDEN', 'only the holder of a certificate or an administrator can unregister it');
    if (row.status === 'unregistered') return toView(row);
    const reason = input.reason?.trim() || null;
    const released = await markUnregistered(tx, row.id);
    await closeHolding(tx, row.id, { by: identity.userId, how: 'unregistered', reason });
    await insertCertificateAudit(tx, {
      certificateId: row.id,
      agencyCode: row.agencyCode,
      action: 'unregistered',
      actor: identity.userId,
      holder: row.userId,
      reason,
      requestId: ctx.requestId,
    });
    const event: CertificateUnregisteredV1 = {
      certificateId: row.id,
      agencyCode: row.agencyCode,
      userId: row.userId,
      sha256: row.sha256,
      unregisteredBy: identity.userId,
      reason,
      unregisteredAt: ctx.clock().toISOString(),
    };
    await enqueueEvent(
      tx,
      certificateUnregisteredV1,
      row.id,
      event,
      eventMeta(ctx, row.agencyCode),
      ctx.signing.topicPrefix,
    );
    return toView(released);
  });
}
