import { AppError, withTransaction } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import * as pkijs from 'pkijs';
import type { Cert } from '../x509/certificate';
import { validityOf } from '../x509/certificate';
import { findCertificate, findCertificateBySha } from '../repositories/certificates-repository';
import type { CertificateRow } from '../repositories/certificates-repository';
import { completeChain } from '../pades/pades-engine';
import { CertificateRevokedError, collectRevocation } from '../pades/revocation';
import type { RevocationMaterial } from '../pades/revocation';
import type { SigningDeps } from '../signatures/signing-deps';
import { suspendCertificate } from './suspend-certificate';

/** The certificate chains to a trusted root (signatures and validity of each link at `at`). */
export async function assertChainsToTrust(
  certificate: Cert,
  extra: Cert[],
  deps: SigningDeps,
  at = new Date(),
): Promise<Cert[]> {
  const chain = completeChain([certificate, ...extra], deps.pades.certificatePool);
  // pkijs's path validation (RFC 5280 §6) runs over its own objects, read from the same bytes.
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: deps.trustRoots.map((c) => c.pki),
    certs: chain.map((c) => c.pki),
    checkDate: at,
  });
  const result = await engine.verify();
  if (!result.result)
    throw new AppError('UNPROCESSABLE', `the certificate does not chain to a trusted root: ${result.resultMessage}`, {
      errors: [{ field: 'certificate', message: 'untrusted' }],
    });
  return chain;
}

export function assertValidPeriod(certificate: Cert, at = new Date()): void {
  const { notBefore, notAfter } = validityOf(certificate);
  if (notAfter < at)
    throw new AppError('UNPROCESSABLE', `the certificate expired on ${notAfter.toISOString()}`, {
      errors: [{ field: 'certificate', message: 'expired' }],
    });
  if (notBefore > at)
    throw new AppError('UNPROCESSABLE', 'the certificate is not valid yet', {
      errors: [{ field: 'certificate', message: 'not yet valid' }],
    });
}

/** The refusal of a certificate its CA has revoked (OCSP or CRL), with the CA's answer as its cause. */
const revokedRefusal = (error: CertificateRevokedError): AppError =>
  new AppError('UNPROCESSABLE', 'this certificate is revoked', {
    cause: error,
    errors: [{ field: 'certificate', message: 'revoked' }],
  });

/**
 * A certificate offered to be registered for a person or attached to an organisation key: in its validity period at
 * `at`, chaining to a trusted root (with `extra` as intermediates) and not revoked. Answers its chain.
 */
export async function assertAcceptableCertificate(
  certificate: Cert,
  extra: Cert[],
  deps: SigningDeps,
  at: Date,
): Promise<Cert[]> {
  assertValidPeriod(certificate, at);
  const chain = await assertChainsToTrust(certificate, extra, deps, at);
  try {
    await collectRevocation(chain, deps.pades.certificatePool, deps.pades.revocationTimeoutMs);
  } catch (error) {
    if (error instanceof CertificateRevokedError) throw revokedRefusal(error);
    throw error;
  }
  return chain;
}

/**
 * A personal signature may only be made with the caller's own registered and activated
 * certificate that is in its validity period and not revoked (the directives forbid handing a
 * certificate to another person).
 */
export async function assertUsableCertificate(
  tx: Tx,
  certificate: Cert,
  chain: Cert[],
  userId: string,
  agencyCode: string,
  deps: SigningDeps,
  requestId = '',
): Promise<{ row: CertificateRow; revocation: RevocationMaterial }> {
  const row = await findCertificateBySha(tx, certificate.sha256);
  if (!row)
    throw new AppError('FORBIDDEN', 'this certificate is not registered; register it and have it activated first');
  if (row.userId !== userId || row.agencyCode !== agencyCode)
    throw new AppError('FORBIDDEN', 'this certificate is registered to another person and cannot be used by you');
  if (row.status === 'revoked' || row.status === 'suspended')
    throw new AppError(
      'UNPROCESSABLE',
      `this certificate is suspended (${row.suspensionCause ?? 'revoked'}); register a valid certificate`,
      { errors: [{ field: 'certificate', message: row.suspensionCause ?? 'revoked' }] },
    );
  if (row.status !== 'active')
    throw new AppError('FORBIDDEN', 'this certificate is registered but not activated by an administrator yet');
  assertValidPeriod(certificate);
  const full = await assertChainsToTrust(certificate, chain, deps);
  let revocation: RevocationMaterial;
  try {
    revocation = await collectRevocation(full, deps.pades.certificatePool, deps.pades.revocationTimeoutMs);
  } catch (error) {
    if (error instanceof CertificateRevokedError) {
      // Its own transaction: the refusal below rolls the caller's back, the suspension must stay.
      await withTransaction(deps.pool, async (own) => {
        const current = await findCertificate(own, row.agencyCode, row.id);
        if (current && (current.status === 'active' || current.status === 'registered'))
          await suspendCertificate(
            own,
            current,
            { cause: 'revoked', revokedAt: error.revokedAt ?? null, at: new Date() },
            { actor: 'vanthu-signing', requestId, source: deps.source, topicPrefix: deps.topicPrefix },
          );
      });
      throw revokedRefusal(error);
    }
    throw error;
  }
  return { row, revocation };
}
