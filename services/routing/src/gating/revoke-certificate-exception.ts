import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation, UseCaseContext } from '@vanthu/platform';
import { findCertificateException, revokeCertificateException as revokeRow } from '../repositories/gating-repository';
import type { CertificateException } from '../schemas/gating';
import { exceptionView } from './certificate-gating-views';

export type RevokeCertificateExceptionInput = { id: string };

/** Ends an exception; revoking one already revoked returns it unchanged. */
export async function revokeCertificateException(
  input: RevokeCertificateExceptionInput,
  ctx: UseCaseContext,
): Promise<Mutation<CertificateException>> {
  requireRole(ctx.identity, 'agency-leader', 'admin');
  const agencyCode = ctx.identity.agencyCode;
  return ctx.runInTransaction(async (tx) => {
    const revoked = await revokeRow(tx, {
      agencyCode,
      id: input.id,
      revokedBy: ctx.identity.userId,
      revokedAt: ctx.clock(),
    });
    if (revoked) return exceptionView(revoked);
    const existing = await findCertificateException(tx, agencyCode, input.id);
    if (!existing) throw new AppError('NOT_FOUND', `certificate exception ${input.id} not found`);
    return exceptionView(existing);
  });
}
