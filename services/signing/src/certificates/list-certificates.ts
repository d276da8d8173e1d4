import { hasRole } from '@vanthu/platform';
import type { SigningContext } from '../context';
import { certificatesOf } from '../repositories/certificates-repository';
import { toView } from './certificate-view';
import type { CertificateView } from './certificate-view';

export type ListCertificatesInput = Record<string, never>;

/** Own certificates; administrators see their agency's. */
export async function listCertificates(_input: ListCertificatesInput, ctx: SigningContext): Promise<CertificateView[]> {
  const { identity } = ctx;
  const { result: rows } = await ctx.runInTransaction((tx) =>
    certificatesOf(tx, identity.agencyCode, hasRole(identity, 'admin') ? undefined : identity.userId),
  );
  return rows.map(toView);
}
