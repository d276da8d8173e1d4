import { hasRole, requireRole } from '@vanthu/platform';
import { completeChain } from '../pades/pades-engine';
import { CertificateRevokedError, RevocationUnavailableError, collectRevocation } from '../pades/revocation';
import { findCertificate, markRevocationChecked, usableCertificates } from '../repositories/certificates-repository';
import type { SigningContext } from '../context';
import { suspendCertificate } from './suspend-certificate';
import type { Suspension } from './suspend-certificate';
import { toCert } from '../x509/certificate';

export type CheckCertificatesInput = { agencyCode?: string; limit?: number };
export type CertificateCheckResult = {
  checked: number;
  suspended: { certificateId: string; userId: string; cause: 'revoked' | 'expired' }[];
  /** Certificates whose revocation status could not be learnt this time (OCSP and CRL unreachable). */
  unchecked: string[];
};

/**
 * Suspends every registered or active certificate that has expired (by the context's clock) or that its CA
 * revoked (OCSP, else CRL). Run periodically by the service for every agency, or by an administrator for
 * theirs. Each suspension commits on its own with its event; an unreachable responder leaves the
 * certificate as it was, to be checked again next time.
 */
export async function checkCertificates(
  input: CheckCertificatesInput,
  ctx: SigningContext,
): Promise<CertificateCheckResult> {
  const { identity, signing } = ctx;
  if (!hasRole(identity, 'service')) requireRole(identity, 'admin');
  const scope = hasRole(identity, 'service') ? input.agencyCode : identity.agencyCode;
  const { result: rows } = await ctx.runInTransaction((tx) => usableCertificates(tx, scope, input.limit ?? 500));
  const result: CertificateCheckResult = { checked: 0, suspended: [], unchecked: [] };
  for (const row of rows) {
    const now = ctx.clock();
    let suspension: Suspension | undefined;
    if (new Date(row.notAfter) <= now) suspension = { cause: 'expired', revokedAt: null, at: now };
    else {
      const certificate = toCert(row.der);
      const chain = completeChain([certificate], signing.pades.certificatePool);
      try {
        await collectRevocation(chain, signing.pades.certificatePool, signing.pades.revocationTimeoutMs);
      } catch (error) {
        if (error instanceof CertificateRevokedError)
          suspension = { cause: 'revoked', revokedAt: error.revokedAt ?? null, at: now };
        else if (error instanceof RevocationUnavailableError) {
          result.unchecked.push(row.id);
          continue;
        } else throw error;
      }
    }
    result.checked += 1;
    await ctx.runInTransaction(async (tx) => {
      // Locked again: a holder may have released it meanwhile.
      const current = await findCertificate(tx, row.agencyCode, row.id);
      if (!current || (current.status !== 'registered' && current.status !== 'active')) return;
      if (!suspension) return markRevocationChecked(tx, row.id, now);
      await suspendCertificate(tx, current, suspension, {
        actor: identity.userId,
        requestId: ctx.requestId,
        source: signing.source,
        topicPrefix: signing.topicPrefix,
      });
      result.suspended.push({ certificateId: row.id, userId: current.userId, cause: suspension.cause });
    });
  }
  return result;
}
