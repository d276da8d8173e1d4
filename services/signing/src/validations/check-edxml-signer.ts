import { AppError, requireRole } from '@vanthu/platform';
import { completeChain } from '../pades/pades-engine';
import { CertificateRevokedError, RevocationUnavailableError, collectRevocation } from '../pades/revocation';
import type { SigningContext } from '../context';
import { toCert } from '../x509/certificate';

export type CheckEdxmlSignerInput = { certificates: Buffer[] };
export type CheckEdxmlSignerResult = {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: string;
  reason?: string;
};

/**
 * The revocation state of the signer of a received edXML message (its X509Data, signer first): the chain
 * completed from the certificates given and the trust store, then every certificate of it asked by OCSP,
 * else CRL, with the same revocation facility that validates PDF signatures and activates certificates
 * (pades/revocation.ts). A revoked certificate anywhere in the chain makes the signer revoked; no answer
 * from the responders is `unknown` with the reason, for the caller to retry: revocation is checked, never assumed
 * (docs/domain/requirements.md §7 item 14: on receipt, every XML signature is verified with revocation via OCSP).
 */
export async function checkEdxmlSigner(
  input: CheckEdxmlSignerInput,
  ctx: SigningContext,
): Promise<CheckEdxmlSignerResult> {
  requireRole(ctx.identity, 'clerk', 'service');
  let chain;
  try {
    chain = input.certificates.map((der) => toCert(der));
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `a certificate cannot be read: ${(error as Error).message}`, {
      errors: [{ field: 'body.certificates', message: 'each item is a DER X.509 certificate in base64' }],
    });
  }
  const pades = ctx.signing.pades;
  try {
    await collectRevocation(
      completeChain(chain, pades.certificatePool),
      pades.certificatePool,
      pades.revocationTimeoutMs,
    );
    return { status: 'good' };
  } catch (error) {
    if (error instanceof CertificateRevokedError) {
      return {
        status: 'revoked',
        reason: 'a certificate of the signer’s chain is revoked',
        ...(error.revokedAt ? { revokedAt: error.revokedAt.toISOString() } : {}),
      };
    }
    if (error instanceof RevocationUnavailableError) return { status: 'unknown', reason: error.message };
    throw error;
  }
}
