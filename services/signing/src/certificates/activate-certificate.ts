import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { certificateActivatedV1 } from '@vanthu/contracts';
import type { CertificateActivatedV1 } from '@vanthu/contracts';
import { findCertificate, insertCertificateAudit, markActivated } from '../repositories/certificates-repository';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { toView } from './certificate-view';
import type { CertificateView } from './certificate-view';

export type ActivateCertificateInput = { certificateId: string };

/** An administrator activates a registered certificate; its holder may then sign with it. Audited. */
export async function activateCertificate(
  input: ActivateCertificateInput,
  ctx: SigningContext,
): Promise<Mutation<CertificateView>> {
  const { identity } = ctx;
  requireRole(identity, 'admin');
  return ctx.runInTransaction(async (tx) => {
    const row = await findCertificate(tx, identity.agencyCode, input.certificateId);
    if (!row) throw new AppError('NOT_FOUND', `certificate ${input.certificateId} not found`);
    if (row.status === 'active') return toView(row);
    if (row.status !== 'registered') throw new AppError('CONFLICT', `a ${row.status} certificate cannot be activated`);
    if (new Date(row.notAfter) < ctx.clock()) throw new AppError('UNPROCESSABLE', 'the certificate has expired');
    const active = await markActivated(tx, row.id, identity.userId);
    await insertCertificateAudit(tx, {
      certificateId: row.id,
      agencyCode: row.agencyCode,
      action: 'activated',
      actor: identity.userId,
      holder: row.userId,
      requestId: ctx.requestId,
    });
    const event: CertificateActivatedV1 = {
      certificateId: row.id,
      agencyCode: row.agencyCode,
      userId: row.userId,
      sha256: row.sha256,
      activatedBy: identity.userId,
      activatedAt: active.activatedAt ?? ctx.clock().toISOString(),
    };
    await enqueueEvent(
      tx,
      certificateActivatedV1,
      row.id,
      event,
      eventMeta(ctx, row.agencyCode),
      ctx.signing.topicPrefix,
    );
    return toView(active);
  });
}
