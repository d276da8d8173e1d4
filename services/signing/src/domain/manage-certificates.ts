import { hasRole, requireRole, withTransaction } from '@vanthu/platform';
import { adoption, certificatesOf } from '../repositories/certificates-repository';
import type { CertificateRow } from '../repositories/certificates-repository';
import type { Caller, SigningDeps } from './signing-deps';

export type CertificateView = Omit<CertificateRow, 'der'> & { pem: string };

export const toView = (row: CertificateRow): CertificateView => {
  const { der, ...rest } = row;
  return {
    ...rest,
    pem: `-----BEGIN CERTIFICATE-----\n${der
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .trim()}\n-----END CERTIFICATE-----\n`,
  };
};

/** Own certificates; administrators see their agency's. */
export async function listCertificates(caller: Caller, deps: SigningDeps): Promise<CertificateView[]> {
  const { identity } = caller;
  const rows = await withTransaction(deps.pool, (tx) =>
    certificatesOf(tx, identity.agencyCode, hasRole(identity, 'admin') ? undefined : identity.userId),
  );
  return rows.map(toView);
}

/** Staff with registered and with activated certificates, per agency (deadlines of docs/domain/directives.md, seed 000). */
export async function certificateAdoption(
  agency: string | undefined,
  caller: Caller,
  deps: SigningDeps,
): Promise<{ agencyCode: string; registeredUsers: number; activeUsers: number }[]> {
  const { identity } = caller;
  requireRole(identity, 'admin', 'report-collector');
  // Administrators see their own agency; the report collector (Sở KH&CN) sees every agency.
  const scope = hasRole(identity, 'report-collector') ? agency : identity.agencyCode;
  return withTransaction(deps.pool, (tx) => adoption(tx, scope));
}
