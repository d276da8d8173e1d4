import { randomUUID } from 'node:crypto';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation, UseCaseContext } from '@vanthu/platform';
import { insertCertificateException } from '../repositories/gating-repository';
import type { CertificateException, NewCertificateException } from '../schemas/gating';
import { exceptionView } from './certificate-gating-views';

export type GrantCertificateExceptionInput = { exception: NewCertificateException };

/**
 * Records the head of the agency's written permission (văn bản cho phép của người đứng đầu cơ quan) to
 * give electronic work to a person who has no activated certificate yet, with its reference document.
 */
export async function grantCertificateException(
  input: GrantCertificateExceptionInput,
  ctx: UseCaseContext,
): Promise<Mutation<CertificateException>> {
  requireRole(ctx.identity, 'agency-leader', 'admin');
  const now = ctx.clock();
  const validFrom = input.exception.validFrom ? new Date(input.exception.validFrom) : now;
  const validUntil = input.exception.validUntil ? new Date(input.exception.validUntil) : null;
  if (validUntil && validUntil.getTime() <= validFrom.getTime())
    throw new AppError('VALIDATION_FAILED', 'validUntil must be after validFrom', {
      errors: [{ field: 'validUntil', message: 'must be after validFrom' }],
    });
  if (validUntil && validUntil.getTime() <= now.getTime())
    throw new AppError('VALIDATION_FAILED', 'validUntil is in the past', {
      errors: [{ field: 'validUntil', message: 'is in the past' }],
    });
  return ctx.runInTransaction(async (tx) =>
    exceptionView(
      await insertCertificateException(tx, {
        id: randomUUID(),
        agencyCode: ctx.identity.agencyCode,
        userId: input.exception.userId,
        referenceDocument: input.exception.referenceDocument,
        referenceDocumentId: input.exception.referenceDocumentId ?? null,
        reason: input.exception.reason,
        validFrom,
        validUntil,
        grantedBy: ctx.identity.userId,
        grantedAt: now,
      }),
    ),
  );
}
