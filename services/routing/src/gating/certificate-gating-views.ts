import type { CertificateException as ExceptionRecord } from '../repositories/gating-repository';
import type { CertificateException } from '../schemas/gating';

export const exceptionView = (e: ExceptionRecord): CertificateException => ({
  id: e.id,
  agencyCode: e.agencyCode,
  userId: e.userId,
  referenceDocument: e.referenceDocument,
  referenceDocumentId: e.referenceDocumentId,
  reason: e.reason,
  validFrom: e.validFrom.toISOString(),
  validUntil: e.validUntil?.toISOString() ?? null,
  grantedBy: e.grantedBy,
  grantedAt: e.grantedAt.toISOString(),
  revokedBy: e.revokedBy,
  revokedAt: e.revokedAt?.toISOString() ?? null,
});
