import { AppError, hasRole } from '@vanthu/platform';
import { auditOf, findCertificate, holdingsOf } from '../repositories/certificates-repository';
import type { CertificateAuditRow, HoldingRow } from '../repositories/certificates-repository';
import type { SigningContext } from '../context';

export type ListCertificateHistoryInput = { certificateId: string };
export type CertificateHistory = {
  certificateId: string;
  holdings: Omit<HoldingRow, 'certificateId'>[];
  events: CertificateAuditRow[];
};

/** Who held the certificate when, and every change with its actor and reason: its holder or an administrator. */
export async function listCertificateHistory(
  input: ListCertificateHistoryInput,
  ctx: SigningContext,
): Promise<CertificateHistory> {
  const { identity } = ctx;
  const { result } = await ctx.runInTransaction(async (tx) => {
    const row = await findCertificate(tx, identity.agencyCode, input.certificateId);
    const holdings = row ? await holdingsOf(tx, row.id) : [];
    // Someone who never held it sees it as missing, like another agency's.
    if (!row || (!hasRole(identity, 'admin') && !holdings.some((h) => h.userId === identity.userId)))
      throw new AppError('NOT_FOUND', `certificate ${input.certificateId} not found`);
    return {
      certificateId: row.id,
      holdings: holdings.map(({ certificateId: _id, ...h }) => h),
      events: await auditOf(tx, row.id),
    };
  });
  return result;
}
