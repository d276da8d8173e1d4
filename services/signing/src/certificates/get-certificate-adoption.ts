import { hasRole, requireRole } from '@vanthu/platform';
import type { SigningContext } from '../context';
import { adoption } from '../repositories/certificates-repository';

export type GetCertificateAdoptionInput = { agency?: string };

export type CertificateAdoption = { agencyCode: string; registeredUsers: number; activeUsers: number }[];

/** Staff with registered and with activated certificates, per agency (the adoption deadlines in docs/domain/directives.md). */
export async function getCertificateAdoption(
  input: GetCertificateAdoptionInput,
  ctx: SigningContext,
): Promise<CertificateAdoption> {
  const { identity } = ctx;
  requireRole(identity, 'admin', 'report-collector');
  // Administrators see their own agency; the report collector (Sở KH&CN) sees every agency.
  const scope = hasRole(identity, 'report-collector') ? input.agency : identity.agencyCode;
  const { result } = await ctx.runInTransaction((tx) => adoption(tx, scope));
  return result;
}
